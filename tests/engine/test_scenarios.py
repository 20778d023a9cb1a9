"""Engine scenarios end to end: a real Session, real LiteLLM, the loopback model server.

Each scenario checks the TurnResult and the event log. Agents are `openai/<id>`, so the
server sees the config id as the model name; anonymous ids follow config order
(alpha=agent1, beta=agent2, gamma=agent3).
"""

from __future__ import annotations

import asyncio
import re
import threading
from pathlib import Path
from typing import Any

import pytest

from mgtui.config.loader import config_from_data
from mgtui.engine import protocol
from mgtui.engine.session import Session
from tests.engine.scenario_support import ask_once, last_votes, new_session, read_log
from tests.support import replies as R
from tests.support.model_server import ModelServer

QUESTION = "What is the capital of France?"


def hang(text: str = "") -> R.Reply:
    """A stream that sends `text` and then stalls until the engine gives up on it."""
    return R.text(text, chunk_size=4, fail_after=1 + -(-len(text) // 4), failure="hang")  # role + content chunks


def coordination_requests(server: ModelServer, model: str) -> list[R.RecordedRequest]:
    return [r for r in server.requests_for(model) if r.tools]


def presenter_requests(server: ModelServer, model: str) -> list[R.RecordedRequest]:
    return [r for r in server.requests_for(model) if not r.tools]


async def test_unanimous_consensus(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    for agent in ("alpha", "beta", "gamma"):
        final = "Paris (presented by beta)." if agent == "beta" else f"{agent} should not present"
        model_server.script(agent, R.answer_then_vote(f"Paris, says {agent}.", vote_for="agent2", reason=f"{agent} likes it", final=final))
    result, log = await ask_once(agent_config(["alpha", "beta", "gamma"]), tmp_path, QUESTION)

    assert (result.status, result.winner, result.final_answer) == ("ok", "beta", "Paris (presented by beta).")
    assert result.answers == {a: f"Paris, says {a}." for a in ("alpha", "beta", "gamma")}
    assert sorted((v["agent"], v["target"]) for v in result.votes) == [("alpha", "beta"), ("beta", "beta"), ("gamma", "beta")]

    consensus = log.one("consensus")
    assert (consensus.winner, consensus.tally, consensus.tie, consensus.how) == ("beta", {"alpha": 0, "beta": 3, "gamma": 0}, False, "votes")
    assert last_votes(log) == {"alpha": "beta", "beta": "beta", "gamma": "beta"}
    assert all(v.label == "agent2.1" for v in log.of("vote")[-3:])
    assert log.one("turn_started").anonymous_ids == {"alpha": "agent1", "beta": "agent2", "gamma": "agent3"}
    assert [e.agent for e in log.of("final_answer")] == ["beta"]
    finished = log.one("turn_finished")
    assert (finished.status, finished.winner, finished.final_answer) == ("ok", "beta", result.final_answer)
    assert finished.usage["beta"]["completion_tokens"] > 0
    # Derived files follow the log.
    assert (log.folder / "turn_1" / "gamma" / "answer_1.md").read_text() == "Paris, says gamma."
    assert (log.folder / "turn_1" / "final.md").read_text() == result.final_answer
    assert log.index["turns"][0]["winner"] == "beta" and log.index["status"] == "ok"
    assert len(presenter_requests(model_server, "beta")) == 1
    assert not presenter_requests(model_server, "alpha") and not presenter_requests(model_server, "gamma")


@pytest.mark.parametrize("order", [["alpha", "beta"], ["beta", "alpha"]])
async def test_split_vote_tie_goes_to_the_agent_listed_first(model_server: ModelServer, agent_config, tmp_path: Path, order: list[str]) -> None:
    for position, agent in enumerate(order, start=1):  # everyone votes for itself
        model_server.script(agent, R.answer_then_vote(f"{agent}'s answer", vote_for=f"agent{position}", final=f"{agent} presents"))
    result, log = await ask_once(agent_config(order), tmp_path, QUESTION)

    assert (result.status, result.winner, result.final_answer) == ("ok", order[0], f"{order[0]} presents")
    consensus = log.one("consensus")
    assert consensus.tally == {"alpha": 1, "beta": 1}
    assert (consensus.tie, consensus.tied, consensus.winner) == (True, order, order[0])
    assert last_votes(log) == {"alpha": "alpha", "beta": "beta"}


async def test_late_answer_resets_votes_and_earlier_voters_vote_again(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    release = threading.Event()
    voted_since_answer: set[str] = set()

    def sink(event: Any) -> None:
        # Let gamma's first answer through only once alpha and beta hold standing votes.
        if event.type == "answer":
            voted_since_answer.clear()
        elif event.type == "vote":
            voted_since_answer.add(event.agent)
            if {"alpha", "beta"} <= voted_since_answer:
                release.set()

    model_server.script("alpha", R.answer_then_vote("A: Paris", vote_for="agent3"))
    model_server.script("beta", R.answer_then_vote("B: Paris", vote_for="agent3"))
    gamma_policy = R.answer_then_vote("G: Paris, on the Seine", vote_for="agent3", final="G presents")
    model_server.script("gamma", lambda req, i: R.new_answer("G: Paris, on the Seine", hold=release) if i == 0 else gamma_policy(req, i))
    result, log = await ask_once(agent_config(["alpha", "beta", "gamma"]), tmp_path, QUESTION, sink=sink)

    assert (result.status, result.winner, result.final_answer) == ("ok", "gamma", "G presents")
    gamma_answer = log.one("answer", agent="gamma")
    (reset,) = [e for e in log.of("votes_reset") if e.by == "gamma"]
    assert sorted(reset.cleared) == ["alpha", "beta"]
    before = log.events[: log.events.index(gamma_answer)]
    after = log.after(gamma_answer)
    # Before gamma answered, agent3 was not on the ballot: they voted for the fallback.
    assert {e.agent: e.target for e in before if e.type == "vote"} == {"alpha": "alpha", "beta": "alpha"}
    assert {e.agent: e.target for e in after if e.type == "vote"} == {"alpha": "gamma", "beta": "gamma", "gamma": "gamma"}
    assert {e.agent for e in after if e.type == "agent_started" and (e.reason, e.after_label) == ("restart", "agent3.1")} == {"alpha", "beta"}
    # What the re-voters were sent: gamma's answer and agent3 on the ballot.
    for agent in ("alpha", "beta"):
        last = coordination_requests(model_server, agent)[-1]
        assert "agent3" in last.vote_enum and "G: Paris, on the Seine" in last.last_user_text
    assert log.one("consensus").tally == {"alpha": 0, "beta": 0, "gamma": 3}


async def test_agent_that_never_calls_a_tool_is_nudged_then_its_text_is_its_answer(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    model_server.script("alpha", R.text("I think it is Paris, but I will not call a tool."))
    model_server.script("beta", R.answer_then_vote("B: Paris", vote_for="agent2", final="B presents"))
    result, log = await ask_once(agent_config(), tmp_path, QUESTION)

    assert (result.status, result.winner, result.final_answer) == ("ok", "beta", "B presents")
    # Issue 15: text is never a reason to drop an agent that has no answer yet: it becomes its answer.
    assert result.answers["alpha"] == "I think it is Paris, but I will not call a tool."
    errors = log.of("agent_error", agent="alpha")
    assert [(e.kind, e.fatal) for e in errors[:2]] == [("enforcement", False)] * 2
    nudged = model_server.requests_for("alpha")[1]  # the nudge goes back as a user message
    assert nudged.messages[-1]["role"] == "user" and "did not call a tool" in nudged.messages[-1]["content"]
    assert nudged.messages[-2]["role"] == "assistant"
    assert [e.attempt for e in log.of("agent_started", agent="alpha")][:2] == [1, 2]
    assert log.one("consensus").tally["beta"] == 1


async def test_invalid_calls_go_back_as_tool_errors_and_the_agent_recovers(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    policy = R.answer_then_vote("A: Paris", vote_for="agent1")
    script = [R.vote("agent1", "too early"), R.tool_call("new_answer", '{"content": "unterminated')]
    model_server.script("alpha", lambda req, i: script[i] if i < len(script) else policy(req, i))
    model_server.script("beta", R.answer_then_vote("B: Paris", vote_for="agent1"))
    result, log = await ask_once(agent_config(), tmp_path, QUESTION)

    assert (result.status, result.winner, result.answers["alpha"]) == ("ok", "alpha", "A: Paris")
    errors = log.of("agent_error", agent="alpha")
    assert [(e.kind, e.fatal) for e in errors] == [("enforcement", False)] * 2
    second, third = model_server.requests_for("alpha")[1:3]
    for request, problem in ((second, "Cannot vote when no answers exist"), (third, "not valid JSON")):
        sent_back = request.messages[-1]
        assert sent_back["role"] == "tool" and problem in sent_back["content"]
        assert sent_back["tool_call_id"] == request.messages[-2]["tool_calls"][0]["id"]
    assert [e.attempt for e in log.of("agent_started", agent="alpha")][:3] == [1, 2, 3]


async def test_http_500_forever_drops_the_agent(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    model_server.script("alpha", R.error(500, "upstream exploded"))
    model_server.script("beta", R.answer_then_vote("B: Paris", vote_for="agent2"))
    result, log = await ask_once(agent_config(provider_retries=2), tmp_path, QUESTION)

    assert (result.status, result.winner) == ("ok", "beta")
    errors = log.of("agent_error", agent="alpha")
    assert [(e.kind, e.fatal) for e in errors] == [("provider", False)] * 2 + [("provider", True)]
    assert all(e.retry_in is not None for e in errors[:2])
    assert "upstream exploded" in errors[-1].error
    assert len(model_server.requests_for("alpha")) == 3  # 1 + 2 retries, none hidden inside LiteLLM


async def test_429_with_retry_after_recovers(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    policy = R.answer_then_vote("A: Paris", vote_for="agent1", final="A presents")
    model_server.script("alpha", lambda req, i: R.rate_limited(0.5) if i == 0 else policy(req, i))
    model_server.script("beta", R.answer_then_vote("B: Paris", vote_for="agent1"))
    # retry_max_seconds (0.2) is below Retry-After: the header must win over the backoff.
    result, log = await ask_once(agent_config(), tmp_path, QUESTION)

    assert (result.status, result.winner, result.final_answer) == ("ok", "alpha", "A presents")
    (error,) = log.of("agent_error", agent="alpha")
    assert (error.kind, error.fatal, error.retry_in) == ("provider", False, 0.5)
    retry = [e for e in log.of("agent_started", agent="alpha") if e.reason == "retry"]
    assert len(retry) == 1 and log.events.index(retry[0]) > log.events.index(error)
    assert result.answers["alpha"] == "A: Paris"


async def test_answer_cap_switches_to_vote_only(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    def stubborn(request: R.RecordedRequest, _index: int) -> R.Reply:
        """Always improves its answer while it may; votes only when it must."""
        if not request.tools:
            return R.text("A presents")
        if "new_answer" in request.tool_names:
            # Count from what the engine shows (a restarted run's reply is never posted).
            mine = re.findall(r"<agent1\.(\d+)>", request.last_user_text)
            return R.new_answer(f"A: Paris, take {int(mine[0]) + 1 if mine else 1}")
        return R.vote("agent1", "mine is best")

    model_server.script("alpha", stubborn)
    model_server.script("beta", R.answer_then_vote("B: Paris", vote_for="agent1"))
    result, log = await ask_once(agent_config(max_new_answers_per_agent=2), tmp_path, QUESTION)

    assert (result.status, result.winner, result.answers["alpha"]) == ("ok", "alpha", "A: Paris, take 2")
    assert [e.label for e in log.of("answer", agent="alpha")] == ["agent1.1", "agent1.2"]
    capped = [r for r in coordination_requests(model_server, "alpha") if "<agent1.2>" in r.last_user_text]
    assert capped, "alpha was never asked again after its second answer"
    for request in capped:
        assert request.tool_names == ["vote"]
        assert protocol.VOTE_ONLY_INSTRUCTIONS in request.system_text
    assert any(e.vote_only for e in log.of("agent_started", agent="alpha"))
    assert last_votes(log) == {"alpha": "alpha", "beta": "alpha"}


async def test_turn_timeout_picks_most_votes(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    model_server.script("alpha", R.answer_then_vote("A: Paris", vote_for="agent1"))
    model_server.script("beta", hang("Beta is thinking"))
    result, log = await ask_once(agent_config(turn_timeout_seconds=3), tmp_path, QUESTION)

    assert (result.status, result.winner, result.final_answer) == ("timeout", "alpha", "A: Paris")
    consensus = log.one("consensus")
    assert (consensus.how, consensus.tally) == ("timeout_votes", {"alpha": 1})
    assert log.one("final_answer").strategy == "winner_reuse"
    assert log.one("turn_finished").status == "timeout"
    assert result.partial == {"beta": "Beta is thinking"}
    assert not presenter_requests(model_server, "alpha")


async def test_turn_timeout_without_votes_picks_the_newest_answer(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    alpha_answered = threading.Event()
    model_server.script("alpha", [R.new_answer("A: Paris"), hang()])
    model_server.script("beta", [R.new_answer("B: Paris, newer", hold=alpha_answered), hang()])

    def sink(event: Any) -> None:
        if event.type == "answer" and event.agent == "alpha":
            alpha_answered.set()

    result, log = await ask_once(agent_config(turn_timeout_seconds=3), tmp_path, QUESTION, sink=sink)

    assert (result.status, result.winner, result.final_answer) == ("timeout", "beta", "B: Paris, newer")
    consensus = log.one("consensus")
    assert (consensus.how, consensus.tally) == ("timeout_newest", {"alpha": 0, "beta": 0})
    assert not log.of("vote")


async def test_cancel_mid_turn_keeps_partial_answers(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    model_server.script("alpha", [R.new_answer("A: Paris"), hang("Alpha revises: Paris, France")])
    model_server.script("beta", hang("Beta drafts: Paris is"))
    both_streaming = asyncio.Event()
    seen: dict[str, str] = {}

    def sink(event: Any) -> None:
        if event.type == "text":
            seen[event.agent] = seen.get(event.agent, "") + event.delta
            # a stalled stream may hold back its last characters (they could start a key: "s" of "sk-test")
            if "Alpha revises: Paris, Fr" in seen.get("alpha", "") and seen.get("beta", "").startswith("Beta drafts: Paris"):
                both_streaming.set()

    session = new_session(agent_config(), tmp_path, sink)
    turn = asyncio.create_task(session.ask(QUESTION))
    await asyncio.wait_for(both_streaming.wait(), timeout=30)
    assert session.cancel()
    result = await turn
    session.close()
    log = read_log(result)

    assert (result.status, result.winner, result.final_answer) == ("cancelled", None, None)
    assert result.answers == {"alpha": "A: Paris"}
    # Kept is what had arrived when the cancel came: on a loaded machine the last chunk may still
    # be in flight, so each partial is the start of what the server sent, at least what was seen.
    assert set(result.partial) == {"alpha", "beta"}
    for agent, sent, shown in (("alpha", "Alpha revises: Paris, France", "Alpha revises: Paris, Fr"), ("beta", "Beta drafts: Paris is", "Beta drafts: Paris")):
        assert sent.startswith(result.partial[agent]) and result.partial[agent].startswith(shown), result.partial
    finished = log.one("turn_finished")
    assert (finished.status, finished.partial) == ("cancelled", result.partial)
    assert log.one("answer", agent="alpha").content == "A: Paris"
    assert {e.agent: e.partial for e in log.of("agent_stopped") if e.why == "cancelled"} == result.partial
    assert not log.of("consensus") and not log.of("final_answer")
    assert log.index["turns"][0]["status"] == "cancelled"
    # The next turn learns what was there.
    assert session.history and "A: Paris" in session.history[0][1]


@pytest.mark.parametrize("strategy", ["winner_present", "synthesize", "winner_reuse"])
async def test_final_answer_strategies(model_server: ModelServer, agent_config, tmp_path: Path, strategy: str) -> None:
    model_server.script("alpha", R.answer_then_vote("A: Paris", vote_for="agent1", reason="alpha is precise", final="FINAL from alpha"))
    model_server.script("beta", R.answer_then_vote("B: Paris, France", vote_for="agent1", reason="beta agrees"))
    result, log = await ask_once(agent_config(final_answer_strategy=strategy), tmp_path, QUESTION)

    assert (result.status, result.winner) == ("ok", "alpha")
    final = log.one("final_answer")
    presenter = presenter_requests(model_server, "alpha")
    assert not presenter_requests(model_server, "beta")
    if strategy == "winner_reuse":
        assert result.final_answer == "A: Paris"
        assert final.strategy == "winner_reuse" and not presenter and not log.of("final_started")
        return
    assert result.final_answer == "FINAL from alpha"
    assert final.strategy == strategy and log.one("final_started").strategy == strategy
    (request,) = presenter
    assert protocol.PRESENT_INSTRUCTIONS[strategy] in request.system_text
    user = request.last_user_text
    assert QUESTION in user and "<alpha (YOUR ANSWER)>" in user and "A: Paris" in user and "B: Paris, France" in user
    assert "alpha is precise" in user and "beta agrees" in user
    assert "vote(s)" in user
    assert [e.delta for e in log.of("text", agent="alpha") if e.phase == "final"] and "".join(
        e.delta for e in log.of("text", agent="alpha") if e.phase == "final"
    ) == "FINAL from alpha"


async def test_second_turn_sees_the_first_turn_as_history(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    model_server.script("alpha", R.answer_then_vote("A: Paris", vote_for="agent1", final="Paris is the capital."))
    model_server.script("beta", R.answer_then_vote("B: Paris", vote_for="agent1"))
    session = new_session(agent_config(), tmp_path)
    first = await session.ask(QUESTION)
    turn_one_requests = len(model_server.requests)
    second = await session.ask("And of Italy?")
    session.close()
    log = read_log(second)

    assert (first.turn, second.turn, second.status) == (1, 2, "ok")
    history = [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": "Paris is the capital."}]
    later = model_server.requests[turn_one_requests:]
    assert later and all(r.messages[1:3] == history for r in later)  # after the system message
    assert all("And of Italy?" in r.last_user_text for r in later)
    assert all(QUESTION not in r.last_user_text for r in later)
    assert [(e.turn, e.history_len) for e in log.of("turn_started")] == [(1, 0), (2, 1)]
    assert [t["turn"] for t in log.index["turns"]] == [1, 2]
    assert len(log.of("session_started")) == 1


async def test_secrets_never_reach_the_log(model_server: ModelServer, agent_config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "sk-live-0123456789abcdef"
    monkeypatch.setenv("MGTUI_SCENARIO_KEY", secret)
    config = agent_config()
    for agent in config["agents"]:
        agent["api_key"] = "${MGTUI_SCENARIO_KEY}"
    # A model that leaks the key it was called with.
    model_server.script("alpha", R.answer_then_vote(f"Paris. (my key is {secret})", vote_for="agent1", final=f"Final, key {secret}"))
    model_server.script("beta", R.answer_then_vote("B: Paris", vote_for="agent1", reason=f"reason with {secret}"))
    result, log = await ask_once(config, tmp_path, QUESTION)

    assert result.status == "ok"
    assert all(r.headers["authorization"] == f"Bearer {secret}" for r in model_server.requests)
    files = [p for p in Path(result.log_dir).rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"events.jsonl", "session.json", "votes.json", "final.md", "answer_1.md"}
    for path in files:
        assert secret not in path.read_text(encoding="utf-8"), f"secret written to {path}"
    assert "${MGTUI_SCENARIO_KEY}" in str(log.one("session_started").config)
    assert "***" in log.one("answer", agent="alpha").content


async def test_every_agent_failing_ends_the_turn_as_failed(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    model_server.script("alpha", R.error(500, "alpha is down"))
    model_server.script("beta", R.error(503, "beta is down"))
    result, log = await ask_once(agent_config(provider_retries=0), tmp_path, QUESTION)

    assert (result.status, result.winner, result.final_answer) == ("failed", None, None)
    assert result.error == "no live agent left"
    assert sorted(e.agent for e in log.of("agent_error") if e.fatal) == ["alpha", "beta"]
    assert log.one("turn_finished").status == "failed" and not log.of("consensus")
    assert log.index["turns"][0]["status"] == "failed"


async def test_resumed_session_continues_the_log_and_the_history(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    model_server.script("alpha", R.answer_then_vote("A: Paris", vote_for="agent1", final="Paris is the capital."))
    model_server.script("beta", R.answer_then_vote("B: Paris", vote_for="agent1"))
    config = agent_config()
    first, _ = await ask_once(config, tmp_path, QUESTION)
    before = len(model_server.requests)

    resumed = Session.resume(first.log_dir, config_from_data(config))
    second = await resumed.ask("And of Italy?")
    resumed.close()
    log = read_log(second)

    assert (second.session_id, second.turn, second.status) == (first.session_id, 2, "ok")
    history = [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": "Paris is the capital."}]
    assert all(r.messages[1:3] == history for r in model_server.requests[before:])
    assert [(e.turn, e.history_len) for e in log.of("turn_started")] == [(1, 0), (2, 1)]
    assert [t["turn"] for t in log.index["turns"]] == [1, 2]


async def test_cancel_while_the_turn_is_still_starting_is_not_lost(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    """Ctrl+C during the first turn's LiteLLM import (seconds) must still cancel the turn."""
    model_server.script("alpha", hang("Alpha drafts"))
    model_server.script("beta", hang("Beta drafts"))
    session = new_session(agent_config(), tmp_path)
    turn = asyncio.create_task(session.ask(QUESTION))
    await asyncio.sleep(0)  # ask() now awaits prepare() (the LiteLLM import, in a thread)
    assert session.cancel()
    result = await asyncio.wait_for(turn, timeout=30)
    session.close()

    assert (result.status, result.final_answer) == ("cancelled", None)
    assert read_log(result).one("turn_finished").status == "cancelled"


async def test_retry_after_longer_than_allowed_drops_the_agent(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    model_server.script("alpha", R.rate_limited(3600))
    model_server.script("beta", R.answer_then_vote("B: Paris", vote_for="agent2"))
    result, log = await ask_once(agent_config(max_retry_after_seconds=5), tmp_path, QUESTION)

    assert (result.status, result.winner) == ("ok", "beta")
    (error,) = log.of("agent_error", agent="alpha")
    assert error.fatal and "3600" in error.error
    assert len(model_server.requests_for("alpha")) == 1  # no hour-long wait, no blind retry
