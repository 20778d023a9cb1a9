"""A VerticalScroll that sticks to the bottom once its content overflows.

Textual's `anchor()` also bottom-aligns content that is shorter than the view, which leaves a
gap above the first lines; anchoring only while content overflows keeps short content at the top.
"""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.geometry import Size


class FollowScroll(VerticalScroll):
    def watch_virtual_size(self, size: Size) -> None:
        overflows = size.height > self.scrollable_content_region.height
        if overflows and not self.is_anchored:
            self.anchor()
        elif not overflows and self.is_anchored:
            # Content shrank back (a long live tail replaced by its answer): an anchor kept now
            # would leave a gap above the first line.
            self.anchor(False)
