"""The turn's outcome: the final answer as Markdown (streamed as a tail first) and its status."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from mgtui.tui.widgets.follow_scroll import FollowScroll
from mgtui.tui.widgets.live_tail import LiveTail

STATUS_TEXT = {
    "ok": "✓ done",
    "timeout": "⏱ timed out — best answer so far",
    "cancelled": "■ cancelled — partial answers kept above",
    "failed": "✗ failed",
}


class FinalAnswerView(FollowScroll):
    """Hidden until the final presentation starts; keeps the last turn's answer visible."""

    DEFAULT_CSS = """
    FinalAnswerView {
        height: auto; max-height: 45%; display: none;
        border: heavy $success; border-title-color: $text-success; border-title-style: bold;
        padding: 0 1; background: $surface;
    }
    FinalAnswerView.-shown { display: block; }
    FinalAnswerView.-status-cancelled, FinalAnswerView.-status-timeout { border: heavy $warning; }
    FinalAnswerView.-status-failed { border: heavy $error; }
    FinalAnswerView > .final-status { color: $text-muted; }
    FinalAnswerView > .final-files { color: $text-accent; }
    FinalAnswerView > Markdown { margin: 0; padding: 0; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.content = ""  # the final answer's Markdown, for copying
        self.status = ""

    def compose(self) -> ComposeResult:
        yield LiveTail(classes="final-tail")
        yield Static("", classes="final-status")

    def reset(self) -> None:
        self.content = ""
        self.status = ""
        self.border_title = ""
        self.anchor(False)
        for cls in list(self.classes):
            if cls.startswith("-status-") or cls == "-shown":
                self.remove_class(cls)
        tail = self.query_one(LiveTail)
        tail.text = ""
        tail.flush()
        self.query(".final-markdown, .final-files").remove()
        self.query_one(".final-status", Static).update("")

    def start(self, agent: str, strategy: str) -> None:
        self.add_class("-shown")
        # Content, not str: a border title string is markup, and a replayed log names anything here.
        self.border_title = Content(f"final answer · {agent} presenting ({strategy})")  # type: ignore[assignment]

    def append_text(self, delta: str) -> None:
        self.add_class("-shown")
        self.query_one(LiveTail).append(delta)

    async def show_answer(self, agent: str, content: str, files_written: list[str] | None = None) -> None:
        from textual.widgets import Markdown

        self.content = content
        self.add_class("-shown")
        if agent:
            self.border_title = Content(f"final answer · {agent}")  # type: ignore[assignment]
        tail = self.query_one(LiveTail)
        tail.text = ""
        tail.flush()
        await self.query(".final-markdown, .final-files").remove()
        blocks: list[Widget] = [Markdown(content, classes="final-markdown")]
        if files_written:  # what the presenter changed on disk (@path:w) must not go unnoticed
            blocks.append(Static(Text("✎ wrote " + ", ".join(files_written)), classes="final-files"))
        await self.mount_all(blocks, before=self.query_one(".final-status"))

    def finish(self, status: str, winner: str | None, duration_s: float, error: str | None) -> None:
        self.status = status
        self.add_class("-shown", f"-status-{status}")
        line = STATUS_TEXT.get(status, status)
        if winner:
            line += f" · winner {winner}"
        if duration_s:
            line += f" · {duration_s:.1f} s"
        if error:
            line += f" · {error}"
        if not self.content and status != "ok":
            self.border_title = "turn ended without a final answer"
        self.query_one(".final-status", Static).update(Text(line))
