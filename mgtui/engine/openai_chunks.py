"""Read an OpenAI-format provider's chunks straight into the reply builder.

The call itself goes through `litellm.acompletion` (auth, routing, request mapping, errors).
For providers whose stream LiteLLM takes from the OpenAI SDK unchanged, every chunk was built
twice as model objects: by the SDK (`construct_type`, typing introspection per field) and again
by LiteLLM's `chunk_creator`. At 16 streaming agents that was half the engine's CPU, on the
critical path whenever the engine fell behind the chunks. This reads the SDK's server-sent
events (its HTTP response, its SSE decoder, its `[DONE]` and error-event handling, mirrored
from `AsyncStream.__stream__`) and hands each chunk's JSON to the builder by attribute. It
keeps the checks LiteLLM makes on chunks (an `abort`/`error` finish reason, a model repeating
one chunk, a stream ending without a finish reason) and raises every failure through LiteLLM's
own stream error handling, so errors are exactly LiteLLM's. Every other provider's stream, and
an SDK without the parts this reads, goes through LiteLLM.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

# Providers whose LiteLLM stream is the OpenAI SDK's ChatCompletionChunk stream, passed on as is.
OPENAI_FORMAT_PROVIDERS = frozenset({"openai", "hosted_vllm"})

enabled = True  # False reads every stream through LiteLLM (tests compare the two paths)


def openai_source(response: Any) -> Any | None:
    """The SDK's stream behind LiteLLM's wrapper, or None to read through LiteLLM."""
    if not enabled or getattr(response, "custom_llm_provider", None) not in OPENAI_FORMAT_PROVIDERS:
        return None
    if getattr(response, "sent_first_chunk", True) or not all(hasattr(response, a) for a in ("_log_stream_failure_and_raise", "_stream_eof_error")):
        return None  # a LiteLLM without the hooks this relies on (or a stream already read)
    stream = getattr(response, "completion_stream", None)
    from openai import AsyncStream  # noqa: PLC0415 - imported with LiteLLM, after it

    if not isinstance(stream, AsyncStream) or not hasattr(stream, "_iter_events") or not hasattr(stream, "_client"):
        return None
    options = getattr(stream, "_options", None)
    if options is not None and (getattr(options, "stream_mode", "legacy") != "legacy" or getattr(options, "synthesize_event_and_data", False)):
        return None
    return stream


class Fields:
    """A chunk's JSON object read by attribute, as the SDK's models read (absent or null: None)."""

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def __getattr__(self, name: str) -> Any:
        value = self._data.get(name)
        if isinstance(value, dict):
            return Fields(value)
        if isinstance(value, list):
            return [Fields(v) if isinstance(v, dict) else v for v in value]
        return value

    def __repr__(self) -> str:
        return repr(self._data)


def plain(value: Any) -> Any:
    """The JSON value behind `Fields` (anything else as it is)."""
    return value._data if isinstance(value, Fields) else value


async def _chunks(stream: Any) -> AsyncGenerator[Any, None]:
    """`AsyncStream.__stream__` for chat chunks, without building each as a model object."""
    from openai import APIError  # noqa: PLC0415
    from openai._streaming import drain_response_async  # noqa: PLC0415

    response = stream.response
    try:
        async for sse in stream._iter_events():
            if sse.data.startswith("[DONE]"):
                if response.http_version == "HTTP/1.1":  # the connection is reused once the body is read
                    await drain_response_async(response)
                break
            data = sse.json()
            if isinstance(data, dict) and data.get("error"):
                error = data.get("error")
                message = error.get("message") if isinstance(error, dict) else None
                if not message or not isinstance(message, str):
                    message = "An error occurred during streaming"
                raise APIError(message=message, request=response.request, body=data["error"])
            if isinstance(data, dict) and not (sse.event and sse.event.startswith("thread.")):
                yield Fields(data)
            else:  # not a chat chunk: whatever the SDK makes of it
                yield stream._client._process_response_data(data=data, cast_to=stream._cast_to, response=response)
    finally:
        await response.aclose()


class _Checks:
    """LiteLLM's per-chunk checks on OpenAI chunks (streaming_handler: chunk_creator,
    raise_on_model_repetition), made on the raw chunk."""

    def __init__(self, litellm: Any, provider: str) -> None:
        self._litellm, self._provider = litellm, provider
        self._last: Any = None
        self._repeats = 1

    def check(self, chunk: Any) -> None:
        choices = chunk.choices or ()
        for choice in choices:
            if str(choice.finish_reason) == "abort":
                raise self._litellm.InternalServerError(
                    message="Upstream generation aborted (finish_reason=abort)", model=chunk.model, llm_provider=self._provider
                )
        if not choices:
            return
        first = choices[0]
        if first.finish_reason == "error":
            raise Exception(f"{self._provider} raised a streaming error - finish_reason: error, no content string given. Received Chunk={chunk}")
        # As LiteLLM counts: the chunks before this one, compared when another one arrives.
        if self._repeats >= self._litellm.REPEATED_STREAMING_CHUNK_LIMIT:
            raise self._litellm.InternalServerError(message=f"The model is repeating the same chunk = {self._last}.", model="", llm_provider="")
        content = first.delta.content if first.delta is not None else None
        if not isinstance(content, str) or len(content) <= 2:
            self._repeats, self._last = 1, None
        else:
            self._repeats = self._repeats + 1 if content == self._last else 1
            self._last = content


async def read_openai_chunks(litellm: Any, response: Any, stream: Any, builder: Any) -> None:
    """Feed every chunk of `stream` to `builder`; raise as LiteLLM's wrapper would."""
    import httpx  # noqa: PLC0415 - loaded with LiteLLM
    from openai import APITimeoutError  # noqa: PLC0415

    checks = _Checks(litellm, response.custom_llm_provider)
    chunks = _chunks(stream)
    try:
        async for chunk in chunks:
            if chunk is None:
                continue
            response.sent_first_chunk = True  # LiteLLM's errors tell whether output had started
            checks.check(chunk)
            builder.chunk(chunk)
        if not builder.finished:
            raise response._stream_eof_error()
    except (httpx.ReadError, httpx.RemoteProtocolError, httpx.ReadTimeout, APITimeoutError) as exc:
        if builder.finished and "before a finish_reason" not in str(exc):
            # Cut after the finish chunk: LiteLLM takes the reply as complete too. A server that
            # then stalls before [DONE] (a usage chunk that never comes) leaves it complete as well.
            return
        await response.aclose()
        response._log_stream_failure_and_raise(exc)
    except Exception as exc:
        await response.aclose()
        response._log_stream_failure_and_raise(exc)
    finally:
        await chunks.aclose()
