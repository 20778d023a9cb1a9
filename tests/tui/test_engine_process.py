"""The app with a real engine process (python -m mgtui.engine.service) and real LiteLLM,
talking to the loopback model server."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path

from textual.message_pump import MessagePump
from textual.pilot import Pilot

from mgtui.engine.turn_lock import BUSY_MESSAGE, TurnLock
from mgtui.tui import messages as m
from mgtui.tui.app import MgtuiApp
from mgtui.tui.engine_client import EngineClient
from mgtui.tui.widgets.agent_pane import AgentPane
from mgtui.tui.widgets.final_answer import FinalAnswerView
from tests.conftest import make_config
from tests.support.model_server import ModelServer
from tests.support.replies import answer_then_vote, text
from tests.tui.engines import wait_until
from tests.tui.screen_text import drawn_text, toasts

ENGINE_TRIES = 4000  # polls of 25 ms: a cold engine imports LiteLLM (seconds on 2 cores)
AGENTS = ("alpha", "beta")


def write_config(server: ModelServer, folder: Path) -> str:
    path = folder / "config.yaml"
    path.write_text(json.dumps(make_config(server, AGENTS)), encoding="utf-8")  # JSON is YAML
    return str(path)


def script_answers(server: ModelServer) -> None:
    for name in AGENTS:
        server.script(name, answer_then_vote(f"{name} says 42.", vote_for="agent1", final="The answer is **42**."))


async def test_real_engine_shows_the_final_answer(model_server: ModelServer, tmp_path: Path) -> None:
    script_answers(model_server)
    app = MgtuiApp(config_path=write_config(model_server, tmp_path),
                   log_root=str(tmp_path / "logs"))  # the app's own engine process
    async with app.run_test(size=(140, 40)) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: screen.control.ready, ENGINE_TRIES)
        screen.post_message(m.PromptSubmitted("What is six times seven?"))
        await wait_until(pilot, lambda: screen.query_one(FinalAnswerView).status != "", ENGINE_TRIES)
        view = screen.query_one(FinalAnswerView)
        assert view.status == "ok"
        assert view.content == "The answer is **42**."
        assert screen.team.board.winner == "alpha"
        session = screen.team.status.session
        await app.action_quit()
    assert (tmp_path / "logs" / session / "events.jsonl").is_file()


async def test_engine_killed_mid_turn_then_next_question_works(model_server: ModelServer, tmp_path: Path) -> None:
    for name in AGENTS:  # stream a little, then hang until the engine is killed
        model_server.script(name, text("Let me think about this carefully. " * 4, chunk_size=8, fail_after=3, failure="hang"))
    app = MgtuiApp(config_path=write_config(model_server, tmp_path),
                   log_root=str(tmp_path / "logs"))  # the app's own engine process
    async with app.run_test(size=(140, 40)) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: screen.control.ready, ENGINE_TRIES)
        session = screen.team.status.session
        screen.post_message(m.PromptSubmitted("What is six times seven?"))
        await wait_until(pilot, lambda: screen.team.panes and screen.team.panes["alpha"].chars_received > 0, ENGINE_TRIES)

        engine = screen.control.engine
        assert isinstance(engine, EngineClient) and engine.pid is not None
        os.kill(engine.pid, signal.SIGKILL)
        await wait_until(pilot, lambda: screen.team.status.engine == "dead", ENGINE_TRIES)

        assert not screen.team.running
        assert screen.team.panes["alpha"].chars_received > 0  # what was shown stays
        assert any("engine process stopped" in n.message for n in app._notifications)
        assert screen.query_one(FinalAnswerView).status == "failed"

        script_answers(model_server)
        screen.post_message(m.PromptSubmitted("What is six times seven, again?"))  # starts a new engine
        await wait_until(pilot, lambda: screen.query_one(FinalAnswerView).content != "", ENGINE_TRIES)
        await wait_until(pilot, lambda: not screen.team.running, ENGINE_TRIES)
        assert screen.query_one(FinalAnswerView).status == "ok"
        assert screen.team.status.session == session  # the new engine resumed the same session
        await app.action_quit()


def recording_factory(log_root: Path, made: list[EngineClient]) -> Callable[[MessagePump, str | None, str | None], EngineClient]:
    """The app's real engine client, kept so a test can send what the screen would not."""

    def make(target: MessagePump, config_path: str | None, session_dir: str | None) -> EngineClient:
        made.append(EngineClient(target, config_path, session_dir, log_root=str(log_root)))
        return made[-1]

    return make


