"""OpenAI-format chunks read by the engine (`engine/openai_chunks.py`) give exactly the events,
replies and errors that reading them through LiteLLM's stream wrapper gives: each scripted
reply is streamed through the loopback server twice, once per path, and the two compared."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest

from mgtui.config.models import AgentConfig, OrchestratorConfig
from mgtui.engine import openai_chunks
from mgtui.engine.streaming import ProviderFailed, stream_completion
from tests.support import replies as R
from tests.support.model_server import ModelServer

VOTE_TOOL = [
    {
        "type": "function",
        "function": {
            "name": "vote",
            "parameters": {"type": "object", "properties": {"agent_id": {"type": "string"}, "reason": {"type": "string"}}},
        },
    }
]


def _chunk(delta: dict[str, Any] | None = None, finish: str | None = None, **extra: Any) -> dict[str, Any]:
    choice: dict[str, Any] = {"index": 0, "delta": delta if delta is not None else {}, "finish_reason": finish}
    return {"id": "chatcmpl-raw", "object": "chat.completion.chunk", "created": 1, "model": "alpha", "choices": [choice], **extra}


USAGE = {**_chunk(), "choices": [], "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}}

REPLIES: dict[str, R.Reply] = {
    "text": R.text("Paris is the capital of France, and has been for a long time.", chunk_size=5),
    "think tags split across chunks": R.text("<think>Let me see: the capital.</think>Paris it is.", chunk_size=3),
    "unclosed think": R.text("<think>still thinking about it", chunk_size=4),
    "reasoning_content": R.thinking("First the map, then the answer.", "Paris.", chunk_size=6),
    "new_answer": R.new_answer("Paris, with enough words to stream in several chunks.", chunk_size=7),
    "sparse tool deltas": R.new_answer("Paris, streamed with ids only in the first chunk.", chunk_size=6, sparse_tool_deltas=True),
    "text then a vote": R.vote("agent2", "it is right", text="Voting now.", chunk_size=9),
    "two tool calls": R.tool_calls([("vote", {"agent_id": "agent1"}), ("vote", {"agent_id": "agent2"})], chunk_size=5),
    "llama.cpp: [DONE] without finish_reason": R.text("A whole answer, then [DONE] only.", finish=False, chunk_size=6),
    "ended mid tool call": R.new_answer("Paris is the capital", chunk_size=4, end_after=5),
    "ended before any output": R.text("never sent", end_after=1),
    "`reasoning` instead of reasoning_content": R.Reply(
        raw_chunks=(_chunk({"role": "assistant", "content": ""}), _chunk({"reasoning": "hmm, "}), _chunk({"reasoning": "maps"}),
                    _chunk({"content": "Paris."}), _chunk({}, "stop"), USAGE)
    ),
    "no usage chunk": R.Reply(raw_chunks=(_chunk({"content": "Paris, and no usage."}), _chunk({}, "stop"))),
    "finish_reason abort": R.Reply(raw_chunks=(_chunk({"content": "Par"}), _chunk({}, "abort"))),
    "finish_reason error": R.Reply(raw_chunks=(_chunk({"content": "Par"}), _chunk({}, "error"))),
    "error event mid stream": R.Reply(raw_chunks=(_chunk({"content": "Par"}), {"error": {"message": "the model crashed (scripted)", "code": 500}})),
    "a model repeating one chunk": R.Reply(raw_chunks=tuple(_chunk({"content": "again "}) for _ in range(120))),
    "connection dropped mid reply": R.text("Paris is the capital of France.", chunk_size=4, fail_after=3, failure="abort"),
    "HTTP error": R.error(400, "bad request (scripted)"),
    # hostile servers: the direct path reads unvalidated JSON, so these must not break it
    "usage counts that are not numbers": R.Reply(
        raw_chunks=(_chunk({"content": "Paris."}), _chunk({}, "stop"),
                    {**USAGE, "usage": {"prompt_tokens": "7", "completion_tokens": [3], "total_tokens": None}})
    ),
    "tool call arguments as an object": R.Reply(
        raw_chunks=(_chunk({"tool_calls": [{"index": 0, "id": "c1", "function": {"name": "vote", "arguments": {"agent_id": "agent1"}}}]}),
                    _chunk({}, "tool_calls"), USAGE)
    ),
}


async def _run(server: ModelServer, reply: R.Reply, direct: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[list[dict[str, Any]], Any]:
    monkeypatch.setattr(openai_chunks, "enabled", direct)
    server.script("alpha", reply)
    agent = AgentConfig(id="alpha", model="openai/alpha", api_base=server.url, api_key="sk-test")
    events: list[Any] = []
    try:
        outcome: Any = await stream_completion(
            agent=agent, messages=[{"role": "user", "content": "Capital of France?"}], tools=VOTE_TOOL if reply.tool_calls else None,
            orchestrator=OrchestratorConfig(text_coalesce_ms=0, provider_retries=0), emit=events.append, phase="coordination",
            on_retry=lambda _n: None, coalescer_holder=[],
        )
    except ProviderFailed as exc:
        cause = exc.__cause__
        outcome = ("failed", str(exc), type(cause).__name__)
    return [e.model_dump(exclude={"ts"}) for e in events], outcome


def _same(value: Any) -> str:
    """What must match: tool-call ids name the server's response (one per run), and LiteLLM's
    message for finish_reason "error" quotes its own record of the chunk, not the chunk."""
    return re.sub(r"Received Chunk=.*", "", re.sub(r"chatcmpl-test\d+", "chatcmpl-test", repr(value)))


@pytest.mark.parametrize("name", list(REPLIES))
async def test_both_paths_give_the_same_events_and_reply(name: str, model_server: ModelServer, monkeypatch: pytest.MonkeyPatch) -> None:
    reply = REPLIES[name]
    litellm_events, litellm_outcome = await _run(model_server, reply, False, monkeypatch)
    direct_events, direct_outcome = await _run(model_server, reply, True, monkeypatch)
    if name.startswith("llama.cpp"):
        # The one difference: LiteLLM holds the usage chunk back until a finish_reason, so a
        # stream ending without one lost the server's token counts; read directly, they count.
        usage = direct_events.pop()
        assert usage["type"] == "usage" and usage["completion_tokens"] > 0 == litellm_outcome.completion_tokens
        direct_outcome = dataclasses.replace(direct_outcome, prompt_tokens=0, completion_tokens=0)
    assert _same(direct_events) == _same(litellm_events)
    assert _same(direct_outcome) == _same(litellm_outcome)
    assert direct_events or isinstance(direct_outcome, tuple)  # the case produced something to compare


async def test_openai_format_streams_skip_litellms_chunk_handling(model_server: ModelServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The point of the path: LiteLLM's per-chunk `chunk_creator` does not run (and the SDK builds no chunk model)."""
    from litellm.litellm_core_utils.streaming_handler import CustomStreamWrapper
    from openai._base_client import BaseClient

    calls = {"chunk_creator": 0, "construct": 0}
    chunk_creator, process = CustomStreamWrapper.chunk_creator, BaseClient._process_response_data

    def counting_creator(self: Any, chunk: Any) -> Any:
        calls["chunk_creator"] += 1
        return chunk_creator(self, chunk)

    def counting_process(self: Any, **kwargs: Any) -> Any:
        calls["construct"] += 1
        return process(self, **kwargs)

    monkeypatch.setattr(CustomStreamWrapper, "chunk_creator", counting_creator)
    monkeypatch.setattr(BaseClient, "_process_response_data", counting_process)
    events, reply = await _run(model_server, R.text("Paris is the capital of France.", chunk_size=4), True, monkeypatch)
    assert reply.text == "Paris is the capital of France."
    assert calls == {"chunk_creator": 0, "construct": 0}
    await _run(model_server, R.text("Paris is the capital of France.", chunk_size=4), False, monkeypatch)
    assert calls["chunk_creator"] > 5  # the counters do see LiteLLM's path


