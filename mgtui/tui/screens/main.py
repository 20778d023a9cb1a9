"""The main screen: the team view (every agent, the votes, the final answer) and the prompt.

It owns the engine process through an `EngineControl` and hands each engine event to the
`TeamView`; widgets never talk to the engine.
"""

from __future__ import annotations

from contextlib import suppress
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.events import Key
from textual.screen import Screen
from textual.widget import MountError
from textual.widgets import Footer

from mgtui.tui import messages as m
from mgtui.tui.engine_control import ConfigResolver, EngineControl
from mgtui.tui.performance import gc_policy
from mgtui.tui.stray_keys import route_to_prompt
from mgtui.tui.widgets.agent_pane import AgentPane
from mgtui.tui.widgets.prompt_bar import PromptBar
from mgtui.tui.widgets.team_view import VIEW_BINDINGS, TeamView

if TYPE_CHECKING:
    from mgtui.tui.engine_client import EngineFactory


class MainScreen(Screen[None]):
    CSS_PATH = ["team.tcss", "main.tcss"]
    BINDING_GROUP_TITLE = "Main"
    BINDINGS = [
        # Priority so it wins over the prompt's copy key, but only while a turn runs (check_action).
        Binding("ctrl+c", "cancel_turn", "Cancel turn", id="main.cancel_turn", priority=True,
                tooltip="Stop the running turn; partial answers stay on screen"),
        *VIEW_BINDINGS,
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
        self.team = TeamView(id="team")
        self.control = EngineControl(self, self.team, engine_factory, config, question, session_dir)

    def compose(self) -> ComposeResult:
        # The first frame holds what a user reads and types into; the rest is mounted right
        # after it (_compose_rest): measured, it took a quarter of the time to the first frame.
        yield self.team
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
            await self.team.mount_rest()
            await self.mount(Footer())
        except (MountError, NoMatches):
            return  # the app is closing already
        if self.tune_gc:
            gc_policy.freeze_startup_objects()
            self._full_passes = gc_policy.FullPasses(lambda: getattr(self.app, "last_key_at", float("-inf")))
            self.set_interval(gc_policy.CHECK_SECONDS, self._full_passes.check)
        await self.control.start()

    async def on_key(self, event: Key) -> None:
        # A printable key nobody handled while the focus is off the prompt: type it there.
        with suppress(NoMatches):
            await route_to_prompt(self, self.query_one(PromptBar), event)

    def action_focus_prompt(self) -> None:
        self.query_one(PromptBar).focus()

    def prompt_text(self) -> str:
        try:
            return self.query_one(PromptBar).text
        except NoMatches:
            return ""

    # -- what the team view shows, and what follows from it here ------------------------------

    @on(m.EngineEvent)
    async def _engine_event(self, message: m.EngineEvent) -> None:
        from mgtui.engine.events import WritesProposed  # noqa: PLC0415 - loaded by the time events arrive

        was_running = self.team.running
        await self.team.apply(message.event)
        if isinstance(message.event, WritesProposed):
            self.control.review_writes(message.event)
        if self.team.running != was_running:
            self._running_changed()

    def _running_changed(self) -> None:
        running = self.team.running
        self.query_one(PromptBar).busy = running
        if self._full_passes is not None and not running:
            self.set_timer(gc_policy.IDLE_COLLECT_DELAY_S, self._collect_if_idle)
        self.refresh_bindings()

    def _collect_if_idle(self) -> None:
        """The full pass after a turn (skipped if the next one started meanwhile)."""
        if self._full_passes is not None and not self.team.running:
            self._full_passes.collect()

    @on(TeamView.Restored)
    def _restored(self, message: TeamView.Restored) -> None:
        self.query_one(PromptBar).history = message.questions

    @on(m.EngineReady)
    @on(m.EngineError)
    @on(m.EngineBusy)
    @on(m.EngineDied)
    async def _engine_news(self, message: m.EngineReady | m.EngineError | m.EngineBusy | m.EngineDied) -> None:
        await self.control.engine_news(message)
        self._running_changed()

    @on(m.PromptSubmitted)
    async def _prompt_submitted(self, message: m.PromptSubmitted) -> None:
        await self.control.submit(message)
        self._running_changed()

    @on(m.HintSubmitted)
    def _hint_submitted(self, message: m.HintSubmitted) -> None:
        self.control.hint(message.text)

    @on(AgentPane.Action)
    def _pane_action(self, message: AgentPane.Action) -> None:
        message.stop()
        self.control.pane_action(message.agent, message.action)

    # -- keys ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_turn":
            return self.control.can_cancel  # when idle, Ctrl+C falls through to copy
        if action == "copy_final":
            return (self.team.ready and bool(self.team.final_view.content)) or None
        return True

    def action_cancel_turn(self) -> None:
        self.control.cancel()
        self.refresh_bindings()  # a question taken back before it was sent: nothing left to cancel

    async def action_restart_engine(self) -> None:
        await self.control.restart()
        self._running_changed()

    def action_copy_final(self) -> None:
        self.team.copy_final()

    def action_focus_pane(self, step: int) -> None:
        self.team.focus_pane(step)

    def action_toggle_maximize(self) -> None:
        self.team.toggle_maximize()

    def action_pick_focused(self) -> None:
        """The palette's "Pick this answer": the focused pane's answer wins now."""
        pane = self.team.focused_pane()
        if pane is not None:
            pane.post_message(AgentPane.Action(pane.agent_id, "decide"))
