"""LiteLLM's per-call set-up runs on one thread of its own (engine/call_setup.py): real calls
through LiteLLM to the loopback server, with the thread that ran each set-up recorded."""

from __future__ import annotations

import asyncio
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from mgtui.config.models import AgentConfig, OrchestratorConfig
from mgtui.engine import call_setup
from mgtui.engine.streaming import stream_completion
from mgtui.providers.litellm_access import get_litellm
from tests.support import replies as R
from tests.support.model_server import ModelServer


@pytest.fixture
def setup_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of the thread each LiteLLM call set-up (its synchronous `completion`) ran on."""
    import litellm.main  # noqa: PLC0415 - after get_litellm's offline switches

    get_litellm()
    names: list[str] = []
    original = litellm.main.completion

    def recorded(*args: Any, **kwargs: Any) -> Any:
        names.append(threading.current_thread().name)
        return original(*args, **kwargs)

    monkeypatch.setattr(litellm.main, "completion", recorded)
    return names


async def _ask(server: ModelServer, agent_id: str, model: str | None = None, api_base: str | None = None) -> str:
    agent = AgentConfig(id=agent_id, model=model or f"openai/{agent_id}", api_base=api_base or server.url, api_key="sk-test")
    reply = await stream_completion(
        agent=agent, messages=[{"role": "user", "content": "Capital of France?"}], tools=None,
        orchestrator=OrchestratorConfig(text_coalesce_ms=0, provider_retries=0), emit=lambda _e: None, phase="coordination",
        on_retry=lambda _n: None, coalescer_holder=[],
    )
    return reply.text


async def test_a_team_s_call_set_ups_run_one_after_another_on_one_thread(model_server: ModelServer, setup_threads: list[str]) -> None:
    model_server.set_default(R.text("Paris.", first_byte_delay=0.05))
    agents = [f"agent{i}" for i in range(6)]
    texts = await asyncio.gather(*(_ask(model_server, a) for a in agents))
    assert texts == ["Paris."] * len(agents)
    assert len(setup_threads) == len(agents)
    assert {name.rsplit("_", 1)[0] for name in setup_threads} == {call_setup.THREAD_NAME}, setup_threads
    assert len(set(setup_threads)) == 1  # one thread, not a pool


async def test_providers_whose_set_up_may_wait_on_the_network_keep_the_shared_pool() -> None:
    assert call_setup.routed("openai/alpha") and call_setup.routed("hosted_vllm/qwen")
    for model in ("ollama/llama3", "vertex_ai/gemini-pro", "bedrock/claude", "gpt-4o", "local/smollm2", "openai/"):
        assert not call_setup.routed(model), model


async def test_other_work_still_goes_to_the_executor_the_loop_had(model_server: ModelServer, setup_threads: list[str]) -> None:
    loop = asyncio.get_running_loop()
    mine = ThreadPoolExecutor(max_workers=1, thread_name_prefix="callers-own")
    loop.set_default_executor(mine)
    model_server.set_default(R.text("Paris."))
    assert await _ask(model_server, "alpha") == "Paris."
    assert setup_threads and setup_threads[0].startswith(call_setup.THREAD_NAME)
    worker = await loop.run_in_executor(None, lambda: threading.current_thread().name)
    assert worker.startswith("callers-own")

    # A DNS lookup made while a call is being set up must not queue behind the set-ups.
    release = threading.Event()
    with call_setup.queued_setup("openai/alpha"):
        blocked = loop.run_in_executor(None, release.wait, 10)  # holds the set-up thread
        try:
            found = await asyncio.wait_for(loop.getaddrinfo("127.0.0.1", 80, type=socket.SOCK_STREAM), timeout=5)
        finally:
            release.set()
        assert found and await blocked


def test_the_set_up_thread_ends_with_the_loop(model_server: ModelServer, setup_threads: list[str]) -> None:
    model_server.set_default(R.text("Paris."))
    assert asyncio.run(_ask(model_server, "alpha")) == "Paris."
    assert setup_threads[0].startswith(call_setup.THREAD_NAME)
    assert not [t for t in threading.enumerate() if t.name.startswith(call_setup.THREAD_NAME)]


async def test_only_the_set_up_itself_takes_the_set_up_thread() -> None:
    # Whatever else a call hands the executor after its set-up (the OpenAI SDK's platform probe,
    # a lookup) must not queue behind the other agents' set-ups.
    loop = asyncio.get_running_loop()
    with call_setup.queued_setup("openai/alpha"):
        first = await loop.run_in_executor(None, lambda: threading.current_thread().name)
        then = await loop.run_in_executor(None, lambda: threading.current_thread().name)
    assert first.startswith(call_setup.THREAD_NAME)
    assert not then.startswith(call_setup.THREAD_NAME), then


async def test_a_slow_lookup_through_a_resolver_shim_does_not_hold_up_the_team(
    model_server: ModelServer, setup_threads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A resolver shim (IPv4-only, DNS cache, test harness) replaces socket.getaddrinfo after
    # start-up, so asyncio's lookups are no longer the function the executor recognises. One
    # agent's host resolves slowly (here: until released): the others must still be answered.
    model_server.set_default(R.text("Paris."))
    assert await _ask(model_server, "warm") == "Paris."  # LiteLLM's clients are ready
    real, release, entered = socket.getaddrinfo, threading.Event(), threading.Event()

    def shim(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "slow.test":
            entered.set()
            release.wait(60)
            host = "127.0.0.1"
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", shim)
    slow = asyncio.create_task(_ask(model_server, "slow", api_base=model_server.url.replace("127.0.0.1", "slow.test")))
    try:
        await asyncio.to_thread(entered.wait, 30)
        assert entered.is_set()
        others = await asyncio.wait_for(asyncio.gather(*(_ask(model_server, f"agent{i}") for i in range(4))), timeout=20)
        assert others == ["Paris."] * 4
        assert not release.is_set()
    finally:
        release.set()
    assert await slow == "Paris."
