"""The app with a real engine process (python -m mgtui.engine.service) and real LiteLLM,
talking to the loopback model server."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

from mgtui.tui import messages as m
from mgtui.tui.app import MgtuiApp
from mgtui.tui.engine_client import EngineClient
from mgtui.tui.widgets.final_answer import FinalAnswerView
from tests.conftest import make_config
from tests.support.model_server import ModelServer
from tests.support.replies import answer_then_vote, text
from tests.tui.engines import wait_until

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
