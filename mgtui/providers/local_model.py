"""`local/<model>`: the embedded llama.cpp model as a LiteLLM custom provider.

Registered by `litellm_access.ensure_providers()` only when a `local/...` model is
configured. Generation runs in a worker thread (the event loop stays free); text streams
as it is produced; when tools are offered the output is constrained by a grammar and
returned as one ordinary streamed `tool_calls` delta.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator
from types import ModuleType
from typing import Any

from mgtui.providers import local_grammar
from mgtui.providers.local_llama import Sampling, get_model
from mgtui.providers.local_weights import PROVIDER, LocalModelUnavailable, check_local_models, import_llama_cpp, require_llama_cpp

__all__ = ["LocalModelUnavailable", "check_local_models", "register_local_provider", "stream_chunks"]

DEFAULT_MAX_TOKENS = 400  # plain text (final presentation): short keeps three agents fast
_DONE = object()
_register_lock = threading.Lock()


def _chunk(text: str = "", *, tool_use: dict[str, Any] | None = None, finish: str = "", usage: Any = None) -> dict[str, Any]:
    """A litellm GenericStreamingChunk."""
    return {"text": text, "tool_use": tool_use, "is_finished": bool(finish), "finish_reason": finish, "usage": usage, "index": 0}


def _sampling(params: dict[str, Any], max_tokens: int) -> Sampling:
    sampling = Sampling(max_tokens=max_tokens, seed=params.get("seed"))
    if params.get("temperature") is not None:
        sampling.temperature = float(params["temperature"])
    if params.get("top_p") is not None:
        sampling.top_p = float(params["top_p"])
    return sampling


def stream_chunks(model: str, messages: list[dict[str, Any]], params: dict[str, Any], cancel: threading.Event) -> Iterator[dict[str, Any]]:
    """Run one request (blocking) and yield GenericStreamingChunks: text, or one tool call, then usage."""
    tools = local_grammar.select_tools(params.get("tools"), params.get("tool_choice"))
    requested = params.get("max_tokens") or params.get("max_completion_tokens") or DEFAULT_MAX_TOKENS
    grammar = None
    if tools:
        schema = local_grammar.tool_call_schema(tools)
        grammar = import_llama_cpp().LlamaGrammar.from_string(local_grammar.json_schema_to_gbnf(schema), verbose=False)
        requested = max(int(requested), local_grammar.token_budget(schema))  # never cut a call in half
    llm = get_model(model)
    text: list[str] = []
    counts = (0, 0)
    for item in llm.generate(local_grammar.chat_messages(messages, tools), _sampling(params, int(requested)), grammar, cancel):
        if isinstance(item, tuple):
            counts = item
        elif tools:
            text.append(item)  # JSON of a tool call: not shown as text
        else:
            yield _chunk(item)
    usage = {"prompt_tokens": counts[0], "completion_tokens": counts[1], "total_tokens": sum(counts)}
    call = local_grammar.parse_tool_call("".join(text), tools) if tools else None
    if call is not None:
        tool_use = {"id": f"call_{uuid.uuid4().hex[:12]}", "type": "function", "function": call, "index": 0}
        yield _chunk(tool_use=tool_use)
        yield _chunk(finish="tool_calls", usage=usage)
        return
    if tools and text:
        yield _chunk("".join(text))  # unparseable (cut short): the engine reports it back to the model
    yield _chunk(finish="stop", usage=usage)


async def astream_chunks(model: str, messages: list[dict[str, Any]], params: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
    """`stream_chunks` on a worker thread; closing this generator stops the generation."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Any] = asyncio.Queue()
    cancel = threading.Event()

    def put(item: Any) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:  # the loop is gone: nobody is listening any more
            cancel.set()

    def work() -> None:
        try:
            for chunk in stream_chunks(model, messages, params, cancel):
                put(chunk)
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting side, raised there
            put(exc)
        finally:
            put(_DONE)

    # Daemon: a generation must not hold up interpreter exit; atexit (local_llama) stops it cleanly.
    threading.Thread(target=work, name=f"mgtui-local-{model}", daemon=True).start()
    try:
        while (item := await queue.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        cancel.set()


def _response(litellm: ModuleType, model: str, chunks: list[dict[str, Any]]) -> Any:
    """A non-streaming ModelResponse assembled from the chunks."""
    text = "".join(c["text"] for c in chunks)
    calls = [c["tool_use"] for c in chunks if c.get("tool_use")]
    final = chunks[-1]
    message: dict[str, Any] = {"role": "assistant", "content": text or None}
    if calls:
        message["tool_calls"] = [{k: v for k, v in call.items() if k != "index"} for call in calls]
    return litellm.ModelResponse(
        model=f"{PROVIDER}/{model}",
        choices=[{"index": 0, "message": message, "finish_reason": final["finish_reason"]}],
        usage=litellm.Usage(**final["usage"]),
    )


def _handler(litellm: ModuleType) -> Any:
    """The CustomLLM instance (its base class comes from LiteLLM, which is imported lazily)."""
    from litellm.llms.custom_llm import CustomLLM  # noqa: PLC0415

    # LiteLLM calls these with keyword arguments only; its base class spells every one out.
    class LocalProvider(CustomLLM):
        def streaming(self, model: str, messages: list, *args: Any, optional_params: dict, **kwargs: Any) -> Iterator[Any]:  # type: ignore[override]
            return stream_chunks(model, messages, optional_params, threading.Event())

        async def astreaming(self, model: str, messages: list, *args: Any, optional_params: dict, **kwargs: Any) -> AsyncIterator[Any]:  # type: ignore[override]
            async for chunk in astream_chunks(model, messages, optional_params):
                yield chunk

        def completion(self, model: str, messages: list, *args: Any, optional_params: dict, **kwargs: Any) -> Any:  # type: ignore[override]
            return _response(litellm, model, list(stream_chunks(model, messages, optional_params, threading.Event())))

        async def acompletion(self, model: str, messages: list, *args: Any, optional_params: dict, **kwargs: Any) -> Any:  # type: ignore[override]
            return _response(litellm, model, [c async for c in astream_chunks(model, messages, optional_params)])

    return LocalProvider()


def register_local_provider(litellm: ModuleType, models: Iterable[str] = ()) -> None:
    """Make `local/...` models callable through LiteLLM (idempotent).

    Raises LocalModelUnavailable (a message with the install command) when llama.cpp or
    the weights for any of `models` are missing.
    """
    require_llama_cpp()
    check_local_models(models)
    with _register_lock:
        if any(item.get("provider") == PROVIDER for item in litellm.custom_provider_map):  # type: ignore[attr-defined]  # set at run time
            return
        litellm.custom_provider_map = [*litellm.custom_provider_map, {"provider": PROVIDER, "custom_handler": _handler(litellm)}]  # type: ignore[attr-defined]