async def type_question(pilot: Pilot, question: str) -> None:
    """Type into the prompt once the engine has made the panes, and send."""
    await wait_until(pilot, lambda: len(pilot.app.screen.query(AgentPane)) == len(AGENTS), ENGINE_TRIES)
    await pilot.press(*["space" if c == " " else c for c in question], "enter")


async def test_an_ask_the_engine_refuses_as_busy_is_reported_not_sent(model_server: ModelServer, tmp_path: Path) -> None:
    """A second question while the engine runs a turn: the engine answers "busy" and the user
    is told it was not sent; the running turn goes on. Then an edit of the config file shows
    the engine's notice."""
    go = threading.Event()  # the models answer once the second question was refused
    for name in AGENTS:
        model_server.script(name, answer_then_vote(f"{name} says 42.", vote_for="agent1", final="The answer is **42**.", hold=go))
    config = Path(write_config(model_server, tmp_path))
    made: list[EngineClient] = []
    app = MgtuiApp(config_path=str(config), engine_factory=recording_factory(tmp_path / "logs", made))
    try:
        async with app.run_test(size=(140, 40), notifications=True) as pilot:
            await type_question(pilot, "What is six times seven?")
            await model_server.wait_until_async(lambda s: len(s.requests) >= 1)  # the engine runs the turn
            made[0].ask("And eight times nine?")
            await wait_until(pilot, lambda: "Not sent\na turn is running" in toasts(app), ENGINE_TRIES)
            go.set()
            await wait_until(pilot, lambda: "The answer is 42." in drawn_text(app.screen.query_one(FinalAnswerView)), ENGINE_TRIES)
            asked = [r.last_user_text for r in model_server.requests]
            assert asked and not any("eight times nine" in text for text in asked)

            for attempt in range(12):  # the watcher may have missed an early save: save again, changed
                config.write_text(json.dumps(make_config(model_server, AGENTS, turn_timeout_seconds=61 + attempt)), encoding="utf-8")
                with contextlib.suppress(AssertionError):
                    await wait_until(pilot, lambda: any("changed: applies from the next turn" in t for t in toasts(app)), 200)
                    break
            assert f"config {config} changed: applies from the next turn" in toasts(app)
            await app.action_quit()
    finally:
        go.set()


async def test_an_ask_waiting_for_the_session_is_reported_then_runs(model_server: ModelServer, tmp_path: Path) -> None:
    """Another process runs a turn of the session: the engine says so ("busy", waiting) and the
    user reads it; the question runs once the session is free."""
    script_answers(model_server)
    session_dir = tmp_path / "logs" / "20261125-120000-abcdef"
    session_dir.mkdir(parents=True)
    other = TurnLock(session_dir)  # stands in for another process's running turn
    await other.acquire(1, lambda _message: None)
    app = MgtuiApp(config_path=write_config(model_server, tmp_path), log_root=str(tmp_path / "logs"), session_dir=str(session_dir))
    try:
        async with app.run_test(size=(140, 40), notifications=True) as pilot:
            await type_question(pilot, "What is six times seven?")
            await wait_until(pilot, lambda: f"Waiting for the session\n{BUSY_MESSAGE}" in toasts(app), ENGINE_TRIES)
            assert not model_server.requests  # nothing runs while the other turn holds the session
            other.release()
            await wait_until(pilot, lambda: "The answer is 42." in drawn_text(app.screen.query_one(FinalAnswerView)), ENGINE_TRIES)
            await app.action_quit()
    finally:
        other.release()
