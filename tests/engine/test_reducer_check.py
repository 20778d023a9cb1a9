"""MGTUI_CHECK_REDUCER (on for the whole suite, tests/conftest.py): every turn compares the
TurnState folded from its events with the engine's ledger and result; a difference fails
the turn loudly instead of becoming a quietly "failed" turn."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest

from mgtui.engine import reducer_check
from mgtui.engine.turn_state import TurnState
from tests.engine.scenario_support import ask_once, new_session, read_log
from tests.support import replies as R
from tests.support.model_server import ModelServer


def test_the_suite_runs_with_the_check_on() -> None:
    assert reducer_check.enabled()


async def test_a_reducer_that_drifts_fails_the_turn_loudly(model_server: ModelServer, agent_config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for agent in ("alpha", "beta"):
        model_server.script(agent, R.answer_then_vote("100 C"))
    monkeypatch.setattr(TurnState, "standing_tally", lambda self: {"alpha": 99})
    with pytest.raises(reducer_check.ReducerMismatch, match="tally"):
        await ask_once(agent_config(["alpha", "beta"]), tmp_path)


async def test_a_dropped_voter_loses_its_vote_in_both(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    model_server.script("alpha", R.answer_then_vote("100 C"))
    model_server.script("beta", R.answer_then_vote("100 degrees"))
    model_server.script("gamma", lambda req, i: R.Reply(**{**R.new_answer("never").__dict__, "hold": threading.Event()}))
    events: list[Any] = []
    session = new_session(agent_config(["alpha", "beta", "gamma"]), tmp_path, sink=events.append)
    try:
        turn = asyncio.create_task(session.ask("At what temperature does water boil?"))
        for _ in range(3000):  # alpha and beta hold standing votes; gamma is still thinking
            if session.turn_state is not None and {"alpha", "beta"} <= set(session.turn_state.votes):
                break
            await asyncio.sleep(0.02)
        assert session.drop_agent("beta")  # its standing vote goes (checked at its agent_error)
        assert session.drop_agent("gamma")  # alpha alone has voted: consensus
        result = await asyncio.wait_for(turn, 60)
    finally:
        session.close()
    assert [v["agent"] for v in result.votes] == ["alpha"]
    assert result.dropped == [{"agent": "beta", "reason": "dropped by the user"}, {"agent": "gamma", "reason": "dropped by the user"}]
    assert read_log(result).one("consensus").tally == {"alpha": 1, "beta": 0}  # beta answered, then voted, then left
