"""The mgtui App: themes, app-wide keys and commands, and the main screen.

Startup is kept light: nothing here imports the engine, pydantic models or LiteLLM
before the first frame. The config is located and the engine process started after it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path
from time import monotonic
from typing import TYPE_CHECKING

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Input, TextArea

from mgtui.tui import ui_state
from mgtui.tui.performance import strip_cycles
from mgtui.tui.screens.main import MainScreen
from mgtui.tui.screens.sessions import SessionScreensMixin
from mgtui.tui.themes import DEFAULT_THEME, load_themes

strip_cycles.install()

if TYPE_CHECKING:
    from textual.message_pump import MessagePump

    from mgtui.tui.engine_client import EngineFactory, EngineLike


def _engine_factory(log_root: str | None) -> EngineFactory:
    """The real engine process; its client module (and the messages) load when it starts."""

    def make(target: MessagePump, config_path: str | None, session_dir: str | None) -> EngineLike:
        from mgtui.tui.engine_client import EngineClient  # noqa: PLC0415

        return EngineClient(target, config_path, session_dir, log_root=log_root)

    return make


class MgtuiApp(SessionScreensMixin, App[None]):
    TITLE = "mgtui"
    # The main screen is the default screen, whose CSS_PATH Textual does not read (it does for
    # pushed screens): its own stylesheet is loaded here.
    CSS_PATH = [Path(__file__).parent / "screens" / name for name in ("team.tcss", "main.tcss")]  # absolute: subclasses live elsewhere
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True, tooltip="Quit (asks first while a turn runs)"),
        Binding("f1", "help", "Help", id="app.help", tooltip="Show every key"),
        # `?` is text in the prompt; it opens the help only when the prompt is empty and unfocused.
        Binding("question_mark", "help_key", "Help (outside the prompt)", id="app.help_key", show=False,
                tooltip="Show every key (outside the prompt)"),
        Binding("f3", "history", "History", id="app.history", show=False, tooltip="The turns of this session, with every answer and vote"),
        Binding("f4", "sessions", "Sessions", id="app.sessions", show=False, tooltip="Past sessions: replay, continue or analyse one"),
        Binding("f5", "log_analysis", "Analysis", id="app.log_analysis", show=False, tooltip="Numbers, vote flow and timeline of this session"),
    ]

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information", timeout: float | None = None, markup: bool = False) -> None:
        """Toasts carry engine errors, provider messages and file names: always plain text
        (`markup` is ignored: every widget's `notify` passes True, and `[/b]` broke a toast)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def action_help_quit(self) -> None:
        """Ctrl+C with no turn to cancel: say how to quit (Textual's own hint is markup)."""
        self.notify("Press ^q to quit the app", title="Do you want to quit?")

    def __init__(
        self,
        config: str | None = None,
        question: str | None = None,
        *,
        config_path: str | None = None,
        engine_factory: EngineFactory | None = None,
        log_root: str | None = None,
        cwd: Path | None = None,
        theme: str | None = None,
        session_dir: str | None = None,
        tune_gc: bool = False,
    ) -> None:
        super().__init__()
        self.tune_gc = tune_gc  # mgtui.tui.performance.gc_policy: for the app's own process, not tests
        self.last_key_at = float("-inf")  # full GC passes wait for a quiet keyboard (gc_policy)
        self.config_arg = config
        self.config_path = config_path  # an already located file: skips discovery
        self.cwd = cwd or Path.cwd()
        self.initial_question = question
        self.session_dir = session_dir  # a session to continue (the engine resumes it)
        self.engine_factory = engine_factory or _engine_factory(log_root)
        self.log_root = log_root
        self.config_problem: str | None = None  # why the config cannot be used (printed at exit)
        self._theme_name = theme or ui_state.saved_theme() or DEFAULT_THEME  # the last one chosen
        for loaded in load_themes():
            self.register_theme(loaded)
        if self._theme_name in self.available_themes:
            # Before the first stylesheet is built: set later, it would restyle every widget.
            self.theme = self._theme_name

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self._remember_theme)

    def _remember_theme(self, theme: object) -> None:
        name = getattr(theme, "name", None)
        if isinstance(name, str) and name != ui_state.saved_theme():
            ui_state.remember(theme=name)  # the next start uses it (a tiny file write)

    def get_default_screen(self) -> Screen:
        # The main screen is the first frame itself (no blank default screen drawn before it).
        config = self.config_path or self._config_path_resolver
        return MainScreen(self.engine_factory, config, self.initial_question, self.session_dir, tune_gc=self.tune_gc)

    async def _config_path_resolver(self) -> str | None:
        """Called by the main screen after the first frame: locate and validate the config in a
        thread (pydantic is not imported before that frame). When it cannot be used, say why and
        offer to edit it; None means no engine starts for now."""
        from mgtui.config.check import check_config
        from mgtui.tui.screens.config_problem import ConfigProblemScreen

        result = await asyncio.to_thread(check_config, self.config_arg, self.cwd)
        self.config_problem = result.problem
        if result.problem is None and result.path is not None:
            return str(result.path)
        self.push_screen(ConfigProblemScreen(result.problem or "no config found", result.path), self._config_fixed)
        return None

    async def _config_fixed(self, path: Path | None) -> None:
        """The config was edited and saved from the problem screen: check it again, then start."""
        if path is not None and (main := self._live_main()) is not None:
            self.config_arg = str(path)
            await main.control.start()

    def reload_config(self, config_path: str) -> None:
        """Apply another config file from the next turn on (for the config screens)."""
        if (main := self._live_main()) is not None:
            main.control.reload(config_path)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self.last_key_at = monotonic()
        await super().on_event(event)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "help_key":
            # `?` is text whenever the prompt holds some (a stray key goes there, see stray_keys).
            main = self._live_main()
            prompt_text = main.prompt_text() if main is not None else ""
            return not isinstance(self.focused, TextArea | Input) and not prompt_text.strip()
        return True

    def action_help(self) -> None:
        from mgtui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_help_key(self) -> None:
        self.action_help()

    async def action_quit(self) -> None:
        main = self._live_main()
        if main is None:  # a replay or no main screen: nothing runs that could be lost
            self.exit()
            return
        if main.team.running:
            from mgtui.tui.screens.confirm import ConfirmScreen

            self.push_screen(
                ConfirmScreen("A turn is running. Quit anyway? (it is cancelled; the log keeps what happened)",
                              yes="Quit", no="Stay"),
                self._quit_if,
            )
            return
        await self._stop_engine_and_exit()

    async def _quit_if(self, yes: bool | None) -> None:
        if yes:
            await self._stop_engine_and_exit()

    async def _stop_engine_and_exit(self) -> None:
        if (main := self._live_main()) is not None:
            main.control.cancel()
            await main.control.stop()
        self.exit()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title != "Keys":  # Textual's key panel: our help screen lists more
                yield command
        yield SystemCommand("Keys", "Every key of the app and of this screen (F1)", self.action_help)
        yield SystemCommand("History", "The turns of this session, with every answer and vote (F3)", self.action_history)
        yield SystemCommand("Sessions", "Past sessions: replay, continue or analyse one (F4)", self.action_sessions)
        yield SystemCommand("Session analysis", "Numbers, vote flow and timeline of this session (F5)",
                            self.action_log_analysis)
        yield SystemCommand("Evals", "Past mgtui eval runs: accuracy with intervals, cost, chart", self.action_evals)
        main = self._live_main()
        if main is None:
            return
        yield SystemCommand("Restart engine", "Stop the engine process and start a new one", main.action_restart_engine)
        pane = main.team.focused_pane()
        if pane is not None and main.control.pane_action_enabled(pane.agent_id, "decide"):
            yield SystemCommand("Pick this answer", f"{pane.agent_id}'s answer wins now; it presents the final answer (d)",
                                main.action_pick_focused)
        if main.team.ready and main.team.final_view.content:
            yield SystemCommand("Copy final answer", "Copy the last final answer to the clipboard", main.action_copy_final)
        if main.control.config_path:
            yield SystemCommand("Edit config", "Edit the active config; saved changes apply from the next turn",
                                self.action_edit_config)

    def action_edit_config(self) -> None:
        from mgtui.tui.screens.config_editor import ConfigEditorScreen

        main = self._live_main()
        if main is not None and main.control.config_path:
            self.push_screen(ConfigEditorScreen(Path(main.control.config_path)), self._config_saved)

    def _config_saved(self, path: Path | None) -> None:
        if path is not None:
            self.reload_config(str(path))
            self.notify(f"{path} saved: it applies from the next turn.", title="Config")

    def action_evals(self) -> None:
        from mgtui.tui.screens.evals import EvalScreen  # noqa: PLC0415 - off the first frame

        if not isinstance(self.screen, EvalScreen):
            self.push_screen(EvalScreen(self._sessions_root()))
