"""Real servers' quirks (issue 15), each scripted on the loopback server, end to end.

Streams without a finish_reason, tool-call deltas with the id only in the first chunk, two
calls in one reply, `reasoning_content` and `<think>` blocks, and readable provider errors.
Agents are `openai/<id>`; alpha=agent1, beta=agent2.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.engine.scenario_support import ask_once
from tests.support import replies as R
from tests.support.model_server import ModelServer

QUESTION = "What is the capital of France?"


def _coordination(server: ModelServer, model: str) -> list[R.RecordedRequest]:
    return [r for r in server.requests_for(model) if r.tools]


async def test_stream_without_finish_reason_after_a_complete_call_is_a_finished_reply(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    policy = R.answer_then_vote("A: Paris", vote_for="agent1", final="A presents")
    model_server.script("alpha", lambda req, i: R.Reply(**{**policy(req, i).__dict__, "finish": False}))
    model_server.script("beta", R.answer_then_vote("B: Paris", vote_for="agent1"))
    result, log = await ask_once(agent_config(), tmp_path, QUESTION)

    assert (result.status, result.winner, result.final_answer) == ("ok", "alpha", "A presents")
    assert result.answers["alpha"] == "A: Paris" and result.dropped == []
    assert log.of("agent_error", agent="alpha") == []  # not a provider error, never retried
    assert "retry" not in [e.reason for e in log.of("agent_started", agent="alpha")]
    assert all(s.outcome == "complete" for s in model_server.served if s.request.model == "alpha")


async def test_stream_without_finish_reason_after_text_is_a_finished_reply(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    model_server.script("beta", R.answer_then_vote("B", vote_for="agent1", final="The capital of France is Paris."))
    # alpha wins and presents: its plain-text presentation ends without a finish_reason.
    model_server.script("alpha", lambda req, i: R.text("Paris it is.", finish=False) if not req.tools else R.answer_then_vote("A: Paris",
        vote_for="agent1")(req, i))
    result, log = await ask_once(agent_config(), tmp_path, QUESTION)

    assert (result.status, result.final_answer) == ("ok", "Paris it is.")
    assert [e for e in log.of("agent_error") if e.kind == "provider"] == []


async def test_stream_cut_mid_tool_call_is_retried_with_a_readable_reason(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    cut = R.new_answer("A: Paris, the capital", chunk_size=4, end_after=5)  # role + opening + 3 argument pieces
    policy = R.answer_then_vote("A: Paris", vote_for="agent1")
    model_server.script("alpha", lambda req, i: cut if i == 0 else policy(req, i))
    model_server.script("beta", R.answer_then_vote("B: Paris", vote_for="agent1"))
    result, log = await ask_once(agent_config(), tmp_path, QUESTION)

    assert result.status == "ok" and result.answers["alpha"] == "A: Paris"
    errors = log.of("agent_error", agent="alpha")
    assert [(e.kind, e.fatal) for e in errors] == [("provider", False)]
    assert errors[0].error.startswith("stream ended mid tool call")
    assert "\n" not in errors[0].error and "MidStreamFallbackError" in errors[0].detail  # the full text stays in the log
    assert [e.reason for e in log.of("agent_started", agent="alpha")][:2] == ["start", "retry"]


async def test_tool_call_id_only_in_the_first_chunk(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    policy = R.answer_then_vote('A: "Paris", naturally', vote_for="agent1", chunk_size=3, sparse_tool_deltas=True)
    model_server.script("alpha", policy)
    model_server.script("beta", R.answer_then_vote("B: Paris", vote_for="agent1"))
    result, log = await ask_once(agent_config(), tmp_path, QUESTION)

    assert result.answers["alpha"] == 'A: "Paris", naturally'
    assert log.of("agent_error", agent="alpha") == []
    assert [e.target for e in log.of("vote", agent="alpha")] == ["alpha"]


async def test_two_tool_calls_in_one_reply_are_both_reassembled(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    both = R.tool_calls([("new_answer", {"content": "A: Paris"}), ("vote", {"agent_id": "agent1", "reason": "mine"})], chunk_size=5, sparse_tool_deltas=True)
    policy = R.answer_then_vote("A: Paris", vote_for="agent1")
    model_server.script("alpha", lambda req, i: both if i == 0 else policy(req, i))
    model_server.script("beta", R.answer_then_vote("B: Paris", vote_for="agent2"))
    result, log = await ask_once(agent_config(), tmp_path, QUESTION)

    error = log.of("agent_error", agent="alpha")[0]
    assert error.kind == "enforcement" and "new_answer, vote" in error.error
    # Both calls went back to the model whole, each with its own id and arguments.
    retry = _coordination(model_server, "alpha")[1]
    sent = next(m for m in retry.messages if m.get("tool_calls"))["tool_calls"]
    assert [(c["function"]["name"], json.loads(c["function"]["arguments"])) for c in sent] == [
        ("new_answer", {"content": "A: Paris"}),
        ("vote", {"agent_id": "agent1", "reason": "mine"}),
    ]
    assert len({c["id"] for c in sent}) == 2
    assert result.status == "ok" and result.answers["alpha"] == "A: Paris"


async def test_reasoning_content_streams_as_thinking_and_stays_out_of_answers(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    secret = "SECRET-PLAN: let me weigh Lyon against Paris"
    policy = R.answer_then_vote("A: Paris", vote_for="agent1", final="Final: Paris")
    model_server.script("alpha", lambda req, i: R.Reply(**{**policy(req, i).__dict__, "reasoning": secret, "chunk_size": 6}))
    model_server.script("beta", R.answer_then_vote("B: Paris", vote_for="agent1"))
    result, log = await ask_once(agent_config(), tmp_path, QUESTION)

    assert (result.status, result.final_answer) == ("ok", "Final: Paris")
    thinking = "".join(e.delta for e in log.of("text", agent="alpha") if e.phase == "reasoning")
    assert secret in thinking
    assert all(secret[:10] not in e.delta for e in log.of("text") if e.phase != "reasoning")
    assert result.answers["alpha"] == "A: Paris"
    assert all(secret[:10] not in v["reason"] for v in result.votes)
    for request in model_server.requests_for("beta") + model_server.requests_for("alpha"):
        assert secret[:10] not in request.all_text  # no agent ever sees it, not even alpha itself


async def test_think_tags_split_across_chunks_are_thinking(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    def alpha(req: R.RecordedRequest, i: int) -> R.Reply:
        if not req.tools:
            return R.thinking("pick the words", "Final: Paris.", chunk_size=3)
        reply = R.answer_then_vote("A: Paris", vote_for="agent1")(req, i)
        return R.Reply(**{**reply.__dict__, "content": "<think>hidden musing</think>", "chunk_size": 3})

    model_server.script("alpha", alpha)
    model_server.script("beta", R.answer_then_vote("B: Paris", vote_for="agent1"))
    result, log = await ask_once(agent_config(), tmp_path, QUESTION)

    assert (result.status, result.final_answer) == ("ok", "Final: Paris.")
    texts = log.of("text", agent="alpha")
    assert "hidden musing" in "".join(e.delta for e in texts if e.phase == "reasoning")
    assert "pick the words" in "".join(e.delta for e in texts if e.phase == "reasoning")
    visible = "".join(e.delta for e in texts if e.phase != "reasoning")
    assert "think>" not in visible and "musing" not in visible and "pick the" not in visible
    assert log.one("final_answer").content == "Final: Paris."
    assert all("musing" not in r.all_text for r in model_server.requests_for("beta"))


async def test_provider_error_is_one_readable_line_with_the_root_cause(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    model_server.script("alpha", R.error(500, "scripted failure"))
    model_server.script("beta", R.answer_then_vote("B: Paris", vote_for="agent2"))
    result, log = await ask_once(agent_config(provider_retries=1), tmp_path, QUESTION)

    host = model_server.url.split("//", 1)[1].split("/", 1)[0]
    expected = f"HTTP 500 from {host}: scripted failure"
    errors = log.of("agent_error", agent="alpha")
    assert [e.error for e in errors] == [expected, expected]
    assert errors[-1].fatal and "InternalServerError" in errors[-1].detail
    assert result.dropped == [{"agent": "alpha", "reason": expected}]
    assert result.status == "ok" and result.winner == "beta"


async def test_a_server_that_is_not_there_is_named_in_one_line(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = agent_config(provider_retries=0)
    config["agents"][0]["api_base"] = f"http://127.0.0.1:{port}/v1"
    model_server.script("beta", R.answer_then_vote("B: Paris", vote_for="agent2"))
    result, log = await ask_once(config, tmp_path, QUESTION)

    assert result.dropped == [{"agent": "alpha", "reason": f"cannot connect to 127.0.0.1:{port} (connection refused or unreachable)"}]
    assert result.status == "ok" and result.winner == "beta"
