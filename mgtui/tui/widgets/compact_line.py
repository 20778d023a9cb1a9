"""One row per agent for large teams: name, state, label, tokens and the last line of live text.

Beyond the 9-pane grid every agent still has to stay visible, so each pane collapses to this
row (the focused one stays expanded). The row redraws on the app-wide tail clock, never per
delta: 32 streaming agents would otherwise repaint the screen hundreds of times a second.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from mgtui.tui.performance.tail_clock import tail_clock
from mgtui.tui.widgets.live_tail import clean_line

KEEP_CHARS = 400  # enough streamed text to find the last non-blank line


class CompactLine(Static):
    DEFAULT_CSS = """
    CompactLine { height: 1; padding: 0 1; display: none; }
    CompactLine.-state-error, CompactLine.-state-dropped { color: $text-error; }
    CompactLine.-state-answered, CompactLine.-state-voted, CompactLine.-state-ranked { color: $text-success; }
    """

    def __init__(self, agent_id: str, *, classes: str | None = None) -> None:
        super().__init__("", classes=classes)
        self.agent_id = agent_id
        self.shown_name = agent_id  # blind mode: agentN until the consensus
        self.icon = "·"
        self.state = "waiting"
        self.label = ""
        self.tokens = 0
        self._recent = ""  # the end of the streamed text

    def set_status(self, icon: str, state: str, label: str, tokens: int) -> None:
        if state != self.state:
            self.remove_class(f"-state-{self.state}")
            self.add_class(f"-state-{state}")
        self.icon, self.state, self.label, self.tokens = icon, state, label, tokens
        self.flush()

    def add_text(self, delta: str) -> None:
        self._recent = (self._recent + delta)[-KEEP_CHARS:]
        if self.is_mounted:
            tail_clock(self.app).want(self)

    def clear_text(self) -> None:
        self._recent = ""
        self.flush()

    def last_line(self) -> str:
        for line in reversed(self._recent.splitlines()):
            if line.strip():
                return clean_line(line.strip())
        return ""

    # the tail clock's Drawable protocol ---------------------------------------------
    def drawable_now(self) -> bool:
        return self.is_mounted and self.app.screen is self.screen  # not on top: wait, like the tails

    def flush(self) -> None:
        if not self.is_mounted:
            return
        tail_clock(self.app).drawn(self)
        row = Text(no_wrap=True, overflow="ellipsis")
        row.append(f"{self.icon} {self.shown_name[:16]:<16} ", style="bold")
        row.append(f"{self.state:<10} {self.label:<9} ")
        row.append(f"{self.tokens:>7,} tok" if self.tokens else " " * 11, style="dim")
        line = self.last_line()
        if line:
            row.append(f" │ {line}", style="dim")
        self.update(row)
