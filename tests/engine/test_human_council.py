"""The person in a council turn (merge of issue 16 with council mode): a hint reaches the
stages still to come, decide ends the council with the person's pick, a user drop is listed
among the dropped, votes and restarts are refused."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from tests.engine.scenario_support import new_session, read_log
from tests.engine.test_council import council_member
from tests.engine.test_human import HINT, held, until, with_hint
from tests.support import replies as R
from tests.support.model_server import ModelServer

QUESTION = "At what temperature does water boil?"


async def test_council_hint_reaches_the_ranking_and_vote_restart_are_refused(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    gate = threading.Event()
    beta = council_member("100 degrees, says beta.", ["agent2", "agent1"])
    model_server.script("alpha", council_member("100 C, says alpha.", ["agent1", "agent2"], final="100 C (chair)."))
    model_server.script("beta", lambda req, i: held(beta(req, i), gate) if i == 0 else beta(req, i))
    events: list[Any] = []
    session = new_session(agent_config(["alpha", "beta"], coordination="council"), tmp_path, sink=events.append)
    try:
        turn = asyncio.create_task(session.ask(QUESTION))
        await until(events, lambda e: e.type == "answer" and e.agent == "alpha")
        await model_server.wait_until_async(lambda s: len(s.requests_for("beta")) == 1)
        assert session.hint(HINT)
        await until(events, lambda e: e.type == "hint")
        session.human_vote("alpha", "mine")
        session.restart_agent("alpha")
        await until(events, lambda e: e.type == "notice" and "council" in e.message and "restart" in e.message)
        gate.set()
        result = await asyncio.wait_for(turn, 60)
    finally:
        gate.set()
        session.close()
    log = read_log(result)
    assert log.one("hint").to == ["alpha", "beta"]
    for agent in ("alpha", "beta"):
        (rank,) = [r for r in model_server.requests_for(agent) if "rank" in r.tool_names]
        assert with_hint(rank)
    assert not any(e.agent == "human" for e in log.of("vote"))
    assert log.one("consensus").method == "council" and result.status == "ok"


async def test_council_decide_and_drop(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    never = threading.Event()
    model_server.script("alpha", council_member("100 C, says alpha.", [], final="100 C (presented by the pick)."))
    model_server.script("beta", lambda req, i: held(R.new_answer("never"), never))
    model_server.script("gamma", lambda req, i: held(R.new_answer("never"), never))
    events: list[Any] = []
    session = new_session(agent_config(["alpha", "beta", "gamma"], coordination="council"), tmp_path, sink=events.append)
    try:
        turn = asyncio.create_task(session.ask(QUESTION))
        await until(events, lambda e: e.type == "answer" and e.agent == "alpha")
        assert session.drop_agent("gamma")
        await until(events, lambda e: e.type == "agent_error" and e.agent == "gamma")
        assert session.decide("alpha")
        result = await asyncio.wait_for(turn, 60)
    finally:
        never.set()
        session.close()
    log = read_log(result)
    consensus = log.one("consensus")
    assert (consensus.winner, consensus.by, consensus.how, consensus.method) == ("alpha", "human", "human", "council")
    assert (result.status, result.final_answer) == ("ok", "100 C (presented by the pick).")
    assert result.dropped == [{"agent": "gamma", "reason": "dropped by the user"}]
