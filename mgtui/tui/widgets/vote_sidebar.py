"""The vote sidebar: answers, votes with reasons, k of n voted, resets and the winner.

A dumb widget: the screen sets `board`; the sidebar recomposes from it and never asks
the engine anything.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.widgets import Collapsible, Static

from mgtui.tui.vote_board import VoteBoard


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
    VoteSidebar .vs-reset { color: $text-warning; }
    VoteSidebar .vs-human { color: $text-accent; text-style: bold; }
    VoteSidebar .vs-winner { color: $text-success; text-style: bold; margin-top: 1; }
    VoteSidebar .vs-tie { color: $text-muted; }
    VoteSidebar .vs-empty { color: $text-muted; }
    VoteSidebar Collapsible { padding: 0; border: none; background: transparent; }
    VoteSidebar Collapsible > Contents { padding: 0 0 0 2; }
    """

    board: reactive[VoteBoard] = reactive(VoteBoard, recompose=True)
    """The current turn's votes; set by the screen."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # What the user opened or closed, kept across recomposes: vote key -> expanded.
        self.expanded: dict[str, bool] = {}
        self._default_open = False  # how reasons start in the current composition

    def _roomy(self) -> bool:
        """Reasons open by themselves when every vote fits (about three lines each)."""
        height = self.size.height or 40
        return 6 + 3 * len(self.board.votes) + 2 * len(self.board.latest_label) <= height

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
        board = self.board
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
        for agent in board.agents:
            label = board.latest_label.get(agent)
            if label is None:
                continue
            votes = board.votes_for(agent)
            yield Static(Text(f"{label}  {board.name(agent)}  ▮ {len(votes)}"), classes="vs-answer")
            for vote in votes:
                title = "← you (human)" if vote.voter == "human" else f"← {board.name(vote.voter)}"
                key = f"{vote.voter}>{vote.target}:{vote.label}"
                with Collapsible(title=title, collapsed=not self.expanded.get(key, roomy), name=key):
                    yield Static(Text(vote.reason or "(no reason given)"))
        for agent in sorted(board.dropped):
            yield Static(Text(f"✗ {agent} dropped"), classes="vs-empty")
        if board.winner is not None:
            how = "picked by you" if board.how == "human" else board.how
            yield Static(Text(f"★ winner: {board.winner} ({how})"), classes="vs-winner", id="vote-winner")
            if board.tie:
                tied = ", ".join(board.tied)
                yield Static(Text(f"tie between {tied}: first in config order wins"), classes="vs-tie")
