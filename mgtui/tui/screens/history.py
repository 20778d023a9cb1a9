"""History: the turns of the current session; open one to read everything that was said.

The list shows each turn's question, winner, votes, duration and status. The highlighted
turn's final answer, every agent's answers and every vote (with its reason) are shown as
Markdown beside it. Everything comes from the session's event log, read in a thread.
"""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from mgtui.logs.summary import SessionSummary, TurnSummary
from mgtui.question_text import chip, with_chips
from mgtui.tui.screens.log_analysis import load_summary

STATUS_ICONS = {"ok": "✓", "timeout": "⌛", "cancelled": "■", "failed": "✗", "running": "…"}


def turn_option(turn: TurnSummary) -> Option:
    state = turn.state
    votes = sum(state.tally.values())
    winner = f"{state.winner} ({state.tally.get(state.winner, 0)}/{votes} votes)" if state.winner else "no winner"
    line = Content.assemble(
        (f"{STATUS_ICONS.get(state.status, '?')} turn {turn.turn}", "bold"),
        f"  {winner}  ",
        (f"{turn.duration_s:.1f} s · {state.status}", "$text-muted"),
    )
    question = Content(with_chips(state.question, state.attachments, 120) if state.question else "(no question)")
    return Option(Content("\n").join([line, question]), id=f"turn-{turn.turn}")


def turn_markdown(turn: TurnSummary) -> str:
    """The whole turn as one Markdown document (model output stays Markdown, never markup)."""
    state = turn.state
    lines = [f"## Turn {turn.turn}: {state.status}, {turn.duration_s:.1f} s", "", f"> {state.question}", ""]
    if state.attachments:
        lines[-1:-1] = ["", "Attached: " + " ".join(f"`{chip(a)}`" for a in state.attachments)]
    if state.winner:
        tally = ", ".join(f"{a} {n}" for a, n in state.tally.items())
        tie = " (tie broken by config order)" if state.tie else ""
        lines += [f"**Winner:** {state.winner}{tie} · votes: {tally}", ""]
    lines += ["### Final answer", "", state.final_answer or "_(no final answer)_", ""]
    if turn.answers:
        lines.append("### Answers")
        for answer in turn.answers:
            lines += ["", f"#### {answer.label} · {answer.agent} · at {answer.t:.1f} s", "", answer.content]
        lines.append("")
    if turn.rounds:
        lines.append("### Votes")
        for vote_round in turn.rounds:
            for v in vote_round.votes:
                counted = "" if v.counted else " *(not counted: cast on stale answers)*"
                lines.append(f"- round {vote_round.index} · {v.voter} → **{v.target}** ({v.label}){counted}: {v.reason}")
    return "\n".join(lines)


class HistoryScreen(Screen[None]):
    CSS_PATH = "history.tcss"
    BINDING_GROUP_TITLE = "History"
    BINDINGS = [
        Binding("escape,q", "close", "Close", id="history.close", tooltip="Back to the session"),
        Binding("r", "reload", "Reload", id="history.reload", tooltip="Read the log again"),
    ]

    def __init__(self, session_dir: Path | None) -> None:
        super().__init__()
        self.session_dir = Path(session_dir) if session_dir else None
        self.summary: SessionSummary | None = None

    def compose(self) -> ComposeResult:
        title = f"History of {self.session_dir.name}" if self.session_dir else "History"
        yield Static(Content(title), id="history-title")
        with Horizontal(id="history-row"):
            yield OptionList(id="history-turns")
            with VerticalScroll(id="history-detail"):
                yield Markdown("", id="history-markdown")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, name="history-load")
    def load(self) -> None:
        if self.session_dir is None:
            self.app.call_from_thread(self._show, SessionSummary(notices=["No session yet: ask a question first."]))
            return
        self.app.call_from_thread(self._show, load_summary(self.session_dir))

    def _show(self, summary: SessionSummary) -> None:
        self.summary = summary
        turns = self.query_one("#history-turns", OptionList)
        turns.clear_options()
        turns.add_options(turn_option(t) for t in summary.turns)
        for notice in summary.notices:
            self.notify(notice, severity="warning")
        if summary.turns:
            turns.highlighted = len(summary.turns) - 1  # the latest turn first
            turns.focus()
        else:
            self.query_one("#history-markdown", Markdown).update("_No turns in this session yet._")

    @on(OptionList.OptionHighlighted, "#history-turns")
    async def _turn_chosen(self, event: OptionList.OptionHighlighted) -> None:
        if self.summary is None or event.option_index >= len(self.summary.turns):
            return
        await self.query_one("#history-markdown", Markdown).update(turn_markdown(self.summary.turns[event.option_index]))
        self.query_one("#history-detail", VerticalScroll).scroll_home(animate=False)

    def action_reload(self) -> None:
        self.load()

    def action_close(self) -> None:
        self.dismiss()
