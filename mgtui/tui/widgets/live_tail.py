"""A cheap live view of streamed text, drawn with Textual's line API.

Measured headless on 2 cores, 8 panes at ~800 chars/s each (`benchmarks/tui.py` has the
terminal numbers): a `Static` re-wrapping its tail on every repaint cost 37% of a core; a
line-API tail that grows (so the pane re-lays out and scrolls on every new line) 41%;
this one, which stops growing at the height of its pane and moves its rows inside a
fixed window, 19-24%. So each flush (at most ~10 a second) wraps only the text that is
new, keeps wrapped rows as cached strips, and asks for a layout only while the tail is
still shorter than its pane. The mouse wheel scrolls back inside the window; while
scrolled back the view holds still and says how many newer lines wait below.

Finished answers are shown as Markdown by the pane instead; a tail in `markdown` mode
(the one maximised pane) renders its bounded end as Markdown.
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.selection import Selection
from textual.strip import Strip
from textual.widget import Widget

from mgtui.tui.performance.tail_clock import tail_clock

MAX_LINES = 400  # logical lines held for drawing (the full text stays in `.text` and the log)
PRUNE_STEP = 100  # drop this many old lines at once: pruning renumbers every row, so do it rarely
TAIL_CHARS_MAXIMISED = 6000  # the maximised pane renders this much of the end as Markdown
WHEEL_ROWS = 3
ELLIPSIS_ROW = "…"
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def clean_line(line: str) -> str:
    """Tabs expanded and control characters made visible: a model's escape codes must not reach the terminal."""
    return _CONTROL.sub("�", line.expandtabs(4))


def wrap_line(line: str, width: int) -> list[str]:
    """Word-wrap one logical line into rows of at most `width` cells (long words are folded)."""
    if width <= 0 or cell_len(line) <= width:
        return [line]
    from rich._wrap import divide_line  # noqa: PLC0415 - Rich's own word wrapping, with cell widths

    offsets = [0, *divide_line(line, width, fold=True), len(line)]
    rows = [line[start:end].rstrip() for start, end in zip(offsets, offsets[1:], strict=False) if end > start]
    return [row if cell_len(row) <= width else row[:width] for row in rows] or [""]


