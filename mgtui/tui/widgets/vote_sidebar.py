"""The vote sidebar: answers, votes with reasons, k of n voted, resets and the winner.

A dumb widget: the screen sets `board`; the sidebar recomposes from it and never asks
the engine anything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Collapsible, Static

from mgtui.tui.widgets.agent_pane import AgentPane

if TYPE_CHECKING:
    from mgtui.engine.turn_state import TurnState


GROUP_VOTERS_OVER = 3  # more voters than this for one answer are listed on one line
LARGE_TEAM = 9  # in teams larger than this, any two voters are grouped


class AnswerRow(Static, can_focus=True):
    """One answer in the sidebar: focus it (click or Tab) and vote for it or pick it, as on its pane."""

    BINDINGS = [
        Binding("v", "act('vote')", "Vote", id="sidebar.vote", tooltip="Cast (or move) your vote to this answer"),
        Binding("d", "act('decide')", "Pick", id="sidebar.decide", tooltip="End the coordination with this answer as the winner"),
    ]

    def __init__(self, content: Text, agent: str, can_act: Callable[[str, str], bool] | None) -> None:
        super().__init__(content, classes="vs-answer")
        self.agent = agent
        self.can_act = can_act  # the same rule as the pane's keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action != "act" or not parameters:
            return True
        return self.can_act is not None and self.can_act(self.agent, str(parameters[0]))

    def action_act(self, action: str) -> None:
        self.post_message(AgentPane.Action(self.agent, action))


class VoteSidebar(VerticalScroll):
    DEFAULT_CSS = """
    VoteSidebar {
        width: 34;
        padding: 0 1;
        border-left: vkey $foreground 20%;
        background: $surface;
    }
    VoteSidebar .vs-title { text-style: bold; color: $text-primary; }
    VoteSidebar .vs-count { color: $text-muted; margin-bottom: 1; }
    VoteSidebar .vs-answer { margin-top: 1; }
    VoteSidebar AnswerRow:focus { background: $boost; text-style: bold; }
    VoteSidebar .vs-reset { color: $text-warning; }
    VoteSidebar .vs-human { color: $text-accent; text-style: bold; }
    VoteSidebar .vs-winner { color: $text-success; text-style: bold; margin-top: 1; }
    VoteSidebar .vs-tie { color: $text-muted; }
    VoteSidebar .vs-empty { color: $text-muted; }
    VoteSidebar .vs-rank-head { color: $text-muted; text-style: bold; }
    VoteSidebar .vs-rank { height: auto; }
    VoteSidebar Collapsible { padding: 0; border: none; background: transparent; }
    VoteSidebar Collapsible > Contents { padding: 0 0 0 2; }
    """

    board: reactive[TurnState | None] = reactive(None, recompose=True)
    """A copy of the turn's state (engine/turn_state.py); set by the team view."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # What the user opened or closed, kept across recomposes: vote key -> expanded.
        self.expanded: dict[str, bool] = {}
        self._default_open = False  # how reasons start in the current composition
        self.can_act: Callable[[str, str], bool] | None = None  # set by the team view

    def _roomy(self) -> bool:
        """Reasons open by themselves when every vote fits (about three lines each)."""
        height = self.size.height or 40
        board = self.board
        return board is None or 6 + 3 * len(board.votes) + 2 * len(board.latest_label) <= height

    @on(Collapsible.Expanded)
    @on(Collapsible.Collapsed)
    def _remember(self, event: Collapsible.Expanded | Collapsible.Collapsed) -> None:
        key, opened = event.collapsible.name, not event.collapsible.collapsed
        if not key:
            return
        # A new composition announces every state: only a departure from the default is a choice.
        if opened == self._default_open and key not in self.expanded:
            return
        self.expanded[key] = opened

    def compose(self) -> ComposeResult:
        if (board := self.board) is None:
            yield from self._compose_empty()
            return
        if board.method == "council":
            yield from self._compose_council(board)
            return
        yield Static("Votes", classes="vs-title")
        live = board.live
        yield Static(f"{board.voted_count} of {len(live)} voted", classes="vs-count", id="vote-count")
        if (mine := board.human_vote) is not None:
            yield Static(Text(f"☑ your vote: {board.name(mine.target)} ({mine.label})"), classes="vs-human", id="vote-human")
        if board.resets:
            yield Static(
                Text(f"↺ votes reset ×{board.resets} (new answer by {board.last_reset_by})"),
                classes="vs-reset",
                id="vote-reset",
            )
        if not board.latest_label:
            yield Static("no answers yet", classes="vs-empty")
        roomy = self._default_open = self._roomy()
        # Large teams: the answers with most votes first, so the leaders stay in view.
        agents = sorted(board.agents, key=lambda a: -len(board.votes_for(a))) if len(board.agents) > LARGE_TEAM else board.agents
        for agent in agents:
            label = board.latest_label.get(agent)
            if label is None:
                continue
            votes = board.votes_for(agent)
            yield AnswerRow(Text(f"{label}  {board.name(agent)}  ▮ {len(votes)}"), agent, self.can_act)
            if len(votes) > (1 if len(board.agents) > LARGE_TEAM else GROUP_VOTERS_OVER):  # one line of voters, reasons on expand
                # Content: a Collapsible's str title is markup (a voter, a ranked name from a log or a model)
                with Collapsible(title=Content(f"← {', '.join(board.name(v.voter) for v in votes)}"), collapsed=True):  # type: ignore[arg-type]
                    for vote in votes:
                        yield Static(Text(f"{board.name(vote.voter)}: {vote.reason or '(no reason given)'}"))
                continue
            for vote in votes:
                title = "← you (human)" if vote.voter == "human" else f"← {board.name(vote.voter)}"
                key = f"{vote.voter}>{vote.target}:{vote.label}"
                with Collapsible(title=Content(title), collapsed=not self.expanded.get(key, roomy), name=key):  # type: ignore[arg-type]
                    yield Static(Text(vote.reason or "(no reason given)"))
        for agent in sorted(board.dropped):
            why = board.drop_reasons.get(agent, "")
            yield Static(Text(f"✗ {board.name(agent)} dropped" + (f": {why}" if why else "")), classes="vs-empty")
        if board.winner is not None:
            how = "picked by you" if board.how == "human" else board.how
            yield Static(Text(f"★ winner: {board.winner} ({how})"), classes="vs-winner", id="vote-winner")
            if board.tie:
                tied = ", ".join(board.tied)
                yield Static(Text(f"tie between {tied}: first in config order wins"), classes="vs-tie")

    def _compose_council(self, board: TurnState) -> ComposeResult:
        """Council mode: the aggregate ranking table (mean rank per answer, best first) and
        each reviewer's order with its reasons on expand."""
        yield Static("Council ranking", classes="vs-title")
        live = board.live
        ranked = sum(1 for r in board.rankings if r not in board.dropped)
        yield Static(f"{ranked} of {len(live)} ranked · {len(board.latest_label)} answers", classes="vs-count", id="vote-count")
        rows = board.mean_ranks()
        if not rows:
            yield Static("no rankings yet" if board.latest_label else "no answers yet", classes="vs-empty")
        else:
            yield Static(Text(f"{'#':>2} {'mean':>5}  answer (rankings)"), classes="vs-rank-head")
            for place, (author, mean, count) in enumerate(rows, start=1):
                yield Static(Text(f"{place:>2} {mean:>5.2f}  {board.name(author)} ({count})"), classes="vs-rank", id=f"rank-{place}")
        for reviewer, order in board.rankings.items():
            with Collapsible(title=Content(f"{board.name(reviewer)}: {' > '.join(board.name(a) for a in order)}"), collapsed=True):  # type: ignore[arg-type]
                reasons = board.rank_reasons.get(reviewer, {})
                for author in order:
                    yield Static(Text(f"{board.name(author)}: {reasons.get(author) or '(no reason given)'}"))
        for agent in sorted(board.dropped):
            yield Static(Text(f"✗ {board.name(agent)} dropped"), classes="vs-empty")
        if board.winner is not None:
            yield Static(Text(f"★ best ranked: {board.winner} ({board.how})"), classes="vs-winner", id="vote-winner")
            if board.tie:
                yield Static(Text(f"tie between {', '.join(board.tied)}: first in config order wins"), classes="vs-tie")

    def _compose_empty(self) -> ComposeResult:
        """Before the first agent list: what an empty board shows."""
        yield Static("Votes", classes="vs-title")
        yield Static("0 of 0 voted", classes="vs-count", id="vote-count")
        yield Static("no answers yet", classes="vs-empty")
