"""The loopback model server, proven through real LiteLLM (and the wire, for the CLI mode).

Findings the engine relies on (LiteLLM 1.110.2, openai SDK 3.x underneath):
- LiteLLM's `openai/` provider retries through the openai SDK (2 retries by default,
  honouring Retry-After). `num_retries=0` or `max_retries=0` each make it exactly one request.
- A 429's headers are on the exception, case-insensitively: `exc.response.headers["retry-after"]`
  (httpx.Headers) and the same object as `exc.litellm_response_headers`.
- A stream cut mid-way raises `litellm.MidStreamFallbackError` (a ServiceUnavailableError);
  a stalled stream raises `litellm.Timeout` once the request's `timeout` passes.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from mgtui.providers.litellm_access import get_litellm
from tests.support import replies as R
from tests.support.model_server import ModelServer
from tests.support.openai_wire import usage_for

USER = [{"role": "user", "content": "What is the capital of France?"}]


def workflow_tools(enum: list[str]) -> list[dict[str, Any]]:
    """new_answer, plus vote when `enum` is non-empty (the shape the engine sends)."""
    tools: list[dict[str, Any]] = [
        {"type": "function", "function": {"name": "new_answer", "parameters": {"type": "object", "properties": {"content": {"type": "string"}}}}}
    ]
    if enum:
        props = {"agent_id": {"type": "string", "enum": enum}, "reason": {"type": "string"}}
        tools.append({"type": "function", "function": {"name": "vote", "parameters": {"type": "object", "properties": props}}})
    return tools


async def stream(server: ModelServer, model: str, messages: list[dict[str, Any]] = USER, **kwargs: Any) -> dict[str, Any]:
    """One streamed completion through LiteLLM, reassembled the way the engine has to."""
    litellm = get_litellm()
    response = await litellm.acompletion(
        model=f"openai/{model}",
        api_base=server.url,
        api_key="sk-test",
        messages=messages,
        stream=True,
        stream_options={"include_usage": True},
        num_retries=0,
        **kwargs,
    )
    out: dict[str, Any] = {"deltas": [], "calls": {}, "finish": None, "usage": None}
    async for chunk in response:
        if getattr(chunk, "usage", None):
            out["usage"] = chunk.usage
        for choice in chunk.choices:
            if choice.delta.content:
                out["deltas"].append(choice.delta.content)
            for call in choice.delta.tool_calls or []:
                slot = out["calls"].setdefault(call.index, {"id": None, "name": "", "arguments": ""})
                slot["id"] = slot["id"] or call.id
                slot["name"] += call.function.name or ""
                slot["arguments"] += call.function.arguments or ""
            out["finish"] = choice.finish_reason or out["finish"]
    out["text"] = "".join(out["deltas"])
    return out


async def test_streamed_text_reassembles_from_several_deltas(model_server: ModelServer) -> None:
    content = "Paris is the capital of France, on the Seine."
    model_server.script("alpha", R.text(content, chunk_size=6))
    result = await stream(model_server, "alpha")
    assert result["text"] == content
    assert len(result["deltas"]) == len(content) // 6 + 1
    assert result["finish"] == "stop"


async def test_streamed_tool_call_arguments_reassemble_into_json(model_server: ModelServer) -> None:
    arguments = {"agent_id": "agent2", "reason": "complete and correct, with a \"quote\" and ünïcode"}
    model_server.script("alpha", R.tool_call("vote", arguments, text="Let me vote.", chunk_size=5))
    result = await stream(model_server, "alpha", tools=workflow_tools(["agent1", "agent2"]))
    assert result["text"] == "Let me vote."
    assert list(result["calls"]) == [0]
    call = result["calls"][0]
    assert call["name"] == "vote" and call["id"]
    assert json.loads(call["arguments"]) == arguments
    assert result["finish"] == "tool_calls"


async def test_two_tool_calls_in_one_response_keep_their_indexes(model_server: ModelServer) -> None:
    model_server.script("alpha", R.tool_calls([("new_answer", {"content": "A"}), ("vote", {"agent_id": "agent1", "reason": "r"})]))
    result = await stream(model_server, "alpha", tools=workflow_tools(["agent1"]))
    assert [result["calls"][i]["name"] for i in sorted(result["calls"])] == ["new_answer", "vote"]
    assert json.loads(result["calls"][1]["arguments"]) == {"agent_id": "agent1", "reason": "r"}
    assert result["calls"][0]["id"] != result["calls"][1]["id"]


async def test_usage_arrives_when_requested(model_server: ModelServer) -> None:
    reply = R.text("Usage, please.")
    model_server.script("alpha", reply)
    result = await stream(model_server, "alpha")
    (request,) = model_server.requests_for("alpha")
    assert request.include_usage
    expected = usage_for(request, reply)
    assert result["usage"].prompt_tokens == expected["prompt_tokens"]
    assert result["usage"].completion_tokens == expected["completion_tokens"]


async def test_non_streaming_tool_call(model_server: ModelServer) -> None:
    model_server.script("alpha", R.new_answer("Paris."))
    response = await get_litellm().acompletion(
        model="openai/alpha", api_base=model_server.url, api_key="sk-test", messages=USER, tools=workflow_tools([]), num_retries=0
    )
    (call,) = response.choices[0].message.tool_calls
    assert call.function.name == "new_answer"
    assert json.loads(call.function.arguments) == {"content": "Paris."}
    assert response.usage.total_tokens > 0


@pytest.mark.parametrize("no_retry", [{"num_retries": 0}, {"max_retries": 0}])
async def test_http_500_is_internal_server_error_without_hidden_retries(model_server: ModelServer, no_retry: dict[str, int]) -> None:
    litellm = get_litellm()
    model_server.script("alpha", R.error(500, "the model fell over"))
    with pytest.raises(litellm.InternalServerError) as caught:
        response = await litellm.acompletion(
            model="openai/alpha", api_base=model_server.url, api_key="sk-test", messages=USER, stream=True, **no_retry
        )
        async for _chunk in response:
            pass
    assert caught.value.status_code == 500
    assert "the model fell over" in str(caught.value)
    assert len(model_server.requests_for("alpha")) == 1


async def test_429_is_rate_limit_error_with_retry_after_reachable(model_server: ModelServer) -> None:
    litellm = get_litellm()
    model_server.script("alpha", R.rate_limited(7))
    with pytest.raises(litellm.RateLimitError) as caught:
        await stream(model_server, "alpha")
    exc = caught.value
    # Both are the response's httpx.Headers (case-insensitive lookups).
    assert exc.response.headers["Retry-After"] == "7"
    assert exc.litellm_response_headers["retry-after"] == "7"
    assert len(model_server.requests_for("alpha")) == 1


async def test_stream_aborted_midway_raises_after_partial_text(model_server: ModelServer) -> None:
    litellm = get_litellm()
    model_server.script("alpha", R.text("one two three four five six", chunk_size=4, fail_after=3, failure="abort"))
    deltas: list[str] = []
    with pytest.raises(litellm.ServiceUnavailableError):
        response = await litellm.acompletion(
            model="openai/alpha", api_base=model_server.url, api_key="sk-test", messages=USER, stream=True, num_retries=0
        )
        async for chunk in response:
            deltas += [c.delta.content for c in chunk.choices if c.delta.content]
    assert deltas == ["one ", "two "]  # chunks 2-3 of 3 sent (the first only carries the role)
    (served,) = model_server.served
    assert (served.outcome, served.chunks_sent) == ("aborted", 3)


async def test_hanging_stream_times_out_on_the_client(model_server: ModelServer) -> None:
    litellm = get_litellm()
    model_server.script("alpha", R.text("stalls after this", chunk_size=6, fail_after=2, failure="hang"))
    with pytest.raises(litellm.Timeout):
        await stream(model_server, "alpha", timeout=0.5)
    assert model_server.served[0].outcome == "hanging"


async def test_held_reply_waits_for_the_test(model_server: ModelServer) -> None:
    release = threading.Event()
    model_server.script("alpha", R.text("released", hold=release))
    call = asyncio.create_task(stream(model_server, "alpha"))
    await model_server.wait_until_async(lambda s: len(s.requests_for("alpha")) == 1)
    await asyncio.sleep(0.05)  # give a wrongly unheld reply the chance to complete
    assert not call.done() and not model_server.served
    release.set()
    assert (await call)["text"] == "released"


async def test_answer_then_vote_policy(model_server: ModelServer) -> None:
    model_server.script("alpha", R.answer_then_vote("Paris.", vote_for="agent2", final="Final: Paris."))
    first = await stream(model_server, "alpha", tools=workflow_tools([]))
    assert first["calls"][0]["name"] == "new_answer"
    assert json.loads(first["calls"][0]["arguments"]) == {"content": "Paris."}

    second = await stream(model_server, "alpha", tools=workflow_tools(["agent1", "agent2"]))
    assert second["calls"][0]["name"] == "vote"
    assert json.loads(second["calls"][0]["arguments"])["agent_id"] == "agent2"

    # agent2 has not answered yet: the vote goes to an id that is offered.
    third = await stream(model_server, "alpha", tools=workflow_tools(["agent1"]))
    assert json.loads(third["calls"][0]["arguments"])["agent_id"] == "agent1"

    final = await stream(model_server, "alpha")
    assert final["text"] == "Final: Paris." and not final["calls"]


async def test_script_list_is_consumed_in_order_and_requests_are_recorded(model_server: ModelServer) -> None:
    model_server.script("alpha", [R.text("first"), R.text("second")])
    model_server.script("beta", R.text("beta"))
    texts = [(await stream(model_server, "alpha"))["text"] for _ in range(3)]
    await stream(model_server, "beta", messages=[{"role": "system", "content": "Be terse."}, *USER])
    assert texts == ["first", "second", "second"]
    alpha = model_server.requests_for("alpha")
    assert [r.call_index for r in alpha] == [0, 1, 2]
    (beta,) = model_server.requests_for("beta")
    assert beta.system_text == "Be terse."
    assert beta.last_user_text == USER[0]["content"]
    assert beta.headers["authorization"] == "Bearer sk-test"
    assert [r.model for r in model_server.requests] == ["alpha"] * 3 + ["beta"]


async def test_a_script_that_raises_is_reported() -> None:
    def broken(_request: R.RecordedRequest, _index: int) -> R.Reply:
        raise RuntimeError("bug in the test script")

    with ModelServer(default=broken) as server, pytest.raises(get_litellm().InternalServerError):
        await stream(server, "alpha")
    assert "bug in the test script" in server.script_errors[0]


def test_models_endpoint_lists_scripted_models(model_server: ModelServer) -> None:
    model_server.script("alpha", R.text("a"))
    data = httpx.get(f"{model_server.url}/models").json()
    assert [m["id"] for m in data["data"]] == ["alpha"]


def test_command_line_server_serves_a_script_file(tmp_path: Path) -> None:
    script = {"default": {"policy": "answer_then_vote", "answer": "Default."}, "models": {"alpha": [{"text": "from file"}]}}
    (tmp_path / "script.json").write_text(json.dumps(script))
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.model_server", "--port", "0", "--script", str(tmp_path / "script.json")],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().split()[-1]
        body = {"model": "alpha", "messages": USER}
        alpha = httpx.post(f"{url}/chat/completions", json=body).json()
        other = httpx.post(f"{url}/chat/completions", json={**body, "model": "zeta", "tools": workflow_tools([])}).json()
    finally:
        proc.terminate()
        assert proc.wait(timeout=30) == 0
    assert alpha["choices"][0]["message"]["content"] == "from file"
    (call,) = other["choices"][0]["message"]["tool_calls"]
    assert json.loads(call["function"]["arguments"]) == {"content": "Default."}