async def test_tool_call_fields_of_the_wrong_type_do_not_fail_the_reply(model_server: ModelServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A string index cannot be ordered against the others (it raised TypeError, failing the
    call); a numeric id or name is not a name. LiteLLM drops such a chunk; read directly, the
    well-formed parts of the reply stay."""
    tool = {"index": "first", "id": "c1", "function": {"name": "vote", "arguments": '{"agent_id": "agent1"}'}}
    odd = {"index": 1, "id": 5, "function": {"name": 7, "arguments": ""}}
    second = {"index": 2, "id": "c2", "function": {"name": "vote", "arguments": '{"agent_id": "agent2"}'}}
    reply = R.Reply(raw_chunks=(_chunk({"tool_calls": [tool, odd, second]}), _chunk({}, "tool_calls"), USAGE))
    _events, outcome = await _run(model_server, reply, True, monkeypatch)
    assert not isinstance(outcome, tuple), outcome
    assert [(c["id"], c["function"]["name"], c["function"]["arguments"]) for c in outcome.tool_calls] == [
        ("c1", "vote", '{"agent_id": "agent1"}'), ("c2", "vote", '{"agent_id": "agent2"}')
    ]


@pytest.mark.parametrize("direct", [True, False], ids=["direct", "litellm"])
@pytest.mark.parametrize("usage", [True, False], ids=["usage then stall", "stall after finish"])
async def test_a_server_stalling_after_the_finish_chunk_keeps_the_complete_reply(
    direct: bool, usage: bool, model_server: ModelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reply is whole at its finish chunk; a server that then never sends [DONE] ran into
    the read timeout, and the complete reply was thrown away (a failed call, then a retry)."""
    if not direct and not usage:
        pytest.skip("LiteLLM's wrapper holds the finish chunk back until the usage chunk or the end")
    chunks = (_chunk({"content": "Paris."}), _chunk({}, "stop"), *((USAGE,) if usage else ()))
    monkeypatch.setattr(openai_chunks, "enabled", direct)
    model_server.script("alpha", R.Reply(raw_chunks=chunks, failure="hang", fail_after=len(chunks)))
    agent = AgentConfig(id="alpha", model="openai/alpha", api_base=model_server.url, api_key="sk-test", timeout=1)
    reply = await stream_completion(
        agent=agent, messages=[{"role": "user", "content": "Capital of France?"}], tools=None,
        orchestrator=OrchestratorConfig(text_coalesce_ms=0, provider_retries=0), emit=lambda _e: None, phase="coordination",
        on_retry=lambda _n: None, coalescer_holder=[],
    )
    assert reply.text == "Paris."
