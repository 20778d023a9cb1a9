"""The team at work: status line, earlier turns, the question, one pane per agent (compact rows
beyond 9, tabs when narrow), the vote sidebar and the final answer.

It applies engine events and knows nothing of the engine process: the live main screen and the
replay screen both compose it. Agent events go to the agent's pane whole (`AgentPane.apply`), so a
field shown in a pane is read where it is drawn.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical
from textual.content import Content
from textual.css.query import NoMatches
from textual.events import Resize
from textual.message import Message
from textual.widget import MountError
from textual.widgets import Static, Tab, Tabs

from mgtui.question_text import with_chips
from mgtui.tui.widgets.agent_pane import STATE_ICONS, AgentPane
from mgtui.tui.widgets.final_answer import FinalAnswerView
from mgtui.tui.widgets.status_bar import StatusBar
from mgtui.tui.widgets.turn_strip import TurnStrip
from mgtui.tui.widgets.vote_sidebar import VoteSidebar

if TYPE_CHECKING:
    from mgtui.engine.events import AnyEvent, TurnFinished, TurnStarted
    from mgtui.engine.turn_state import TurnState

NARROW_COLUMNS = 100  # below this, panes are stacked behind a selector
GRID_MAX = 9  # more agents than this are shown as compact rows
VOTES_TAB = "tab-votes"

# On the screens, not the view: the focus is usually in the prompt, outside it.
VIEW_BINDINGS = [
    Binding("alt+right", "focus_pane(1)", "Next agent", id="main.next_pane", tooltip="Focus the next agent pane"),
    Binding("alt+left", "focus_pane(-1)", "Prev agent", id="main.prev_pane", tooltip="Focus the previous agent pane"),
    Binding("ctrl+o", "toggle_maximize", "Maximise", id="main.maximize",
            tooltip="Maximise the focused agent pane, or restore the layout"),
    Binding("ctrl+g", "copy_final", "Copy answer", id="main.copy_final", tooltip="Copy the final answer to the clipboard"),
]


def dom_id(agent_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", agent_id)


def grid_shape(count: int) -> tuple[int, int]:
    """(columns, rows): 1-3 side by side, 4 as 2x2, 5-9 three to a row."""
    columns = count if count <= 3 else (2 if count == 4 else 3)
    return columns, max(1, math.ceil(count / max(columns, 1)))


def _relabel(tab: Tab, text: str) -> None:
    # Only on a real change: each new label re-runs the underline's animation.
    if str(tab.label) != text:
        tab.label = Content(text)


class TeamView(Vertical):
    @dataclass
    class Restored(Message):
        """A continued session's questions are back on screen (the prompt's Up recalls them)."""

        questions: list[str]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.panes: dict[str, AgentPane] = {}
        self._board: TurnState | None = None  # the turn on screen, folded by the one reducer
        self.running = False  # a turn is under way in what is shown
        self.ready = False  # every part mounted (the first frame holds only some)
        self.blind_mode = False  # the orchestrator's `blind` option: agentN until the consensus
        self.anon_ids: dict[str, str] = {}
        self.revealed = False
        self.session_dir: str | None = None  # the session shown: copies are saved there
        self.human_rule: Callable[[str, str], bool] | None = None  # the live screen's rule for v/d/x/r

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        yield Static("", id="question")
        with Horizontal(id="main-row"):
            yield Container(id="agents")

    async def mount_rest(self) -> None:
        """What the first frame leaves out (measured: a quarter of the time to that frame)."""
        await self.mount(TurnStrip(id="history"), before="#question")
        await self.mount(Tabs(id="pane-tabs"), after="#question")
        sidebar = VoteSidebar(id="votes")
        sidebar.can_act = self.can_act
        await self.query_one("#main-row").mount(sidebar)
        await self.mount(FinalAnswerView(id="final"))
        self.ready = True

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    @property
    def final_view(self) -> FinalAnswerView:
        return self.query_one(FinalAnswerView)

    @property
    def strip(self) -> TurnStrip:
        return self.query_one(TurnStrip)

    @property
    def turns(self) -> list[TurnState]:
        return self.strip.turns if self.ready else []

    @property
    def board(self) -> TurnState:
        """The turn on screen (made on first use: the reducer loads pydantic, not before the first frame)."""
        if self._board is None:
            self._board = self._new_board()
        return self._board

    def _new_board(self) -> TurnState:
        from mgtui.engine.turn_state import TurnState  # noqa: PLC0415

        if self._board is not None and self._board.turn:
            self.strip.archive(self._board)  # earlier turns go to the collapsed strip
        return TurnState(agents=list(self.panes))

    # -- layout -------------------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < NARROW_COLUMNS, "-narrow")
        self._apply_compact()

    def _apply_compact(self) -> None:
        """Beyond the 9-pane grid: one row per agent, the focused one expanded (not when
        narrow: there a selector shows one full pane at a time)."""
        compact = len(self.panes) > GRID_MAX and not self.has_class("-narrow")
        self.query_one("#agents").set_class(compact, "-compact")
        expanded = next((p for p in self.panes.values() if p.has_class("-expanded")), next(iter(self.panes.values()), None))
        for pane in self.panes.values():
            pane.set_compact(compact, pane is expanded)

    async def set_agents(self, agents: list[dict[str, str]]) -> None:
        """(Re)build the panes when the agent list changes; keep them when it does not."""
        wanted = [(a["id"], a.get("model", "")) for a in agents]
        if not self.is_attached or [(p.agent_id, p.model) for p in self.panes.values()] == wanted:
            return
        container = self.query_one("#agents", Container)
        # Awaited: the handler that calls this finishes (and the next event is handled) only
        # once the panes exist, so an event right after EngineReady always finds its pane.
        await container.remove_children()
        self.panes = {aid: AgentPane(aid, model, id=f"pane-{dom_id(aid)}") for aid, model in wanted}
        for pane in self.panes.values():
            pane.can_act, pane.name_of = self.can_act, self.display_name
        await container.mount_all(self.panes.values())
        columns, rows = grid_shape(len(wanted))
        container.styles.grid_size_columns = columns
        container.styles.grid_size_rows = rows
        self._apply_compact()
        tabs = self.query_one(Tabs)
        await tabs.clear()  # awaited: a tab of the same agent id is added again below (DuplicateIds)
        try:
            for aid, _ in wanted:
                tabs.add_tab(Tab(Content(aid), id=f"tab-{dom_id(aid)}"))
            tabs.add_tab(Tab("votes", id=VOTES_TAB))
        except MountError:
            return  # the screen is being torn down (quit right as the engine became ready)
        self._board = self._new_board()
        self.apply_names()
        self.query_one(VoteSidebar).board = self.board.snapshot()

    @on(Tabs.TabActivated, "#pane-tabs")
    def _select_tab(self, event: Tabs.TabActivated) -> None:
        """Narrow layout: show only the chosen pane (or the votes)."""
        chosen = event.tab.id if event.tab is not None else None
        for aid, pane in self.panes.items():
            pane.set_class(chosen == f"tab-{dom_id(aid)}", "-selected")
        self.set_class(chosen == VOTES_TAB, "-show-votes")

    # -- names: blind mode shows agent1…agentN until the consensus ---------------------------

    @property
    def blind(self) -> bool:
        return self.blind_mode and not self.revealed

    def display_name(self, agent: str) -> str:
        if not self.blind or agent not in self.panes:
            return agent
        return self.anon_ids.get(agent) or f"agent{list(self.panes).index(agent) + 1}"

    def apply_names(self, anon_ids: dict[str, str] | None = None, *, reveal: bool | None = None) -> None:
        """Name panes, tabs and the sidebar (anonymous while blind, real once revealed)."""
        if anon_ids is not None:
            self.anon_ids = dict(anon_ids)
        if reveal is not None:
            self.revealed = reveal
        for agent, pane in self.panes.items():
            pane.show_name(self.display_name(agent), hide_model=self.blind)
        self.board.names = {a: self.display_name(a) for a in self.panes} if self.blind else {}
        self.refresh_tabs()

    def refresh_tabs(self) -> None:
        """Narrow tabs: name, state icon and votes received, e.g. `beta ✓ ▮2`."""
        for agent, pane in self.panes.items():
            try:
                tab = self.query_one(f"#tab-{dom_id(agent)}", Tab)
            except NoMatches:
                continue
            _relabel(tab, f"{self.display_name(agent)} {STATE_ICONS.get(pane.state, '?')} ▮{len(self.board.votes_for(agent))}")
        try:
            _relabel(self.query_one(f"#{VOTES_TAB}", Tab), f"votes {self.board.voted_count}/{len(self.board.live)}")
        except NoMatches:
            pass

    def on_agent_pane_state_changed(self, message: AgentPane.StateChanged) -> None:
        message.stop()
        self.refresh_tabs()

    def _board_changed(self) -> None:
        self.board.names = {a: self.display_name(a) for a in self.panes} if self.blind else {}
        self.query_one(VoteSidebar).board = self.board.snapshot()
        self.refresh_tabs()

    # -- events ---------------------------------------------------------------------------

    def set_running(self, running: bool) -> None:
        self.running = running
        status = self.status
        status.engine = "busy" if running else ("ready" if status.engine == "busy" else status.engine)

    async def apply(self, event: AnyEvent) -> None:  # noqa: C901 - one case per event reads best
        """Show one engine event (live, replayed or restored)."""
        from mgtui.engine import events as ev  # noqa: PLC0415 - loaded by then; not before the first frame

        if not self.is_attached:  # the app is quitting (or this view was removed): nothing left to draw on
            return
        if isinstance(event, ev.TurnStarted) and event.turn != self.board.turn:
            self._board = self._new_board()
        board, status = self.board, self.status
        voters = list(board.votes)  # a reset without a list clears every vote standing now
        board.apply(event)
        match event:
            case ev.SessionStarted():
                status.session = event.session
                await self.set_agents(event.agents)
            case ev.TurnStarted():
                self._turn_started(event)
            case ev.TextDelta(phase="final"):
                self.final_view.append_text(event.delta)
            case ev.AnswerPosted() | ev.Ranking() | ev.AgentError(fatal=True):
                self._to_pane(event)
                self._board_changed()
            case ev.VoteCast():
                self._to_pane(event)
                if event.agent == "human":
                    status.detail = f"your vote: {self.display_name(event.target)}"
                self._board_changed()
            case ev.VotesReset():
                self._board_changed()
                for agent in event.cleared or voters:
                    if (pane := self.panes.get(agent)) is not None:
                        pane.vote_cleared(event.by)
            case ev.Consensus():
                self.apply_names(reveal=True)  # blind mode ends: models are shown with the winner
                self._board_changed()
                status.detail = f"{'council' if event.method == 'council' else 'consensus'}: {event.winner}"
            case ev.Hint():
                for agent in event.to:
                    if (pane := self.panes.get(agent)) is not None:
                        pane.hint(event.text)
                if not event.to:
                    self.notify("No agent was working: the hint reached nobody.", severity="warning")
                else:
                    status.detail = f"hint reached {', '.join(event.to)}"
            case ev.FinalStarted():
                self.final_view.start(event.agent, event.strategy)
            case ev.FinalAnswer():
                await self.final_view.show_answer(event.agent, event.content, list(event.files_written))
            case ev.TurnFinished():
                await self._turn_finished(event)
            case ev.WritesDecided():
                parts = (["wrote " + ", ".join(event.applied)] if event.applied else []) + (
                    ["left unchanged " + ", ".join(event.rejected)] if event.rejected else [])
                self.notify("; ".join(parts) or "nothing to write", title="Files")
                self.files_line("✎ " + ("; ".join(parts) or "nothing written"))
            case ev.SessionNotice():
                severity = {"warning": "warning", "error": "error"}.get(event.level, "information")
                self.notify(event.message, severity=severity)  # type: ignore[arg-type]
            case _:
                self._to_pane(event)

    def _to_pane(self, event: AnyEvent) -> None:
        if (pane := self.panes.get(getattr(event, "agent", ""))) is not None:
            pane.apply(event)

    def _turn_started(self, event: TurnStarted) -> None:
        turn, question, attachments = event.turn, event.question, list(event.attachments)
        self.set_running(True)
        self.status.turn = turn
        self.status.detail = ""
        self.query_one("#question", Static).update(Text(f"Q{turn}: {with_chips(question, attachments)}"))
        for pane in self.panes.values():
            pane.clear()
        self.apply_names(event.anonymous_ids, reveal=False)
        self._board_changed()
        self.final_view.reset()

    async def _turn_finished(self, event: TurnFinished) -> None:
        status, winner, final = event.status, event.winner, event.final_answer
        if final and not self.final_view.content:
            await self.final_view.show_answer(winner or "", final)
        for pane in self.panes.values():
            pane.finish_turn()
        self.final_view.finish(status, winner, event.duration_s, event.error)
        self.set_running(False)
        self.status.detail = status  # the bar already shows "turn N"

    def turn_failed(self, why: str) -> None:
        """The engine process died mid-turn: what is on screen stays, the turn is over."""
        self.board.status = "failed"
        for pane in self.panes.values():
            pane.finish_turn()
        self.final_view.finish("failed", None, 0.0, why)
        self.set_running(False)

    def files_line(self, text: str) -> None:
        """The final answer's files line says what really happened on disk."""
        for line in self.final_view.query(".final-files").results(Static):
            line.update(Text(text))

    # -- a continued session: earlier turns in the strip, the last one as it was left ---------

    @work(thread=True, exclusive=True, group="earlier-turns", name="read earlier turns")
    def load_earlier_turns(self, log_dir: str) -> None:
        from mgtui.tui.restore import read_session  # noqa: PLC0415 - pydantic, in this thread

        self.app.call_from_thread(self._show_earlier_turns, *read_session(log_dir))  # type: ignore[arg-type]  # awaited: Textual's stub says sync

    async def _show_earlier_turns(self, records: list[TurnState], last: list[AnyEvent] | None = None) -> None:
        from mgtui.terminal_text import safe_model  # noqa: PLC0415

        self.strip.clear()
        self.post_message(self.Restored([r.question for r in records]))
        last = last if not self.running else None  # a question asked at start already runs
        for record in records[:-1] if last else records:
            self.strip.archive(record)
        for event in last or []:  # the last turn is shown as it was left: panes, votes, final answer
            await self.apply(safe_model(event))

    # -- keys (bound on the screens) ------------------------------------------------------

    def can_act(self, agent: str, action: str) -> bool:
        if action == "copy_answer":
            pane = self.panes.get(agent)
            return pane is not None and bool(pane.latest_answer)
        return self.human_rule is not None and self.human_rule(agent, action)

    def on_agent_pane_action(self, message: AgentPane.Action) -> None:
        if message.action != "copy_answer":
            return  # the person's commands bubble on to the live screen
        message.stop()
        pane = self.panes.get(message.agent)
        if pane is not None and pane.latest_answer:
            self.copy_text(pane.latest_answer, f"{message.agent}'s answer")

    def focused_pane(self) -> AgentPane | None:
        focused = self.screen.focused
        while focused is not None and not isinstance(focused, AgentPane):
            focused = focused.parent  # type: ignore[assignment]
        return focused

    def focus_pane(self, step: int) -> None:
        panes = list(self.panes.values())
        if not panes:
            return
        screen = self.screen
        if isinstance(screen.maximized, AgentPane):  # move the maximised view to the next agent
            current = panes.index(screen.maximized) if screen.maximized in panes else 0
            target = panes[(current + step) % len(panes)]
            screen.maximized.set_live_markdown(False)
            screen.minimize()
            if screen.maximize(target, container=False):
                target.set_live_markdown(True)
            target.focus()
            return
        if self.has_class("-narrow"):  # the tab selector says which pane is current; the votes are a stop too
            tabs = self.query_one(Tabs)
            stops = [f"tab-{dom_id(p.agent_id)}" for p in panes] + [VOTES_TAB]
            current = stops.index(tabs.active) if tabs.active in stops else -1
            chosen = stops[(current + step) % len(stops)] if current >= 0 else stops[0 if step > 0 else -1]
            tabs.active = chosen
            pane = next((p for p in panes if chosen == f"tab-{dom_id(p.agent_id)}"), None)
            if pane is not None:
                self.call_after_refresh(pane.focus)
            return
        current = next((i for i, p in enumerate(panes) if p.has_focus or p.has_focus_within), -1)
        target = panes[(current + step) % len(panes)] if current >= 0 else panes[0 if step > 0 else -1]
        target.focus()

    def toggle_maximize(self) -> None:
        screen = self.screen
        if screen.maximized is not None:
            if isinstance(screen.maximized, AgentPane):
                screen.maximized.set_live_markdown(False)
            screen.minimize()
            return
        pane = self.focused_pane() or next(iter(self.panes.values()), None)
        if pane is not None and screen.maximize(pane, container=False):
            pane.set_live_markdown(True)

    def copy_final(self) -> None:
        if self.ready and self.final_view.content:
            self.copy_text(self.final_view.content, "final answer")

    def copy_text(self, text: str, what: str) -> None:
        from mgtui.tui.clipboard import copy_text  # noqa: PLC0415

        self.notify(copy_text(self.app, text, what, self.session_dir), title="Copy")
