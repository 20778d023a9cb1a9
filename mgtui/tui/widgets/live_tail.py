"""A cheap live view of streamed text: plain `Text`, repainted at most ~10 times a second.

Measured on 2 cores: eight live `MarkdownStream` panes saturate a core, while plain-text
tails at 10 Hz leave the UI responsive; finished answers are shown as Markdown instead.
A tail in `markdown` mode (the one maximised pane) renders its bounded tail as Markdown.
"""

from __future__ import annotations

from rich.text import Text
from textual.timer import Timer
from textual.widgets import Static

FLUSH_SECONDS = 0.1
# Only the end is drawn (the full text is kept for the record). Wrapping is the cost of a
# repaint: measured with 8 panes at 800 chars/s, a 6,000-char tail kept the UI at ~90% of
# a core; a pane shows ~30 lines, so ~1,500 chars is all that can be seen anyway.
TAIL_CHARS = 1500
TAIL_CHARS_MAXIMISED = 6000  # the maximised pane is large and shows Markdown


class LiveTail(Static):
    DEFAULT_CSS = """
    LiveTail { height: auto; color: $text; }
    LiveTail.-empty { display: none; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self.add_class("-empty")
        self.text = ""
        self.markdown = False
        self._flush_timer: Timer | None = None

    def append(self, delta: str) -> None:
        self.text += delta
        if self._flush_timer is None and self.is_mounted:
            self._flush_timer = self.set_timer(FLUSH_SECONDS, self.flush)

    def flush(self) -> None:
        """Draw the buffered text now (the timer calls this; tests may too)."""
        self._flush_timer = None
        limit = TAIL_CHARS_MAXIMISED if self.markdown else TAIL_CHARS
        tail = self.text[-limit:]
        if len(self.text) > limit:
            tail = "…" + tail[tail.find("\n") + 1 :]
        self.set_class(not tail.strip(), "-empty")
        if self.markdown:
            from rich.markdown import Markdown  # noqa: PLC0415 - only a maximised pane needs it

            self.update(Markdown(tail))
        else:
            self.update(Text(tail))

    def on_mount(self) -> None:
        if self.text:
            self.flush()