class LiveTail(Widget):
    ALLOW_SELECT = True
    DEFAULT_CSS = """
    LiveTail { height: auto; color: $text; }
    LiveTail.-empty { display: none; }
    LiveTail > .live-tail--hint { color: $text-muted; text-style: italic; }
    """
    COMPONENT_CLASSES = {"live-tail--hint"}

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._markdown = False
        # Everything streamed into this tail (the record), as parts: appending to one growing
        # string copied all of it on every delta. Joined only when `.text` is read.
        self._taken: list[str] = []  # already split into lines
        self._pending: list[str] = []  # not yet
        self._visible = False  # any non-blank text so far (else the tail is hidden)
        self._lines: list[str] = []  # complete logical lines held for drawing (cleaned)
        self._partial = ""  # the unfinished last line
        self._pruned = False  # older lines were dropped: the first row says so
        self._rows: list[str] = []  # _lines wrapped at _wrap_width
        self._wrapped_lines = 0  # how many of _lines are in _rows
        self._partial_rows: list[str] = []
        self._wrap_width = 0
        self._markdown_strips: list[Strip] | None = None
        self._strips: dict[int, Strip] = {}  # by row number, so rows moving up keep their strip
        self._back = 0  # rows scrolled back from the newest (0: following the stream)
        self._max_height = 0  # the visible height of the container, from the last layout
        self._render_style = Style()  # set by render_lines for the render_line calls it makes
        self._render_size = Size(0, 0)
        self._render_first = 0
        self.add_class("-empty")

    @property
    def markdown(self) -> bool:
        return self._markdown

    @markdown.setter
    def markdown(self, on: bool) -> None:
        """Draw the tail as Markdown (the maximised pane) or as plain wrapped rows; applied at the next flush."""
        if on != self._markdown:
            self._markdown = on
            self._wrap_width = -1  # forces a full redraw at the next flush

    # -- the text ------------------------------------------------------------------------------

    @property
    def text(self) -> str:
        if len(self._taken) > 1:
            self._taken[:] = ["".join(self._taken)]
        return "".join([*self._taken, *self._pending])

    @text.setter
    def text(self, value: str) -> None:
        """Replace the text (e.g. "" to clear); drawn at the next flush."""
        self._taken, self._pending, self._visible = [], [value] if value else [], False
        self._lines, self._partial, self._pruned, self._back = [], "", False, 0
        self._reset_rows()
        self._wrap_width = -1  # what was drawn is gone: redraw all at the next flush

    def append(self, delta: str) -> None:
        self._pending.append(delta)
        if self.is_mounted:
            tail_clock(self.app).want(self)

    def drawable_now(self) -> bool:
        # Under a dialog or the command palette each repaint of the pane repaints the whole
        # screen on top (measured ~20 ms a time): keep buffering, draw once it is back on top.
        # (`Screen.is_current` is also true for a screen seen behind a modal one.)
        return self.app.screen is self.screen

    @property
    def shown_text(self) -> str:
        """What the tail can draw: the held lines (after a "…" when older ones were dropped)."""
        held = "\n".join([*self._lines, self._partial])
        return f"{ELLIPSIS_ROW}\n{held}" if self._pruned else held

    def _take_new_text(self) -> int:
        """Split the new text into lines; returns how many rows pruning took off the front."""
        new = "".join(self._pending)
        if not new:
            return 0
        self._taken.append(new)
        self._pending.clear()
        self._visible = self._visible or not new.isspace()
        *complete, self._partial = (self._partial + new).split("\n")
        self._lines.extend(clean_line(line) for line in complete)
        if len(self._lines) <= MAX_LINES + PRUNE_STEP:
            return 0
        dropped = self._lines[: len(self._lines) - MAX_LINES]
        del self._lines[: len(dropped)]
        removed = sum(len(wrap_line(line, self._wrap_width)) for line in dropped) - (0 if self._pruned else 1)
        self._pruned = True  # (the first prune adds the "…" row)
        self._reset_rows()
        return removed

    # -- rows ------------------------------------------------------------------------------------

    def _reset_rows(self) -> None:
        self._rows, self._wrapped_lines, self._partial_rows = [], 0, []
        self._markdown_strips = None
        self._strips.clear()

    def _wrap(self, width: int) -> None:
        """Bring the rows up to date for `width`, wrapping only lines not wrapped yet."""
        if width != self._wrap_width:
            self._wrap_width = width
            self._reset_rows()
        if self._markdown:
            if self._markdown_strips is None:
                self._markdown_strips = self._render_markdown(width)
            return
        if not self._rows and self._pruned:
            self._rows.append(ELLIPSIS_ROW)
        for line in self._lines[self._wrapped_lines :]:
            self._rows.extend(wrap_line(line, width))
        self._wrapped_lines = len(self._lines)
        self._partial_rows = wrap_line(clean_line(self._partial), width) if self._partial else []

    def _render_markdown(self, width: int) -> list[Strip]:
        from rich.markdown import Markdown  # noqa: PLC0415 - only a maximised pane needs it

        tail = self.shown_text[-TAIL_CHARS_MAXIMISED:]
        if len(tail) < len(self.shown_text):
            tail = "…" + tail[tail.find("\n") + 1 :]
        console = self.app.console
        options = console.options.update_width(max(width, 1))
        lines = console.render_lines(Markdown(tail), options, style=self.rich_style, pad=False)
        return [Strip(line) for line in lines]

    @property
    def row_count(self) -> int:
        """Rows the whole held text takes (the window shows the last ones)."""
        if self._markdown:
            return len(self._markdown_strips or [])
        return len(self._rows) + len(self._partial_rows)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._wrap(width)
        # Never taller than the pane's visible body: a full tail then moves its rows inside a
        # fixed window instead of growing, so new text neither re-lays out nor scrolls the pane.
        self._max_height = max(1, container.height)
        return min(self.row_count, self._max_height)

    def _first_row(self) -> int:
        """The row drawn at the top of the window."""
        return max(0, self.row_count - self.size.height - self._back)

    # -- drawing ---------------------------------------------------------------------------------

    def flush(self) -> None:
        """Draw the buffered text now (the tail clock calls this; the pane and tests may too)."""
        if self.is_mounted:
            tail_clock(self.app).drawn(self)
        before = self.row_count
        removed = self._take_new_text()
        self.set_class(not self._visible, "-empty")
        width, height = self.size
        if not self.is_mounted or width <= 0:
            self.refresh(layout=True)  # rows are made when the layout gives a width
            return
        if self._markdown or width != self._wrap_width:  # Markdown is re-rendered whole; a new width re-wraps all
            self._reset_rows()
            self._wrap(width)
            self.refresh(layout=True)
            return
        first_changed = len(self._rows)  # the rows of the unfinished line are redrawn
        self._wrap(width)
        after = self.row_count
        for row in range(first_changed, max(before, after)):
            self._strips.pop(row, None)
        if after != before and height < min(after, self._max_height):
            self.refresh(layout=True)  # still growing towards the height of its pane
        elif self._back:  # hold the view still: new rows add to how far back it is
            self._back = min(self._back + after - before + removed, max(0, after - height))
            self.refresh()
        elif after != before or removed:
            self.refresh()  # every row moved up inside the window
        else:
            top = self._first_row()
            self.refresh(Region(0, first_changed - top, width, after - first_changed))

    def render_lines(self, crop: Region) -> list[Strip]:
        # render_line runs for every visible row of every repaint: look the style, size and
        # window position up once per repaint instead (each lookup walks the DOM).
        self._render_style, self._render_size = self.rich_style, self.size
        self._render_first = first = self._first_row()
        if len(self._strips) > 2 * self._render_size.height + 8:
            # Keep only the window's strips: each holds several caches, and a few thousand
            # rows scrolled past made the garbage collector's full passes pause the UI.
            self._strips = {row: strip for row, strip in self._strips.items() if row >= first}
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        style, (width, height) = self._render_style, self._render_size
        if self._back and y == height - 1:
            hint = f"▼ {self._back} newer lines below (scroll down)"
            hint_style = style + self.get_component_rich_style("live-tail--hint", partial=True)
            return Strip([Segment(hint, hint_style)]).crop_extend(0, width, style)
        row = self._render_first + y
        strip = self._strips.get(row)
        if strip is None or self.text_selection is not None:
            strip = self._make_strip(row, y, style).crop_extend(0, width, style)
            if self.text_selection is None:
                self._strips[row] = strip
        return strip

    def _make_strip(self, row: int, y: int, style: Style) -> Strip:
        if self._markdown:
            strips = self._markdown_strips or []
            return strips[row] if row < len(strips) else Strip.blank(0, style)
        rows, partial = self._rows, self._partial_rows
        text = rows[row] if row < len(rows) else (partial[row - len(rows)] if row - len(rows) < len(partial) else "")
        selection = self.text_selection
        span = selection.get_span(y) if selection is not None else None
        if span is None:
            return Strip([Segment(text, style)], cell_len(text))
        start, end = span
        end = len(text) if end == -1 else end
        selected = style + self.screen.get_component_rich_style("screen--selection")
        segments = [Segment(text[:start], style), Segment(text[start:end], selected), Segment(text[end:], style)]
        return Strip([s for s in segments if s.text], cell_len(text))

    # -- scrolling back and selecting ------------------------------------------------------------

    def _scroll_back(self, rows: int) -> bool:
        """Move the window `rows` towards older text (negative: newer); False at either end."""
        limit = 0 if self._markdown else max(0, self.row_count - self.size.height)
        back = min(max(0, self._back + rows), limit)
        if back == self._back:
            return False
        self._back = back
        self.refresh()
        return True

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        if self._scroll_back(WHEEL_ROWS):
            event.stop()  # at the oldest row the wheel goes on to scroll the pane

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        if self._scroll_back(-WHEEL_ROWS):
            event.stop()

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        first = self._first_row()
        if self._markdown:
            rows = [strip.text.rstrip() for strip in self._markdown_strips or []]
        else:
            rows = [*self._rows, *self._partial_rows]
        visible = rows[first : first + self.size.height]
        return selection.extract("\n".join(visible)), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self._strips.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()  # theme or class change: the cached rows carry the old style
        self._markdown_strips = None

    def on_resize(self) -> None:
        self._strips.clear()  # cached rows are padded to the old width

    def on_mount(self) -> None:
        if self._taken or self._pending:
            self.flush()
