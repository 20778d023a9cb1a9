"""A streamed reply is taken at its finish chunk (the usage read from the provider's stream):
LiteLLM's end-of-stream bookkeeping (rebuilding the response, cost lookup, success callbacks) is
skipped, because it ran on the critical path between phases."""

from __future__ import annotations

import asyncio

import pytest

from mgtui.config.models import AgentConfig, OrchestratorConfig
from mgtui.engine.streaming import stream_completion
from mgtui.providers.litellm_access import get_litellm
from tests.support import replies as R
from tests.support.model_server import ModelServer


async def test_the_reply_is_complete_without_litellms_success_handlers(model_server: ModelServer) -> None:
    litellm = get_litellm()
    from litellm.integrations.custom_logger import CustomLogger

    class Counter(CustomLogger):
        successes = 0

        async def async_log_success_event(self, kwargs, response_obj, start_time, end_time) -> None:  # noqa: ANN001
            Counter.successes += 1

    model_server.script("alpha", R.new_answer("Paris, with enough words to stream in chunks.", chunk_size=8))
    agent = AgentConfig(id="alpha", model="openai/alpha", api_base=model_server.url, api_key="sk-test")
    events: list[object] = []
    counter = Counter()
    litellm.callbacks.append(counter)
    try:
        reply = await stream_completion(
            agent=agent, messages=[{"role": "user", "content": "Capital of France?"}], tools=None,
            orchestrator=OrchestratorConfig(text_coalesce_ms=0), emit=events.append, phase="coordination",
            on_retry=lambda _n: None, coalescer_holder=[],
        )
        await asyncio.sleep(0.3)  # LiteLLM schedules its success handlers as tasks after the stream
    finally:
        litellm.callbacks.remove(counter)
    assert reply.tool_calls[0]["function"]["name"] == "new_answer"
    assert '"Paris, with enough words' in reply.tool_calls[0]["function"]["arguments"]
    assert reply.prompt_tokens > 0 and reply.completion_tokens > 0
    assert Counter.successes == 0


async def test_chunks_are_read_through_one_iterator_not_one_generator_each(model_server: ModelServer) -> None:
    """LiteLLM's wrapper opens `async for` on its source for every chunk; over the OpenAI SDK's
    stream that made (and threw away) one async generator per chunk. Counted with asyncio's
    first-iteration hook: a long reply must cost a fixed handful, not one per chunk."""
    import sys

    answer = " ".join(f"word{i}" for i in range(200))
    model_server.script("alpha", R.text(answer, chunk_size=4))  # ~350 chunks
    agent = AgentConfig(id="alpha", model="openai/alpha", api_base=model_server.url, api_key="sk-test")
    started: list[object] = []
    firstiter, finalizer = sys.get_asyncgen_hooks()

    def count(agen: object) -> None:
        started.append(agen)
        if firstiter is not None:
            firstiter(agen)

    sys.set_asyncgen_hooks(firstiter=count, finalizer=finalizer)
    try:
        reply = await stream_completion(
            agent=agent, messages=[{"role": "user", "content": "Count."}], tools=None,
            orchestrator=OrchestratorConfig(text_coalesce_ms=0), emit=lambda _e: None, phase="coordination",
            on_retry=lambda _n: None, coalescer_holder=[],
        )
    finally:
        sys.set_asyncgen_hooks(firstiter=firstiter, finalizer=finalizer)
    assert reply.text == answer
    assert len(started) < 30, f"{len(started)} async generators for one streamed reply"


async def test_litellm_does_not_rebuild_or_price_the_finished_reply(model_server: ModelServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """LiteLLM keeps the usage chunk until the stream ends, then rebuilds the whole response
    (`stream_chunk_builder`) and prices it. The engine takes the reply at its finish chunk and
    reads the usage from the provider's stream, so none of that runs, and the usage is kept."""
    litellm = get_litellm()
    built: list[object] = []
    real_builder = litellm.stream_chunk_builder

    def counting_builder(*args: object, **kwargs: object) -> object:
        built.append(args)
        return real_builder(*args, **kwargs)

    monkeypatch.setattr(litellm, "stream_chunk_builder", counting_builder)
    model_server.script("alpha", R.new_answer("Paris, with enough words to stream in chunks.", chunk_size=8))
    agent = AgentConfig(id="alpha", model="openai/alpha", api_base=model_server.url, api_key="sk-test")
    events: list[object] = []
    reply = await stream_completion(
        agent=agent, messages=[{"role": "user", "content": "Capital of France?"}], tools=None,
        orchestrator=OrchestratorConfig(text_coalesce_ms=0), emit=events.append, phase="coordination",
        on_retry=lambda _n: None, coalescer_holder=[],
    )
    await asyncio.sleep(0.1)  # anything LiteLLM scheduled at the stream's end has run by now
    assert '"Paris, with enough words' in reply.tool_calls[0]["function"]["arguments"]
    assert reply.prompt_tokens > 0 and reply.completion_tokens > 0
    assert [type(e).__name__ for e in events].count("Usage") == 1
    assert built == []


async def test_a_server_that_reports_no_usage_still_gets_token_counts(model_server: ModelServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a usage chunk the tokens are counted the way LiteLLM counted them at the end."""
    monkeypatch.setattr(R.RecordedRequest, "include_usage", property(lambda _self: False))
    model_server.script("alpha", R.new_answer("Paris, with enough words to stream in chunks.", chunk_size=8))
    agent = AgentConfig(id="alpha", model="openai/alpha", api_base=model_server.url, api_key="sk-test")
    reply = await stream_completion(
        agent=agent, messages=[{"role": "user", "content": "Capital of France?"}], tools=None,
        orchestrator=OrchestratorConfig(text_coalesce_ms=0), emit=lambda _e: None, phase="coordination",
        on_retry=lambda _n: None, coalescer_holder=[],
    )
    assert '"Paris, with enough words' in reply.tool_calls[0]["function"]["arguments"]
    assert reply.prompt_tokens > 0 and reply.completion_tokens > 0
