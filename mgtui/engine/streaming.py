"""One streamed LiteLLM call: text deltas out through a coalescer, tool calls reassembled,
usage counted, provider errors retried with backoff that honours Retry-After."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mgtui.config.models import AgentConfig, OrchestratorConfig
from mgtui.engine import call_setup, openai_chunks, server_gate
from mgtui.engine.events import AgentError, TextDelta, Usage
from mgtui.engine.provider_errors import StreamCut, describe, ended_without_finish, full_text
from mgtui.engine.reply_builder import ReplyBuilder
from mgtui.providers.litellm_access import get_litellm

Emit = Callable[[Any], None]


class ProviderFailed(Exception):
    """The provider kept failing (or failed in a way retrying cannot fix). The message is one
    readable line; `detail` is everything the provider said (for the log)."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


@dataclass
class StreamedReply:
    text: str = ""  # the content, without reasoning
    tool_calls: list[dict[str, Any]] = field(default_factory=list)  # OpenAI-shaped, arguments as str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning: str = ""  # reasoning_content and <think> blocks: shown, never part of an answer
    unterminated: bool = False  # the stream ended without a finish_reason (taken as complete)


class TextCoalescer:
    """Batches text deltas per agent for `interval` seconds so the log and the pipe stay small."""

    def __init__(self, emit: Emit, agent: str, phase: str, interval: float) -> None:
        self._emit, self._agent, self._phase, self._interval = emit, agent, phase, interval
        self._buffer: list[str] = []
        self._buffer_phase = phase
        self._timer: asyncio.TimerHandle | None = None
        # Everything seen this call (kept for partial answers on cancel), as parts: `+=` on one
        # growing string copied all of it on every delta (480k chars: seconds instead of ms).
        self._parts: list[str] = []
        self.drafting_answer = False  # a new_answer call is being written (its answer lands soon)

    @property
    def total(self) -> str:
        if len(self._parts) > 1:
            self._parts[:] = ["".join(self._parts)]
        return self._parts[0] if self._parts else ""

    def add(self, delta: str, reasoning: bool = False) -> None:
        if not delta:
            return
        phase = "reasoning" if reasoning else self._phase
        if phase != self._buffer_phase:
            self.flush()  # one text event never mixes thinking and answer text
            self._buffer_phase = phase
        self._buffer.append(delta)
        if not reasoning:
            self._parts.append(delta)
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
            self._emit(TextDelta(agent=self._agent, delta=text, phase=self._buffer_phase))  # type: ignore[arg-type]


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


class _OneIterator:
    """The provider's chunk stream behind one iterator that lives as long as the stream.

    LiteLLM's stream wrapper runs `async for chunk in completion_stream` inside every
    `__anext__`, so each chunk opens a new async generator over the OpenAI stream and drops it:
    asyncio then finalises one generator per chunk (a wake-up of the loop through its
    self-pipe, a task to close it) - about a fifth of the CPU each streamed chunk costs.
    `__aiter__` returning itself keeps LiteLLM's own chunk handling and leaves out the waste.
    """

    __slots__ = ("_iterator", "_stream")

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._iterator = stream.__aiter__()

    def __aiter__(self) -> _OneIterator:
        return self

    async def __anext__(self) -> Any:
        return await self._iterator.__anext__()

    async def aclose(self) -> None:
        """LiteLLM closes its source this way: end our iterator, then the HTTP response."""
        closer = getattr(self._iterator, "aclose", None)
        if closer is not None:
            await closer()
        close = getattr(self._stream, "aclose", None) or getattr(self._stream, "close", None)
        if close is not None:
            result = close()
            if hasattr(result, "__await__"):
                await result

    def __getattr__(self, name: str) -> Any:  # `response` and the like of the wrapped stream
        return getattr(self._stream, name)


def _iterate_once(response: Any) -> _OneIterator | None:
    """Give LiteLLM's wrapper a chunk source that is iterated once (see _OneIterator); None
    for providers whose wrapper opens its source lazily (it is read through LiteLLM only)."""
    source = getattr(response, "completion_stream", None)
    if source is None or not hasattr(source, "__aiter__"):
        return None
    if not isinstance(source, _OneIterator):
        source = response.completion_stream = _OneIterator(source)
    return source


async def _close(response: Any) -> None:
    close = getattr(response, "aclose", None)
    if close is not None:
        try:
            await close()
        except Exception:  # the reply is complete; a failing close must not lose it
            pass


