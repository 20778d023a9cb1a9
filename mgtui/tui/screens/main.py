"""The main screen: every agent side by side, the vote sidebar, the final answer, the prompt.

It owns the engine process (through an `EngineLike`), turns its messages into widget
updates, and keeps the per-turn state (`VoteBoard`). Widgets never talk to the engine.
"""

from __future__ import annotations

import math
from contextlib import suppress
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Key, Resize
from textual.screen import Screen
from textual.css.query import NoMatches
from textual.widget import MountError
from textual.widgets import Collapsible, Footer, Static, Tab, Tabs

from mgtui.question_text import one_line, with_chips
from mgtui.tui.performance import gc_policy
from mgtui.tui.stray_keys import route_to_prompt
from mgtui.tui.config_label import config_label
from mgtui.tui.screens.main_human import HumanControls
from mgtui.tui.screens.main_view import ViewControls
from mgtui.tui.restore import last_turn_events
from mgtui.tui.turn_records import TurnRecord, turns_from_log
from mgtui.tui.vote_board import VoteBoard
from mgtui.tui.widgets.agent_pane import AgentPane
from mgtui.tui.widgets.final_answer import FinalAnswerView
from mgtui.tui.widgets.prompt_bar import PromptBar
from mgtui.tui.widgets.status_bar import StatusBar
from mgtui.tui.widgets.vote_sidebar import VoteSidebar

if TYPE_CHECKING:
    from mgtui.tui import messages as m  # handlers are found by name: no import before the first frame
    from mgtui.tui.engine_client import EngineFactory, EngineLike

NARROW_COLUMNS = 100  # below this, panes are stacked behind a selector
GRID_MAX = 9  # more agents than this are shown as compact rows
VOTES_TAB = "tab-votes"
ConfigResolver = Callable[[], Awaitable["str | None"]]


