"""A VerticalScroll that sticks to the bottom once its content overflows.

Textual's `anchor()` also bottom-aligns content that is shorter than the view, which leaves a
gap above the first lines; anchoring only on overflow keeps short content at the top.
"""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.geometry import Size


class FollowScroll(VerticalScroll):
    def watch_virtual_size(self, size: Size) -> None:
        if not self.is_anchored and size.height > self.scrollable_content_region.height:
            self.anchor()
