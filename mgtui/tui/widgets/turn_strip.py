"""Earlier turns, collapsed at the top of the team view: one line each, the final answer on expand."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Collapsible

from mgtui.question_text import one_line

if TYPE_CHECKING:
    from mgtui.engine.turn_state import TurnState


class TurnStrip(VerticalScroll):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.turns: list[TurnState] = []

    def clear(self) -> None:
        self.turns.clear()
        self.remove_children()

    def archive(self, turn: TurnState) -> None:
        from textual.widgets import Markdown  # noqa: PLC0415 - only once a turn is done

        self.turns.append(turn)
        self.add_class("-shown")
        winner = f" · {turn.winner}" if turn.winner else ""
        title = f"turn {turn.turn} · {turn.status if turn.finished else 'unfinished'}{winner} · {one_line(turn.question, 60)}"
        # Content, not str: a question is never markup (the stub says str; Textual takes both).
        self.mount(Collapsible(Markdown(turn.final_answer or "_(no final answer)_"), title=Content(title), collapsed=True))  # type: ignore[arg-type]
        self.scroll_end(animate=False)
