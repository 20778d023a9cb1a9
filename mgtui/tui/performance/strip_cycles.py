"""Stop Textual's `Strip` from caching itself, which made every drawn line a reference cycle.

`Strip.divide(cuts)` caches `[self]` when there is nothing to cut, and `Strip.crop_extend`
caches `self` when the strip already has the asked length: the compositor does this for
almost every line of every repaint. Such strips can then only be freed by the cyclic garbage
collector: measured with 8 agents streaming, ~750 strips (with 7 caches each) a second, which
made its full passes long and frequent pauses of the UI. The replacements return the same
values and skip only those self-referencing cache entries. Textual is pinned (8.2.8); a test
checks the behaviour stays the same and that no cycle is left.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.style import Style
from textual.strip import Strip

_divide = Strip.divide
_crop_extend = Strip.crop_extend


def _divide_without_self_cycle(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
    cuts = list(cuts)
    cell_length = self.cell_length
    if [cut for cut in cuts if cut <= cell_length] == [cell_length]:
        return [self]  # nothing to cut (Textual would cache [self] in self)
    return _divide(self, cuts)


def _crop_extend_without_self_cycle(self: Strip, start: int, end: int, style: Style | None) -> Strip:
    if start == 0 and end == self.cell_length:
        return self  # already that length (Textual would cache self in self)
    return _crop_extend(self, start, end, style)


def install() -> None:
    """Idempotent; called when the app module is imported."""
    Strip.divide = _divide_without_self_cycle  # type: ignore[method-assign]
    Strip.crop_extend = _crop_extend_without_self_cycle  # type: ignore[method-assign]