async def _stream_once(
    agent: AgentConfig,
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]] | None,
    builder: ReplyBuilder,
    tool_choice: Any = None,
) -> StreamedReply:
    """One call; `builder` keeps what arrived even when the stream breaks."""
    litellm = get_litellm()
    kwargs: dict[str, Any] = agent.litellm_params()
    kwargs.update(num_retries=0, max_retries=0, stream=True, stream_options={"include_usage": True})
    if tools:
        kwargs["tools"] = tools
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
    with call_setup.queued_setup(agent.model):
        response = await litellm.acompletion(model=agent.model, messages=messages, **kwargs)
    direct = openai_chunks.openai_source(response)
    if direct is not None:  # OpenAI-format chunks: read by us, not rebuilt twice per chunk
        await openai_chunks.read_openai_chunks(litellm, response, direct, builder)
        read_to_the_end = True
    else:
        read_to_the_end = await _read_through_litellm(response, builder)
    if read_to_the_end and not (builder.prompt_tokens or builder.completion_tokens):
        _estimate_usage(litellm, agent.model, messages, builder)  # what LiteLLM does for a server without usage
    if builder.finished:
        await _close(response)
    reply: StreamedReply = builder.reply()
    return reply


async def _read_through_litellm(response: Any, builder: ReplyBuilder) -> bool:
    """Feed LiteLLM's stream wrapper's chunks to `builder`; True when the rest of the stream
    after the finish chunk was read from the provider's stream (its usage is then ours to count).

    The reply is whole at its finish chunk. LiteLLM holds the usage chunk back until the
    stream's end and then rebuilds the whole response, prices it (an unknown model's failed
    price lookup formats a traceback) and runs its success callbacks: a third of the engine's
    CPU, on the critical path when a whole team finishes at once.
    """
    source = _iterate_once(response)
    async for chunk in response:
        builder.chunk(chunk)
        if builder.finished and (source is not None or getattr(chunk, "usage", None)):
            break
    if builder.finished and source is not None:
        await _read_rest(source, builder)
        return True
    return False


async def _read_rest(source: Any, builder: ReplyBuilder) -> None:
    """The chunks after the finish chunk (the usage). A server that stalls before [DONE]
    runs into the read timeout; the reply was whole at its finish chunk and stays a reply."""
    import httpx  # noqa: PLC0415 - loaded with LiteLLM
    from openai import APITimeoutError  # noqa: PLC0415

    try:
        async for raw in source:
            builder.chunk(raw)
    except (httpx.ReadTimeout, APITimeoutError):
        pass


def _estimate_usage(litellm: Any, model: str, messages: list[dict[str, Any]], builder: ReplyBuilder) -> None:
    """Token counts for a server that reports no usage, counted the way LiteLLM counts them."""
    try:
        builder.prompt_tokens = int(litellm.token_counter(model=model, messages=messages))
        builder.completion_tokens = int(litellm.token_counter(model=model, text=builder.output_text(), count_response_tokens=True))
    except Exception:  # an estimate only: no count is better than a failed reply
        pass


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
    tool_choice: Any = None,
) -> StreamedReply:
    """Stream one reply, retrying provider errors; raises ProviderFailed when out of retries.

    A stream that ends without a finish_reason but holds complete text or complete tool calls
    is a finished reply (llama.cpp's server ends a stream that way when another request
    comes in); one cut mid tool call is an error like any other, and retried.
    """
    attempt = 0
    while True:
        coalescer = TextCoalescer(emit, agent.id, phase, orchestrator.text_coalesce_ms / 1000)
        coalescer_holder[:] = [coalescer]
        builder = ReplyBuilder(coalescer)
        server = server_gate.server_key(agent.api_base, agent.model)
        try:
            try:
                async with server_gate.gate(server):
                    reply = await _stream_once(agent, messages, tools, builder, tool_choice)
            except Exception as exc:
                if not ended_without_finish(exc):
                    raise
                server_gate.mark_serial(server)  # it cuts streams: one request at a time from now on
                problem = builder.problem()
                if problem is not None:
                    raise StreamCut(f"{problem} ({describe(exc, agent.api_base)})") from exc
                reply = builder.reply(unterminated=True)
        except asyncio.CancelledError:
            coalescer.flush()
            raise
        except Exception as exc:  # provider errors arrive as many LiteLLM/httpx types
            coalescer.flush()
            line, detail = describe(exc, agent.api_base), full_text(exc)
            retryable = _is_retryable(exc)
            if not retryable or attempt >= orchestrator.provider_retries:
                raise ProviderFailed(line, detail) from exc
            delay = retry_after_seconds(exc)
            if delay is not None and delay > orchestrator.max_retry_after_seconds:
                raise ProviderFailed(f"{line} (asks to retry after {delay:g}s, over max_retry_after_seconds)", detail) from exc
            if delay is None:
                backoff = orchestrator.retry_base_seconds * (2**attempt)
                delay = min(orchestrator.retry_max_seconds, backoff * (0.75 + random.random() / 2))
            attempt += 1
            emit(AgentError(agent=agent.id, error=line, fatal=False, kind="provider", retry_in=round(delay, 3), detail=detail))
            await asyncio.sleep(delay)
            on_retry(attempt)
            continue
        coalescer.flush()
        if reply.prompt_tokens or reply.completion_tokens:
            emit(Usage(agent=agent.id, prompt_tokens=reply.prompt_tokens, completion_tokens=reply.completion_tokens))
        return reply
