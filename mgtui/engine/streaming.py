"""One streamed LiteLLM call: text deltas out through a coalescer, tool calls reassembled,
usage counted, provider errors retried with backoff that honours Retry-After."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mgtui.config.models import AgentConfig, OrchestratorConfig
from mgtui.engine.draft import DraftDecoder
from mgtui.engine.events import AgentError, TextDelta, Usage
from mgtui.engine.protocol import NEW_ANSWER
from mgtui.providers.litellm_access import get_litellm

Emit = Callable[[Any], None]


class ProviderFailed(Exception):
    """The provider kept failing (or failed in a way retrying cannot fix)."""


@dataclass
class StreamedReply:
    text: str = ""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)  # OpenAI-shaped, arguments as str
    prompt_tokens: int = 0
    completion_tokens: int = 0


class TextCoalescer:
    """Batches text deltas per agent for `interval` seconds so the log and the pipe stay small."""

    def __init__(self, emit: Emit, agent: str, phase: str, interval: float) -> None:
        self._emit, self._agent, self._phase, self._interval = emit, agent, phase, interval
        self._buffer: list[str] = []
        self._timer: asyncio.TimerHandle | None = None
        self.total = ""  # everything seen this call, kept for partial answers on cancel

    def add(self, delta: str) -> None:
        if not delta:
            return
        self._buffer.append(delta)
        self.total += delta
        if self._interval <= 0:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._interval, self.flush)

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._buffer:
            text, self._buffer = "".join(self._buffer), []
            self._emit(TextDelta(agent=self._agent, delta=text, phase=self._phase))  # type: ignore[arg-type]


_RETRYABLE = (
    "RateLimitError",
    "InternalServerError",
    "ServiceUnavailableError",
    "BadGatewayError",
    "APIConnectionError",
    "Timeout",
    "APIError",
)


def _is_retryable(exc: BaseException) -> bool:
    status = getattr(exc, "status_code", None)
    if isinstance(status, int) and (status == 429 or status >= 500):
        return True
    names = {cls.__name__ for cls in type(exc).__mro__}
    if names & {"AuthenticationError", "BadRequestError", "NotFoundError", "PermissionDeniedError", "ContextWindowExceededError"}:
        return False
    return bool(names & set(_RETRYABLE))


def retry_after_seconds(exc: BaseException) -> float | None:
    """Read Retry-After (seconds) from a LiteLLM exception's HTTP response headers."""
    candidates = [getattr(exc, "litellm_response_headers", None), getattr(exc, "headers", None)]
    response = getattr(exc, "response", None)
    candidates.append(getattr(response, "headers", None))
    for headers in candidates:
        if not headers:
            continue
        try:
            value = headers.get("retry-after") or headers.get("Retry-After")
        except AttributeError:
            continue
        if value is not None:
            try:
                return max(0.0, float(value))
            except ValueError:
                return None
    return None


def short_error(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"{type(exc).__name__}: {text[:300]}"


def _merge_tool_delta(calls: list[dict[str, Any]], delta: Any) -> dict[str, Any]:
    index = getattr(delta, "index", None)
    if index is None:
        index = len(calls)
    while len(calls) <= index:
        calls.append({"id": "", "type": "function", "function": {"name": "", "arguments": ""}})
    call = calls[index]
    if getattr(delta, "id", None):
        call["id"] = delta.id
    function = getattr(delta, "function", None)
    if function is not None:
        if getattr(function, "name", None):
            call["function"]["name"] = function.name
        if getattr(function, "arguments", None):
            call["function"]["arguments"] += function.arguments
    return call


async def _close(response: Any) -> None:
    close = getattr(response, "aclose", None)
    if close is not None:
        try:
            await close()
        except Exception:  # the reply is complete; a failing close must not lose it
            pass


async def _stream_once(
    agent: AgentConfig, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None, coalescer: TextCoalescer
) -> StreamedReply:
    litellm = get_litellm()
    kwargs: dict[str, Any] = agent.litellm_params()
    kwargs.update(num_retries=0, max_retries=0, stream=True, stream_options={"include_usage": True})
    if tools:
        kwargs["tools"] = tools
    response = await litellm.acompletion(model=agent.model, messages=messages, **kwargs)
    reply = StreamedReply()
    drafts: dict[int, DraftDecoder] = {}
    finished = False
    async for chunk in response:
        usage = getattr(chunk, "usage", None)
        if usage:
            reply.prompt_tokens = getattr(usage, "prompt_tokens", 0) or reply.prompt_tokens
            reply.completion_tokens = getattr(usage, "completion_tokens", 0) or reply.completion_tokens
            if finished:
                # The usage chunk after the finish is the last one. Asking for more only runs
                # LiteLLM's success callbacks and cost lookup (~20 ms of CPU per call, on the
                # critical path when a whole team finishes at once); the engine needs neither.
                await _close(response)
                break
        for choice in getattr(chunk, "choices", None) or []:
            finished = finished or bool(getattr(choice, "finish_reason", None))
            delta = getattr(choice, "delta", None)
            if delta is None:
                continue
            content = getattr(delta, "content", None)
            if content:
                reply.text += content
                coalescer.add(content)
            for tool_delta in getattr(delta, "tool_calls", None) or []:
                call = _merge_tool_delta(reply.tool_calls, tool_delta)
                if call["function"]["name"] == NEW_ANSWER:  # show the answer as it is written
                    decoder = drafts.setdefault(id(call), DraftDecoder())
                    coalescer.add(decoder.feed(call["function"]["arguments"]))
    coalescer.flush()
    reply.tool_calls = [c for c in reply.tool_calls if c["function"]["name"]]
    for i, call in enumerate(reply.tool_calls):
        call["id"] = call["id"] or f"call_{i}"
    return reply


async def stream_completion(
    *,
    agent: AgentConfig,
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]] | None,
    orchestrator: OrchestratorConfig,
    emit: Emit,
    phase: str,
    on_retry: Callable[[int], None],
    coalescer_holder: list[TextCoalescer],
) -> StreamedReply:
    """Stream one reply, retrying provider errors; raises ProviderFailed when out of retries."""
    attempt = 0
    while True:
        coalescer = TextCoalescer(emit, agent.id, phase, orchestrator.text_coalesce_ms / 1000)
        coalescer_holder[:] = [coalescer]
        try:
            reply = await _stream_once(agent, messages, tools, coalescer)
        except asyncio.CancelledError:
            coalescer.flush()
            raise
        except Exception as exc:  # provider errors arrive as many LiteLLM/httpx types
            coalescer.flush()
            retryable = _is_retryable(exc)
            if not retryable or attempt >= orchestrator.provider_retries:
                raise ProviderFailed(short_error(exc)) from exc
            delay = retry_after_seconds(exc)
            if delay is not None and delay > orchestrator.max_retry_after_seconds:
                raise ProviderFailed(f"{short_error(exc)} (asks to retry after {delay:g}s, over max_retry_after_seconds)") from exc
            if delay is None:
                backoff = orchestrator.retry_base_seconds * (2**attempt)
                delay = min(orchestrator.retry_max_seconds, backoff * (0.75 + random.random() / 2))
            attempt += 1
            emit(AgentError(agent=agent.id, error=short_error(exc), fatal=False, kind="provider", retry_in=round(delay, 3)))
            await asyncio.sleep(delay)
            on_retry(attempt)
            continue
        if reply.prompt_tokens or reply.completion_tokens:
            emit(Usage(agent=agent.id, prompt_tokens=reply.prompt_tokens, completion_tokens=reply.completion_tokens))
        return reply