def _dom_id(agent_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", agent_id)


def grid_shape(count: int) -> tuple[int, int]:
    """(columns, rows): 1-3 side by side, 4 as 2x2, 5-9 three to a row."""
    columns = count if count <= 3 else (2 if count == 4 else 3)
    return columns, max(1, math.ceil(count / max(columns, 1)))


class MainScreen(HumanControls, ViewControls, Screen[None]):
    CSS_PATH = "main.tcss"
    BINDING_GROUP_TITLE = "Main"
    BINDINGS = [
        # Priority so it wins over the prompt's copy key, but only while a turn runs (check_action).
        Binding("ctrl+c", "cancel_turn", "Cancel turn", id="main.cancel_turn", priority=True,
                tooltip="Stop the running turn; partial answers stay on screen"),
        Binding("alt+right", "focus_pane(1)", "Next agent", id="main.next_pane", tooltip="Focus the next agent pane"),
        Binding("alt+left", "focus_pane(-1)", "Prev agent", id="main.prev_pane", tooltip="Focus the previous agent pane"),
        Binding("ctrl+o", "toggle_maximize", "Maximise", id="main.maximize",
                tooltip="Maximise the focused agent pane, or restore the layout"),
        Binding("ctrl+g", "copy_final", "Copy answer", id="main.copy_final", tooltip="Copy the final answer to the clipboard"),
        Binding("ctrl+r", "restart_engine", "Restart engine", id="main.restart_engine",
                tooltip="Stop the engine process and start a new one (the session continues)"),
        Binding("escape", "focus_prompt", "Back to the prompt", id="main.focus_prompt", show=False,
                tooltip="Return the focus to the prompt from anywhere on this screen"),
    ]

    def __init__(
        self,
        engine_factory: EngineFactory,
        config: str | ConfigResolver | None,
        question: str | None = None,
        session_dir: str | None = None,
        *,
        tune_gc: bool = False,
    ) -> None:
        super().__init__()
        self.tune_gc = tune_gc  # the app's own process only (gc settings are process-wide)
        self._full_passes: gc_policy.FullPasses | None = None  # set with tune_gc once the screen is built
        self.engine_factory = engine_factory
        self.config_path = config if isinstance(config, str) else None
        self._resolve_config = None if isinstance(config, str) else config
        self.engine: EngineLike | None = None
        self.session_dir = session_dir  # the engine resumes this session when set
        self._resume_dir: str | None = None  # what the current engine was asked to resume
        self.screen_ready = False  # everything composed (the first frame shows only a part)
        self._starting = False  # start_engine is running (it awaits the config check)
        self.engine_ready = False
        self.turn_running = False
        self.pending_question = question
        self.pending_write_paths: list[str] = []
        self.panes: dict[str, AgentPane] = {}
        self.board = VoteBoard()
        self.engine_options: dict[str, object] = {}
        self.ask_extras: dict[str, object] = {}
        self.anon_ids: dict[str, str] = {}  # blind mode names (main_view.py)
        self.revealed = False  # typed question and attachments of the next ask  # orchestrator settings the keys depend on (human, blind)
        self.turns: list[TurnRecord] = []
        self._current: TurnRecord | None = None

    # -- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # The first frame holds what a user reads and types into; the rest is mounted right
        # after it (_compose_rest): measured, it took a quarter of the time to the first frame.
        yield StatusBar(id="status")
        yield Static("", id="question")
        with Horizontal(id="main-row"):
            yield Container(id="agents")
        with Vertical(id="prompt-area"):
            yield PromptBar(id="prompt")

    def on_mount(self) -> None:
        prompt = self.query_one(PromptBar)
        prompt.focus()
        # The first frame must not wait for the rest of the screen or for the engine. Asked of
        # the prompt: its queue runs this after its own children mount, so the frame has them.
        prompt.call_after_refresh(self._compose_rest)

    async def _compose_rest(self) -> None:
        """Mount what the first frame left out, then start the engine (its events need all of it)."""
        try:
            await self.mount(VerticalScroll(id="history"), before="#question")
            await self.mount(Tabs(id="pane-tabs"), after="#question")
            await self.query_one("#main-row").mount(VoteSidebar(id="votes"))
            await self.mount(FinalAnswerView(id="final"), before="#prompt-area")
            await self.mount(Footer())
        except (MountError, NoMatches):
            return  # the app is closing already
        self.screen_ready = True
        if self.tune_gc:
            gc_policy.freeze_startup_objects()
            self._full_passes = gc_policy.FullPasses(lambda: getattr(self.app, "last_key_at", float("-inf")))
            self.set_interval(gc_policy.CHECK_SECONDS, self._full_passes.check)
        await self.start_engine()

    def on_key(self, event: Key) -> None:
        # A printable key nobody handled while the focus is off the prompt: type it there.
        with suppress(NoMatches):
            route_to_prompt(self, self.query_one(PromptBar), event)

    def action_focus_prompt(self) -> None:
        self.query_one(PromptBar).focus()

    def prompt_text(self) -> str:
        try:
            return self.query_one(PromptBar).text
        except NoMatches:
            return ""

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

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    @property
    def final_view(self) -> FinalAnswerView:
        return self.query_one(FinalAnswerView)

    @property
    def sidebar(self) -> VoteSidebar:
        return self.query_one(VoteSidebar)

    async def _set_agents(self, agents: list[dict[str, str]]) -> None:
        """(Re)build the panes when the agent list changes; keep them when it does not."""
        wanted = [(a["id"], a.get("model", "")) for a in agents]
        if [(p.agent_id, p.model) for p in self.panes.values()] == wanted:
            return
        container = self.query_one("#agents", Container)
        # Awaited: the handler that calls this finishes (and the next event is handled) only
        # once the panes exist, so an event right after EngineReady always finds its pane.
        await container.remove_children()
        self.panes = {aid: AgentPane(aid, model, id=f"pane-{_dom_id(aid)}") for aid, model in wanted}
        await container.mount_all(self.panes.values())
        columns, rows = grid_shape(len(wanted))
        container.styles.grid_size_columns = columns
        container.styles.grid_size_rows = rows
        self._apply_compact()
        tabs = self.query_one(Tabs)
        tabs.clear()
        try:
            for aid, _ in wanted:
                tabs.add_tab(Tab(Content(aid), id=f"tab-{_dom_id(aid)}"))
            tabs.add_tab(Tab("votes", id=VOTES_TAB))
        except MountError:
            return  # the screen is being torn down (quit right as the engine became ready)
        self.board = VoteBoard(agents=[aid for aid, _ in wanted])
        self.apply_names()
        self.sidebar.board = self.board.snapshot()

    @on(Tabs.TabActivated, "#pane-tabs")
    def _select_tab(self, event: Tabs.TabActivated) -> None:
        """Narrow layout: show only the chosen pane (or the votes)."""
        chosen = event.tab.id if event.tab is not None else None
        for aid, pane in self.panes.items():
            pane.set_class(chosen == f"tab-{_dom_id(aid)}", "-selected")
        self.set_class(chosen == VOTES_TAB, "-show-votes")

    def _pane(self, agent: str) -> AgentPane | None:
        return self.panes.get(agent)

    def _board_changed(self) -> None:
        self.board.names = {a: self.display_name(a) for a in self.panes} if self.blind else {}
        self.sidebar.board = self.board.snapshot()
        self.refresh_tabs()

    def _collect_if_idle(self) -> None:
        """The full pass after a turn (skipped if the next one started meanwhile)."""
        if self._full_passes is not None and not self.turn_running:
            self._full_passes.collect()

    def _set_running(self, running: bool) -> None:
        if self._full_passes is not None and self.turn_running and not running:
            self.set_timer(gc_policy.IDLE_COLLECT_DELAY_S, self._collect_if_idle)
        self.turn_running = running
        self.query_one(PromptBar).busy = running
        self.status.engine = "busy" if running else ("ready" if self.engine_ready else self.status.engine)
        self.refresh_bindings()

    # -- engine lifecycle -----------------------------------------------------------------

    async def start_engine(self) -> None:
        if not self.screen_ready or self._starting or (self.engine is not None and self.engine.alive):
            return  # before the screen is complete, _compose_rest starts it; one start at a time
        self._starting = True
        try:
            await self._start_engine()
        finally:
            self._starting = False

    async def _start_engine(self) -> None:
        self.engine_ready = False
        if self.config_path is None and self._resolve_config is not None:
            self.config_path = await self._resolve_config()
            if not self.is_attached:
                return  # the app quit while the config was checked
            if self.config_path is None:
                self.status.engine = "stopped"
                self.status.detail = "no usable config"
                return
        self.status.engine = "starting"
        self._resume_dir = self.session_dir
        self.engine = self.engine_factory(self, self.config_path, self.session_dir)
        await self.engine.start()

    async def stop_engine(self) -> None:
        if self.engine is not None:
            await self.engine.stop()
        self.engine_ready = False

    def reload_config(self, config_path: str) -> None:
        """Use another config from the next turn on (the engine applies it between turns)."""
        self.config_path = config_path
        if self.engine is not None and self.engine.alive:
            self.engine.reload(config_path)

    async def on_engine_ready(self, message: m.EngineReady) -> None:
        self.engine_ready = True
        self.engine_options = dict(getattr(message, "options", None) or {})
        self.status.config = config_label(self.config_path)
        if not self.turn_running:
            self.status.detail = ""  # "no usable config", "engine stopped (…)" no longer hold
        self.session_dir = message.log_dir or self.session_dir
        self.status.engine = "busy" if self.turn_running else "ready"
        if self._resume_dir and message.session != self.status.session:
            self._load_earlier_turns(self._resume_dir)  # a continued session shows its past turns
        self.status.session = message.session
        if message.agents:
            await self._set_agents(message.agents)
        if self.pending_question:
            question, self.pending_question = self.pending_question, None
            self._ask(question, self.pending_write_paths)
            self.pending_write_paths = []

    def on_engine_error(self, message: m.EngineError) -> None:
        self.notify(message.text, title="Engine", severity="error", timeout=10)
        if not self.engine_ready:  # it could not open a session (bad config): nothing will run
            self.status.engine = "stopped"
        self.status.detail = message.text.splitlines()[0]

    def on_engine_busy(self, message: m.EngineBusy) -> None:
        if message.waiting:  # the question was taken; it starts when the other process's turn ends
            self.notify(message.text, title="Waiting for the session", severity="information")
            return
        self.notify(message.text, title="Not sent", severity="warning")

    def on_engine_died(self, message: m.EngineDied) -> None:
        self.engine_ready = False
        self.status.engine = "dead"
        code = "" if message.returncode is None else f" (exit code {message.returncode})"
        last = message.stderr_tail.strip().splitlines()[-1:] or [""]
        self.notify(
            f"The engine process stopped{code}. {last[0]}\nWhat is on screen and the session log are kept; "
            "ask again or press Ctrl+R to start a new engine.",
            title="Engine stopped",
            severity="error",
            timeout=15,
        )
        if self.turn_running:
            if self._current is not None:
                self._current.status = "failed"
            for pane in self.panes.values():
                pane.finish_turn()
            self.final_view.finish("failed", None, 0.0, "the engine process died")
            self._set_running(False)
        self.status.detail = f"engine stopped{code}"

    async def action_restart_engine(self) -> None:
        await self.stop_engine()
        self._set_running(False)
        await self.start_engine()
        self.notify("A new engine process is starting.", title="Engine")

    # -- questions ----------------------------------------------------------------------

    async def on_prompt_submitted(self, message: m.PromptSubmitted) -> None:
        if self.turn_running:
            self.notify("A turn is running: wait for it, or press Ctrl+C to cancel it.", severity="warning")
            return
        # With attachments the log keeps the typed question and the files apart (turn_started).
        attachments = list(getattr(message, "attachments", None) or [])
        self.ask_extras = {"typed": message.typed or message.text, "attachments": attachments} if attachments else {}
        if self.engine is None or not self.engine.alive:
            self.pending_question = message.text
            self.pending_write_paths = list(message.write_paths)
            await self.start_engine()
            return
        if not self.engine_ready:
            self.pending_question = message.text
            self.pending_write_paths = list(message.write_paths)
            self.notify("The engine is still starting; your question will be sent when it is ready.")
            return
        self._ask(message.text, message.write_paths)

    def _ask(self, question: str, write_paths: list[str] | None = None) -> None:
        assert self.engine is not None
        extras, self.ask_extras = self.ask_extras, {}
        if extras:
            self.engine.ask(question, write_paths or [], **extras)  # type: ignore[call-arg]
        else:
            self.engine.ask(question, write_paths or [])
        self._set_running(True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_turn":
            return self.turn_running  # when idle, Ctrl+C falls through to copy
        if action == "copy_final":
            return (self.screen_ready and bool(self.final_view.content)) or None
        return True

    def action_cancel_turn(self) -> None:
        if self.engine is not None and self.turn_running:
            self.engine.cancel()
            self.status.detail = "cancelling…"

    def action_copy_final(self) -> None:
        if self.final_view.content:
            self.copy_text(self.final_view.content, "final answer")

    def action_focus_pane(self, step: int) -> None:
        panes = list(self.panes.values())
        if not panes:
            return
        if isinstance(self.maximized, AgentPane):  # move the maximised view to the next agent
            current = panes.index(self.maximized) if self.maximized in panes else 0
            target = panes[(current + step) % len(panes)]
            self.maximized.set_live_markdown(False)
            self.minimize()
            if self.maximize(target, container=False):
                target.set_live_markdown(True)
            target.focus()
            return
        if self.has_class("-narrow"):  # the tab selector says which pane is current; the votes are a stop too
            tabs = self.query_one(Tabs)
            stops = [f"tab-{_dom_id(p.agent_id)}" for p in panes] + [VOTES_TAB]
            current = stops.index(tabs.active) if tabs.active in stops else -1
            chosen = stops[(current + step) % len(stops)] if current >= 0 else stops[0 if step > 0 else -1]
            tabs.active = chosen
            pane = next((p for p in panes if chosen == f"tab-{_dom_id(p.agent_id)}"), None)
            if pane is not None:
                self.call_after_refresh(pane.focus)
            return
        current = next((i for i, p in enumerate(panes) if p.has_focus or p.has_focus_within), -1)
        target = panes[(current + step) % len(panes)] if current >= 0 else panes[0 if step > 0 else -1]
        target.focus()

    def action_toggle_maximize(self) -> None:
        if self.maximized is not None:
            if isinstance(self.maximized, AgentPane):
                self.maximized.set_live_markdown(False)
            self.minimize()
            return
        pane = next((p for p in self.panes.values() if p.has_focus or p.has_focus_within), None)
        pane = pane or next(iter(self.panes.values()), None)
        if pane is not None and self.maximize(pane, container=False):
            pane.set_live_markdown(True)

    # -- engine events ------------------------------------------------------------------

    async def on_session_started(self, message: m.SessionStarted) -> None:
        self.status.session = message.session
        await self._set_agents(message.agents)

    def on_turn_started(self, message: m.TurnStarted) -> None:
        if self._current is not None and self._current.turn != message.turn:
            self._archive(self._current)
        self._current = TurnRecord(message.turn, message.question, "", "", None)
        self._set_running(True)
        self.status.turn = message.turn
        self.status.detail = ""
        self.query_one("#question", Static).update(Text(f"Q{message.turn}: {with_chips(message.question, message.attachments)}"))
        for pane in self.panes.values():
            pane.clear()
        self.board = VoteBoard(agents=list(self.panes))
        self.apply_names(message.anonymous_ids, reveal=False)
        self._board_changed()
        self.final_view.reset()

    @work(thread=True, exclusive=True, group="earlier-turns", name="read earlier turns")
    def _load_earlier_turns(self, log_dir: str) -> None:
        records = [r for r in turns_from_log(Path(log_dir) / "events.jsonl") if r.status]
        last = last_turn_events(log_dir)
        self.app.call_from_thread(self._show_earlier_turns, records, last)

    def _show_earlier_turns(self, records: list[TurnRecord], last: list[object] | None = None) -> None:
        self.query_one("#history", VerticalScroll).remove_children()
        self.turns.clear()
        self.query_one(PromptBar).history = [r.question for r in records]  # Up recalls them
        last = last if not self.turn_running else None  # a question asked at start already runs
        for record in records[:-1] if last else records:
            self._archive(record)
        if last:  # the last turn is shown as it was left: panes, votes, final answer
            from mgtui.tui import messages as msgs  # noqa: PLC0415

            for event in last:
                msgs.post_event(self, event)  # type: ignore[arg-type]

    def _archive(self, record: TurnRecord) -> None:
        """Earlier turns go to the collapsed strip at the top."""
        self.turns.append(record)
        strip = self.query_one("#history", VerticalScroll)
        strip.add_class("-shown")
        title = f"turn {record.turn} · {record.status or 'unfinished'}"
        if record.winner:
            title += f" · {record.winner}"
        title += f" · {one_line(record.question, 60)}"
        from textual.widgets import Markdown

        body = Markdown(record.final or "_(no final answer)_")
        strip.mount(Collapsible(body, title=Content(title), collapsed=True))
        strip.scroll_end(animate=False)

    def on_agent_started(self, message: m.AgentStarted) -> None:
        if (pane := self._pane(message.agent)) is None:
            return
        if message.reason == "present":
            pane.present()
            return
        pane.start_run(message.reason, message.attempt, message.round, message.vote_only)

    def on_agent_text(self, message: m.AgentText) -> None:
        if message.reasoning:
            if (pane := self._pane(message.agent)) is not None:
                pane.append_thinking(message.delta)
        elif message.final:
            self.final_view.append_text(message.delta)
        elif (pane := self._pane(message.agent)) is not None:
            pane.append_text(message.delta)

    def on_tool_call_msg(self, message: m.ToolCallMsg) -> None:
        if (pane := self._pane(message.agent)) is not None:
            pane.tool_call(message.call_id, message.name, message.arguments)

    def on_tool_result_msg(self, message: m.ToolResultMsg) -> None:
        if (pane := self._pane(message.agent)) is not None:
            pane.tool_result(message.call_id, message.name, message.result, message.error)

    def on_hook_ran(self, message: m.HookRan) -> None:
        # Only hooks that changed something are worth a line in the pane.
        if message.outcome != "allow" and (pane := self._pane(message.agent)) is not None:
            detail = f": {message.detail}" if message.detail else ""
            pane.note(f"{message.hook} hook {message.outcome} {message.tool}{detail}",
                      "-error" if message.outcome in ("deny", "failed") else "-warning")

    def on_answer_posted(self, message: m.AnswerPosted) -> None:
        if (pane := self._pane(message.agent)) is not None:
            pane.show_answer(message.label, message.content, message.fallback)
        self.board.answer(message.agent, message.label)
        self._board_changed()

    def on_vote_cast(self, message: m.VoteCast) -> None:
        if (pane := self._pane(message.agent)) is not None:
            pane.show_vote(self.display_name(message.target), message.label, message.reason, message.fallback)
        elif message.agent == "human":
            self.status.detail = f"your vote: {self.display_name(message.target)}"
        self.board.vote(message.agent, message.target, message.label, message.reason)
        self._board_changed()

    def on_vote_ignored(self, message: m.VoteIgnored) -> None:
        if (pane := self._pane(message.agent)) is not None:
            pane.note(f"vote for {message.target} not counted: {message.why}", "-warning")

    def on_votes_reset(self, message: m.VotesReset) -> None:
        cleared = message.cleared or list(self.board.votes)
        self.board.reset(message.by, message.cleared)
        self._board_changed()
        for agent in cleared:
            if (pane := self._pane(agent)) is not None:
                pane.note(f"↺ vote cleared: new answer by {message.by}", "-warning")
                if pane.state == "voted":
                    pane.state = "answered" if pane.label else "waiting"

    def on_agent_errored(self, message: m.AgentErrored) -> None:
        if (pane := self._pane(message.agent)) is not None:
            pane.note(("dropped: " if message.fatal else "error: ") + message.error, "-error")
            pane.state = "dropped" if message.fatal else "error"
        if message.fatal:
            self.board.drop(message.agent, message.error)
            self._board_changed()

    def on_agent_stopped(self, message: m.AgentStopped) -> None:
        # A restart is announced by the next run's separator line; other stops get a note.
        if (pane := self._pane(message.agent)) is not None and message.why and not message.why.startswith("restarted"):
            pane.note(f"■ {message.why}")

    def on_usage_reported(self, message: m.UsageReported) -> None:
        if (pane := self._pane(message.agent)) is not None:
            pane.tokens += message.prompt_tokens + message.completion_tokens

    def on_consensus_reached(self, message: m.ConsensusReached) -> None:
        self.board.decide(message.winner, message.tally, message.tie, message.tied, message.how, message.method, message.aggregate_rank)
        self.apply_names(reveal=True)  # blind mode ends: models are shown with the winner
        self._board_changed()
        self.status.detail = f"{'council' if message.method == 'council' else 'consensus'}: {message.winner}"

    def on_ranking_posted(self, message: m.RankingPosted) -> None:
        if (pane := self._pane(message.agent)) is not None:
            pane.show_ranking([self.display_name(a) for a in message.order])
        self.board.rank(message.agent, message.order, message.reasons)
        self._board_changed()

    def on_final_started(self, message: m.FinalStarted) -> None:
        self.final_view.start(message.agent, message.strategy)

    async def on_final_answer(self, message: m.FinalAnswer) -> None:
        if self._current is not None:
            self._current.final = message.content
        await self.final_view.show_answer(message.agent, message.content, message.files_written)

    async def on_turn_finished(self, message: m.TurnFinished) -> None:
        if self._current is not None:
            self._current.status = message.status
            self._current.winner = message.winner
            self._current.final = self._current.final or (message.final_answer or "")
        if message.final_answer and not self.final_view.content:
            await self.final_view.show_answer(message.winner or "", message.final_answer)
        for pane in self.panes.values():
            pane.finish_turn()
        self.final_view.finish(message.status, message.winner, message.duration_s, message.error)
        self._set_running(False)
        self.status.detail = message.status  # the bar already shows "turn N"
        self.refresh_bindings()

    def on_engine_notice(self, message: m.EngineNotice) -> None:
        severity = {"warning": "warning", "error": "error"}.get(message.level, "information")
        self.notify(message.text, severity=severity)  # type: ignore[arg-type]
