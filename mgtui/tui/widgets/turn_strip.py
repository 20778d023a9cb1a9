"""Earlier turns, collapsed at the top of the team view: one line each, the final answer on expand."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Collapsible

from mgtui.question_text import one_line
from mgtui.tui.turn_records import TurnRecord


class TurnStrip(VerticalScroll):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.turns: list[TurnRecord] = []

    def clear(self) -> None:
        self.turns.clear()
        self.remove_children()

    def archive(self, record: TurnRecord) -> None:
        from textual.widgets import Markdown  # noqa: PLC0415 - only once a turn is done

        self.turns.append(record)
        self.add_class("-shown")
        title = f"turn {record.turn} · {record.status or 'unfinished'}"
        if record.winner:
            title += f" · {record.winner}"
        title += f" · {one_line(record.question, 60)}"
        body = Markdown(record.final or "_(no final answer)_")
        self.mount(Collapsible(body, title=Content(title), collapsed=True))
        self.scroll_end(animate=False)
