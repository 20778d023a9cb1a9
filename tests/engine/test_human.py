"""The person in the turn, end to end through real LiteLLM and the loopback server: hints
reach the agents still working, a human vote counts and is reset, a decision ends the
coordination, agents are dropped or restarted by hand."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from mgtui.engine.hints import HINT_MARK, split_address
from mgtui.engine.session import Session
from tests.engine.scenario_support import new_session, read_log
from tests.support import replies as R
from tests.support.model_server import ModelServer

QUESTION = "At what temperature does water boil?"
HINT = "Answer in degrees Celsius."


def held(reply: R.Reply, gate: threading.Event) -> R.Reply:
    return R.Reply(**{**reply.__dict__, "hold": gate})


async def until(events: list[Any], predicate, tries: int = 4500) -> None:
    for _ in range(tries):
        if any(predicate(e) for e in events):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"never seen; last events: {[e.type for e in events[-10:]]}")


def with_hint(request: R.RecordedRequest) -> bool:
    return any(HINT_MARK in (m.get("content") or "") and HINT in (m.get("content") or "")
               for m in request.messages if m.get("role") == "user")


async def start(session: Session) -> asyncio.Task[Any]:
    return asyncio.create_task(session.ask(QUESTION))


def test_split_address_only_names_agents() -> None:
    assert split_address("@beta use SI", ["alpha", "beta"]) == ("use SI", ["beta"])
    assert split_address("@nobody use SI", ["alpha", "beta"]) == ("@nobody use SI", None)
    assert split_address("  just this ", ["alpha"]) == ("just this", None)


async def test_hint_reaches_the_next_call_of_every_agent_still_working(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    gate = threading.Event()
    # alpha and gamma are still in their first call when the hint comes; beta has voted by then.
    model_server.script("alpha", lambda req, i: held(R.text("thinking…"), gate) if i == 0 else R.answer_then_vote("100 C")(req, i))
    model_server.script("gamma", lambda req, i: held(R.new_answer("212 F"), gate) if i == 0 else R.answer_then_vote("212 F")(req, i))
    model_server.script("beta", R.answer_then_vote("100 degrees", vote_for="agent2"))
    events: list[Any] = []
    session = new_session(agent_config(["alpha", "beta", "gamma"]), tmp_path, sink=events.append)
    try:
        turn = await start(session)
        await until(events, lambda e: e.type == "vote" and e.agent == "beta")
        await model_server.wait_until_async(lambda s: len(s.requests_for("alpha")) == 1 and len(s.requests_for("gamma")) == 1)
        assert session.hint(HINT)
        await until(events, lambda e: e.type == "hint")
        gate.set()
        result = await asyncio.wait_for(turn, 60)
    finally:
        gate.set()
        session.close()
    log = read_log(result)
    hint = log.one("hint")
    assert (hint.who, hint.text, hint.to, hint.addressed) == ("human", HINT, ["alpha", "gamma"], None)
    # alpha: its first call (made before the hint) lacks it, the next one (same run, after an
    # enforcement nudge) carries it; gamma's next call (a new round) carries it; beta never.
    alpha = model_server.requests_for("alpha")
    assert not with_hint(alpha[0]) and with_hint(alpha[1])
    assert [with_hint(r) for r in model_server.requests_for("gamma")[:2]] == [False, True]
    assert not any(with_hint(r) for r in model_server.requests_for("beta"))
    assert result.status == "ok"


async def test_addressed_hint_restarts_an_idle_agent_with_it(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    gate = threading.Event()
    model_server.script("alpha", lambda req, i: held(R.new_answer("100 C"), gate) if i == 0 else R.answer_then_vote("100 C")(req, i))
    model_server.script("beta", R.answer_then_vote("100 degrees", vote_for="agent2"))
    events: list[Any] = []
    session = new_session(agent_config(["alpha", "beta"]), tmp_path, sink=events.append)
    try:
        turn = await start(session)
        await until(events, lambda e: e.type == "vote" and e.agent == "beta")
        assert session.hint(HINT, to="beta")
        await model_server.wait_until_async(lambda s: any(with_hint(r) for r in s.requests_for("beta")))
        gate.set()
        result = await asyncio.wait_for(turn, 60)
    finally:
        gate.set()
        session.close()
    log = read_log(result)
    assert (log.one("hint").to, log.one("hint").addressed) == (["beta"], ["beta"])
    assert not any(with_hint(r) for r in model_server.requests_for("alpha"))
    assert any(e.reason == "hint" for e in log.of("agent_started", agent="beta"))


def two_voters(model_server: ModelServer, gate: threading.Event) -> None:
    """Both answer at once; their votes on both answers wait for `gate`; each votes for itself."""

    def policy(own: str, answer: str):
        def script(req: R.RecordedRequest, i: int) -> R.Reply:
            if len(req.vote_enum) == 2:
                return held(R.vote(own, "mine"), gate)
            return R.answer_then_vote(answer, vote_for=own)(req, i)
        return script

    model_server.script("alpha", policy("agent1", "100 C"))
    model_server.script("beta", policy("agent2", "100 degrees"))


async def test_human_vote_is_counted(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    gate = threading.Event()
    two_voters(model_server, gate)
    events: list[Any] = []
    session = new_session(agent_config(["alpha", "beta"], human="voter"), tmp_path, sink=events.append)
    try:
        turn = await start(session)
        await model_server.wait_until_async(lambda s: all(any(len(r.vote_enum) == 2 for r in s.requests_for(a)) for a in ("alpha", "beta")))
        assert session.human_vote("beta", "clearer")
        await until(events, lambda e: e.type == "vote" and e.agent == "human")
        gate.set()
        result = await asyncio.wait_for(turn, 60)
    finally:
        gate.set()
        session.close()
    consensus = read_log(result).one("consensus")
    # Without the person's vote it is 1-1 and the tie-break picks alpha.
    assert (consensus.winner, consensus.tally, consensus.by) == ("beta", {"alpha": 1, "beta": 2}, "votes")


async def test_human_vote_is_ignored_for_an_observer(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    gate = threading.Event()
    two_voters(model_server, gate)
    events: list[Any] = []
    session = new_session(agent_config(["alpha", "beta"]), tmp_path, sink=events.append)
    try:
        turn = await start(session)
        await model_server.wait_until_async(lambda s: all(any(len(r.vote_enum) == 2 for r in s.requests_for(a)) for a in ("alpha", "beta")))
        session.human_vote("beta")
        await until(events, lambda e: e.type == "notice" and "human: voter" in e.message)
        gate.set()
        result = await asyncio.wait_for(turn, 60)
    finally:
        gate.set()
        session.close()
    assert read_log(result).one("consensus").winner == "alpha"


async def test_new_answer_resets_the_human_vote(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    gate = threading.Event()
    model_server.script("alpha", R.answer_then_vote("100 C"))
    model_server.script("beta", lambda req, i: held(R.new_answer("100 degrees"), gate) if i == 0 else R.answer_then_vote("x", vote_for="agent1")(req, i))
    events: list[Any] = []
    session = new_session(agent_config(["alpha", "beta"], human="voter"), tmp_path, sink=events.append)
    try:
        turn = await start(session)
        await until(events, lambda e: e.type == "answer" and e.agent == "alpha")
        session.human_vote("alpha")
        await until(events, lambda e: e.type == "vote" and e.agent == "human")
        gate.set()
        result = await asyncio.wait_for(turn, 60)
    finally:
        gate.set()
        session.close()
    log = read_log(result)
    assert any("human" in e.cleared for e in log.of("votes_reset"))
    assert "human" not in [v["agent"] for v in result.votes]
    assert log.one("consensus").tally == {"alpha": 2, "beta": 0}


async def test_decide_ends_the_turn_and_the_pick_presents(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    gate = threading.Event()
    model_server.script("alpha", R.answer_then_vote("100 C", final="Water boils at 100 C (presented)."))
    model_server.script("beta", lambda req, i: held(R.new_answer("never"), gate))
    events: list[Any] = []
    session = new_session(agent_config(["alpha", "beta"]), tmp_path, sink=events.append)
    try:
        turn = await start(session)
        await until(events, lambda e: e.type == "answer" and e.agent == "alpha")
        assert session.decide("alpha")
        result = await asyncio.wait_for(turn, 60)
    finally:
        gate.set()
        session.close()
    log = read_log(result)
    consensus = log.one("consensus")
    assert (consensus.winner, consensus.by, consensus.how) == ("alpha", "human", "human")
    assert (result.status, result.final_answer) == ("ok", "Water boils at 100 C (presented).")
    assert not model_server.requests_for("alpha")[-1].tools  # the presentation call


async def test_drop_and_restart_one_agent(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    gate = threading.Event()
    model_server.script("alpha", lambda req, i: held(R.new_answer("100 C"), gate) if i == 0 else R.answer_then_vote("100 C")(req, i))
    model_server.script("beta", lambda req, i: held(R.new_answer("never"), threading.Event()))
    events: list[Any] = []
    session = new_session(agent_config(["alpha", "beta"]), tmp_path, sink=events.append)
    try:
        turn = await start(session)
        await model_server.wait_until_async(lambda s: len(s.requests_for("beta")) == 1 and len(s.requests_for("alpha")) == 1)
        assert session.drop_agent("beta")
        assert session.restart_agent("alpha")
        await model_server.wait_until_async(lambda s: len(s.requests_for("alpha")) >= 2)
        gate.set()
        result = await asyncio.wait_for(turn, 60)
    finally:
        gate.set()
        session.close()
    log = read_log(result)
    error = log.one("agent_error", agent="beta")
    assert (error.kind, error.fatal) == ("human", True)
    assert any(e.reason == "user" for e in log.of("agent_started", agent="alpha"))
    assert (result.status, result.winner) == ("ok", "alpha")


def test_split_address_takes_the_anonymous_name_the_screen_shows() -> None:
    aliases = {"agent1": "alpha", "agent2": "beta"}
    assert split_address("@agent2 check your math", ["alpha", "beta"], aliases) == ("check your math", ["beta"])
    # a config id that happens to look anonymous still means that agent
    assert split_address("@agent2 hi", ["agent2", "beta"], {"agent2": "beta"}) == ("hi", ["agent2"])
    assert split_address("@agent9 hi", ["alpha", "beta"], aliases) == ("@agent9 hi", None)
