"""How the main screen names and labels agents: blind mode (agent1…agentN until the
consensus, for people who want to judge answers, not brands) and narrow-mode tabs that show
each agent's state and vote count.
"""

from __future__ import annotations

import re
from typing import Any

from textual.content import Content
from textual.css.query import NoMatches
from textual.widgets import Tab

from mgtui.tui.widgets.agent_pane import STATE_ICONS, AgentPane


def _dom_id(agent_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", agent_id)


def _relabel(tab: Tab, text: str) -> None:
    # Only on a real change: each new label re-runs the underline's animation.
    if str(tab.label) != text:
        tab.label = Content(text)


class ViewControls:
    """Mixed into MainScreen (which provides panes, board, engine_options, sidebar)."""

    anon_ids: dict[str, str]
    revealed: bool

    @property
    def blind(self) -> bool:
        return bool(getattr(self, "engine_options", {}).get("blind")) and not self.revealed

    def display_name(self, agent: str) -> str:
        screen: Any = self
        if not self.blind or agent not in screen.panes:
            return agent
        order = list(screen.panes)
        return self.anon_ids.get(agent) or f"agent{order.index(agent) + 1}"

    def apply_names(self, anon_ids: dict[str, str] | None = None, *, reveal: bool | None = None) -> None:
        """Name panes, tabs and the sidebar (anonymous while blind, real once revealed)."""
        screen: Any = self
        if anon_ids is not None:
            self.anon_ids = dict(anon_ids)
        if reveal is not None:
            self.revealed = reveal
        for agent, pane in screen.panes.items():
            pane.show_name(self.display_name(agent), hide_model=self.blind)
        screen.board.names = {a: self.display_name(a) for a in screen.panes} if self.blind else {}
        self.refresh_tabs()

    def refresh_tabs(self) -> None:
        """Narrow tabs: name, state icon and votes received, e.g. `beta ✓ ▮2`."""
        screen: Any = self
        board = screen.board
        for agent, pane in screen.panes.items():
            try:
                tab = screen.query_one(f"#tab-{_dom_id(agent)}", Tab)
            except NoMatches:
                continue
            votes = len(board.votes_for(agent))
            _relabel(tab, f"{self.display_name(agent)} {STATE_ICONS.get(pane.state, '?')} ▮{votes}")
        try:
            _relabel(screen.query_one("#tab-votes", Tab), f"votes {board.voted_count}/{len(board.live)}")
        except NoMatches:
            pass

    def on_agent_pane_state_changed(self, message: AgentPane.StateChanged) -> None:
        message.stop()
        self.refresh_tabs()
