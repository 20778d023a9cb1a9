"""The engine process as the main screen sees it: start, stop, restart, ask (or keep the question
until it is ready), and the person's commands in a running turn (hints, votes, picks, drops,
restarts, reviewed writes). The screen owns one; the team view never talks to the engine.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from mgtui.tui import messages as m
from mgtui.tui.config_label import config_label

if TYPE_CHECKING:
    from textual.screen import Screen

    from mgtui.engine.events import AnyEvent
    from mgtui.tui.engine_client import EngineFactory, EngineLike
    from mgtui.tui.widgets.team_view import TeamView

ConfigResolver = Callable[[], Awaitable["str | None"]]
PANE_COMMANDS = ("vote", "decide", "drop", "restart")


class EngineControl:
    def __init__(self, screen: Screen[None], team: TeamView, factory: EngineFactory,
                 config: str | ConfigResolver | None, question: str | None, session_dir: str | None) -> None:
        self.screen = screen  # the engine's messages go to it
        self.team = team
        self.factory = factory
        self.config_path = config if isinstance(config, str) else None
        self._resolve_config = None if isinstance(config, str) else config
        self.engine: EngineLike | None = None
        self.session_dir = session_dir  # the engine resumes this session when set
        self._resume_dir: str | None = None  # what the current engine was asked to resume
        self._starting = False  # start is running (it awaits the config check)
        self.ready = False
        self._options: dict[str, object] = {}
        self.pending_question = question
        self.pending_write_paths: list[str] = []
        self.ask_typed: tuple[str, list[dict[str, object]]] | None = None  # typed question and attachments of the next ask
        team.human_rule = self.pane_action_enabled
        team.session_dir = session_dir

    @property
    def options(self) -> dict[str, object]:
        """Orchestrator settings the keys and names depend on (human, blind)."""
        return self._options

    @options.setter
    def options(self, value: dict[str, object]) -> None:
        self._options = value
        self.team.blind_mode = bool(value.get("blind"))

    @property
    def alive(self) -> bool:
        return self.engine is not None and self.engine.alive

    # -- lifecycle ------------------------------------------------------------------------
    async def start(self) -> None:
        if not self.team.ready or self._starting or self.alive:
            return  # before the screen is complete, it starts the engine itself; one start at a time
        self._starting = True
        try:
            await self._start()
        finally:
            self._starting = False

    async def _start(self) -> None:
        self.ready = False
        status = self.team.status
        if self.config_path is None and self._resolve_config is not None:
            self.config_path = await self._resolve_config()
            if not self.screen.is_attached:
                return  # the app quit while the config was checked
            if self.config_path is None:
                status.engine, status.detail = "stopped", "no usable config"
                return
        status.engine = "starting"
        self._resume_dir = self.session_dir
        self.engine = self.factory(self.screen, self.config_path, self.session_dir)
        await self.engine.start()

    async def stop(self) -> None:
        if self.engine is not None:
            await self.engine.stop()
        self.ready = False

    async def restart(self) -> None:
        await self.stop()
        self.team.set_running(False)
        await self.start()
        self.screen.notify("A new engine process is starting.", title="Engine")

    def reload(self, config_path: str) -> None:
        """Use another config from the next turn on (the engine applies it between turns)."""
        self.config_path = config_path
        if self.engine is not None and self.engine.alive:
            self.engine.reload(config_path)

    async def engine_news(self, message: m.EngineReady | m.EngineError | m.EngineBusy | m.EngineDied) -> None:
        """What the engine process says of itself (not turn events)."""
        team, status = self.team, self.team.status
        match message:
            case m.EngineReady():
                self.ready = True
                self.options = dict(message.options or {})
                status.config = config_label(self.config_path)
                if not team.running:
                    status.detail = ""  # "no usable config", "engine stopped (…)" no longer hold
                self.session_dir = team.session_dir = message.log_dir or self.session_dir
                status.engine = "busy" if team.running else "ready"
                resumed = bool(self._resume_dir) and message.session != status.session
                status.session = message.session
                if message.agents:
                    await team.set_agents(message.agents)
                if resumed:  # a continued session shows its past turns (once its panes exist)
                    team.load_earlier_turns(self._resume_dir)
                if self.pending_question:
                    question, self.pending_question = self.pending_question, None
                    self._ask(question, self.pending_write_paths)
                    self.pending_write_paths = []
            case m.EngineError():
                self.screen.notify(message.text, title="Engine", severity="error", timeout=10)
                if not self.ready:  # it could not open a session (bad config): nothing will run
                    status.engine = "stopped"
                status.detail = message.text.splitlines()[0]
            case m.EngineBusy(waiting=waiting):  # waiting: the question was taken; it starts when the other process's turn ends
                self.screen.notify(message.text, title="Waiting for the session" if waiting else "Not sent", severity="information" if waiting else "warning")
            case m.EngineDied():
                self.ready = False
                status.engine = "dead"
                code = "" if message.returncode is None else f" (exit code {message.returncode})"
                last = message.stderr_tail.strip().splitlines()[-1:] or [""]
                self.screen.notify(
                    f"The engine process stopped{code}. {last[0]}\nWhat is on screen and the session log are kept; "
                    "ask again or press Ctrl+R to start a new engine.",
                    title="Engine stopped", severity="error", timeout=15,
                )
                if team.running:
                    team.turn_failed("the engine process died")
                status.detail = f"engine stopped{code}"

    # -- questions ------------------------------------------------------------------------
    async def submit(self, message: m.PromptSubmitted) -> None:
        if self.team.running:
            self.screen.notify("A turn is running: wait for it, or press Ctrl+C to cancel it.", severity="warning")
            return
        # With attachments the log keeps the typed question and the files apart (turn_started).
        attachments = list(message.attachments)
        self.ask_typed = (message.typed or message.text, attachments) if attachments else None
        if self.alive and self.ready:
            self._ask(message.text, message.write_paths)
            return
        self.pending_question, self.pending_write_paths = message.text, list(message.write_paths)
        if self.alive:
            self.screen.notify("The engine is still starting; your question will be sent when it is ready.")
        else:
            await self.start()

    def _ask(self, question: str, write_paths: list[str] | None = None) -> None:
        assert self.engine is not None
        typed, self.ask_typed = self.ask_typed, None
        if typed is None:  # no files attached: the question is as typed
            self.engine.ask(question, write_paths or [])
        else:
            self.engine.ask(question, write_paths or [], typed=typed[0], attachments=typed[1])
        self.team.set_running(True)

    @property
    def can_cancel(self) -> bool:
        """A turn runs, or a question waits for the engine to be ready (Ctrl+C takes it back)."""
        return self.team.running or self.pending_question is not None

    def cancel(self) -> None:
        if self.pending_question is not None and not self.team.running:
            self._take_back_pending()
        elif self.engine is not None and self.team.running:
            self.engine.cancel()
            self.team.status.detail = "cancelling…"

    def _take_back_pending(self) -> None:
        """The question was never sent: it goes back into an empty prompt, as it was typed."""
        from mgtui.tui.widgets.prompt_bar import PromptBar  # noqa: PLC0415 - mounted by then

        typed = self.ask_typed[0] if self.ask_typed else self.pending_question or ""
        self.pending_question, self.pending_write_paths, self.ask_typed = None, [], None
        prompt = self.screen.query_one(PromptBar)
        back = not prompt.text.strip()
        if back:
            prompt.text = typed
        self.screen.notify("Not sent: the engine was still starting." + (" Your question is back in the prompt." if back else ""), title="Cancelled")

    # -- the person in the turn -------------------------------------------------------------
    def pane_action_enabled(self, agent: str, action: str) -> bool:
        board = self.team.board
        if not self.team.running or board.winner is not None:
            return False
        has_answer = agent in board.latest_label
        if action == "vote":
            return self.options.get("human") == "voter" and has_answer
        if action == "decide":
            return has_answer
        return agent not in board.dropped  # drop, restart

    def pane_action(self, agent: str, action: str) -> None:
        if action not in PANE_COMMANDS or not self.pane_action_enabled(agent, action) or not self.alive:
            return
        assert self.engine is not None
        self.engine.human(action, agent=agent)
        name = self.team.display_name(agent)  # blind mode: still agentN
        self.team.status.detail = {"vote": f"your vote: {name}", "decide": f"you picked {name}",
                                   "drop": f"dropping {name}", "restart": f"restarting {name}"}[action]

    def hint(self, text: str) -> None:
        team = self.team
        if not team.running or not self.alive:
            self.screen.notify("No turn is running: nothing to steer.", severity="warning")
            return
        if team.board.winner is not None:
            self.screen.notify("The coordination is over and the winner is presenting: the hint was not sent.", severity="warning")
            return
        from mgtui.engine.hints import split_address  # noqa: PLC0415 - pure text, no engine

        # `@agent2` as the answer labels (and blind mode) show it reaches that agent too.
        order = list(team.panes)
        aliases = {team.anon_ids.get(a) or f"agent{i}": a for i, a in enumerate(order, start=1)}
        text, to = split_address(text, order, aliases)
        if not text:
            return
        assert self.engine is not None
        self.engine.human("hint", text=text, to=to)
        team.status.detail = f"hint sent to {', '.join(to) if to else 'the agents still working'}"

    def review_writes(self, event: AnyEvent) -> None:
        """The presenter's changes to the user's files wait for the person's consent."""
        files = list(getattr(event, "files", None) or [])
        if not files:
            return
        from mgtui.tui.screens.writes_review import WritesReviewScreen  # noqa: PLC0415

        def decided(accept: list[str] | None) -> None:
            if self.engine is not None and self.engine.alive:
                self.engine.human("apply_writes", accept=list(accept or []))

        self.team.files_line("✎ proposed, waiting for your review: " + ", ".join(str(f.get("path", "")) for f in files))
        self.screen.app.push_screen(WritesReviewScreen(files), decided)
