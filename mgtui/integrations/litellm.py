"""The team as a LiteLLM model: `litellm.completion(model="mgtui/build", models=[...], messages=...)`.

    import mgtui, litellm
    mgtui.register_with_litellm()
    litellm.completion(model="mgtui/build", messages=msgs, optional_params={"models": ["openai/gpt-4o-mini", "groq/llama-3.1-8b-instant"]})

Model names (also under `massgen/`, so MassGen users switch by changing one import):
`mgtui/build` (team from `models`, `agents`, or `model` x `num_agents`), `mgtui/model:<m>`,
`mgtui/path:<config.yaml>`, `mgtui/<shipped config>`, `mgtui/default` (config discovery).
Team options may be plain keyword arguments or nested in `optional_params=` / `extra_body=`.
The messages become question + history; the response's usage is the whole team's.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from mgtui.api_inputs import PROVIDERS
from mgtui.providers.litellm_access import get_litellm

# Team options LiteLLM hands us in optional_params; anything else (temperature, ...) is per agent.
_TEAM_OPTIONS = ("models", "agents", "model", "num_agents", "orchestrator", "log_dir")
_lock = threading.Lock()


def team_options(optional_params: Mapping[str, Any]) -> dict[str, Any]:
    """Team options from wherever a caller put them (flat, `optional_params=`, `extra_body=`).

    LiteLLM passes unknown keyword arguments through flat, and a literal
    `optional_params={...}` or `extra_body={...}` argument as one nested dict.
    """
    merged: dict[str, Any] = {}
    for source in (optional_params.get("extra_body"), optional_params.get("optional_params"), optional_params):
        if isinstance(source, Mapping):
            merged.update({k: source[k] for k in _TEAM_OPTIONS if k in source})
    return merged


async def run_team(model: str, messages: list[dict[str, Any]], optional_params: Mapping[str, Any], api_base: str | None, api_key: str | None) -> Any:
    """Run one consensus turn for a LiteLLM call; returns the mgtui Result."""
    from mgtui.api import Session  # noqa: PLC0415 - engine modules only once a call comes in
    from mgtui.api_inputs import split_messages, team_from_model_name  # noqa: PLC0415

    options = team_options(optional_params)
    question, history = split_messages(messages)
    loaded = team_from_model_name(model, options, api_base=api_base, api_key=api_key)
    with Session(loaded, history=history, log_dir=options.get("log_dir")) as session:
        return await session.ask(question)


def _blocking(coro_factory: Any) -> Any:
    """Run a coroutine from sync code; in a fresh thread when this one already runs a loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro_factory())
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="mgtui-litellm") as pool:
        return pool.submit(asyncio.run, coro_factory()).result()


def _handler_class(litellm: ModuleType) -> type:
    from litellm.llms.custom_llm import CustomLLMError  # noqa: PLC0415 - litellm is loaded by now

    from mgtui.api import answer_chunks  # noqa: PLC0415
    from mgtui.config.loader import ConfigError  # noqa: PLC0415

    async def consensus(model: str, messages: list[dict[str, Any]], kwargs: dict[str, Any]) -> Any:
        try:
            result = await run_team(model, messages, kwargs.get("optional_params") or {}, kwargs.get("api_base"), kwargs.get("api_key"))
        except (ConfigError, ValueError) as exc:
            raise CustomLLMError(status_code=400, message=f"mgtui: {exc}") from None
        if result.final_answer is None:
            raise CustomLLMError(status_code=500,
                message=f"mgtui: the team gave no answer ({result.status}: {result.error or 'no live agent'}); log: {result.log_dir}")
        return result

    def response(model: str, result: Any, kwargs: dict[str, Any]) -> Any:
        out = kwargs["model_response"]
        out.choices[0].message.content = result.final_answer
        out.choices[0].finish_reason = "stop"
        out.choices[0].message.provider_specific_fields = _details(result)
        provider = (kwargs.get("litellm_params") or {}).get("custom_llm_provider") or PROVIDERS[0]
        out.model = f"{provider}/{model}"
        out.usage = litellm.Usage(**result.total_usage)
        return out

    def chunks(result: Any) -> Iterator[dict[str, Any]]:
        pieces = answer_chunks(result.final_answer) or [""]
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1
            yield {
                "text": piece,
                "tool_use": None,
                "is_finished": last,
                "finish_reason": "stop" if last else "",
                "usage": result.total_usage if last else None,
                "index": 0,
                "provider_specific_fields": _details(result) if last else None,
            }

    class MgtuiLLM(litellm.CustomLLM):  # type: ignore[name-defined,misc]
        """LiteLLM calls these with keyword arguments only (see litellm/main.py)."""

        def completion(self, model: str, messages: list[dict[str, Any]], **kwargs: Any) -> Any:
            return response(model, _blocking(lambda: consensus(model, messages, kwargs)), kwargs)

        async def acompletion(self, model: str, messages: list[dict[str, Any]], **kwargs: Any) -> Any:
            return response(model, await consensus(model, messages, kwargs), kwargs)

        def streaming(self, model: str, messages: list[dict[str, Any]], **kwargs: Any) -> Iterator[dict[str, Any]]:
            yield from chunks(_blocking(lambda: consensus(model, messages, kwargs)))

        async def astreaming(self, model: str, messages: list[dict[str, Any]], **kwargs: Any) -> AsyncIterator[dict[str, Any]]:
            for chunk in chunks(await consensus(model, messages, kwargs)):
                yield chunk

    return MgtuiLLM


def _details(result: Any) -> dict[str, Any]:
    """What a caller may want beyond the text: who won and where the log is."""
    return {"mgtui": {"winner": result.winner, "status": result.status, "session_id": result.session_id, "log_dir": str(Path(result.log_dir))}}


def register_with_litellm() -> None:
    """Make `mgtui/...` and `massgen/...` models callable through LiteLLM (idempotent)."""
    litellm = get_litellm()
    with _lock:
        present = {item.get("provider") for item in litellm.custom_provider_map}  # type: ignore[attr-defined]  # set at run time
        missing = [p for p in PROVIDERS if p not in present]
        if missing:
            handler = _handler_class(litellm)()
            litellm.custom_provider_map = [*litellm.custom_provider_map, *({"provider": p, "custom_handler": handler} for p in missing)]  # type: ignore[attr-defined]
