"""The one place LiteLLM is imported: lazily, offline, quiet, and with local models registered.

`import litellm` costs 3-8 s here, so nothing imports it at module level; callers use
`get_litellm()` from a worker thread or the engine process.
"""

from __future__ import annotations

import functools
import os
import threading
import warnings
from collections.abc import Iterable
from types import ModuleType

_lock = threading.Lock()
_module: ModuleType | None = None

# Without these LiteLLM fetches its cost map from the internet at import time (and waits on retries).
_OFFLINE_DEFAULTS = {
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "LITELLM_OFFLINE_MODE": "true",
    "LITELLM_LOG": "ERROR",
}


def prepare_environment() -> None:
    """Set LiteLLM's offline switches unless the user chose otherwise."""
    for key, value in _OFFLINE_DEFAULTS.items():
        os.environ.setdefault(key, value)


def get_litellm() -> ModuleType:
    """Import LiteLLM once (thread-safe) with offline defaults and quiet logging."""
    global _module
    if _module is not None:
        return _module
    with _lock:
        if _module is None:
            prepare_environment()
            import litellm  # noqa: PLC0415 - deliberately lazy

            # Cancelling a run while LiteLLM sets up its stream leaves its inner coroutine unawaited;
            # that is expected when an agent is restarted, not a bug worth a warning.
            warnings.filterwarnings("ignore", message=r"coroutine '.*' was never awaited", category=RuntimeWarning)
            litellm.suppress_debug_info = True
            litellm.drop_params = True  # models that lack a parameter (seed, top_p) still work
            litellm.telemetry = False
            # Per-chunk logging hooks and cost calculation cost CPU on every streamed chunk; the
            # engine counts usage itself, and the analysis computes cost from the log.
            litellm.disable_streaming_logging = True
            litellm.turn_off_message_logging = True
            _module = litellm
    return _module


def ensure_providers(models: Iterable[str]) -> None:
    """Register custom providers (the embedded local model) needed by these model strings."""
    local = [m for m in models if m.startswith("local/")]
    if local:
        from mgtui.providers.local_model import check_local_models, register_local_provider  # noqa: PLC0415

        check_local_models(local)  # before the slow LiteLLM import: a missing extra fails fast
        register_local_provider(get_litellm(), local)


def missing_credentials(model: str, api_key: str | None, api_base: str | None) -> list[str]:
    """Environment variables a model needs and lacks (empty when it can be called).

    Checked before a turn so a missing key drops that agent at once with a clear message,
    instead of after several retries of an opaque provider error.
    """
    if api_key or model.startswith("local/"):
        return []
    try:
        report = get_litellm().validate_environment(model=model)
    except Exception:  # unknown provider: let the call itself report it
        return []
    if report.get("keys_in_environment"):
        return []
    missing = [k for k in report.get("missing_keys", []) if not (api_base and k.endswith("API_BASE"))]
    return missing


@functools.lru_cache(maxsize=64)
def supports_named_tool_choice(model: str) -> bool:
    """Whether the provider accepts `tool_choice` (so a named tool can be required), per LiteLLM."""
    if model.startswith("local/"):
        return True  # the embedded provider constrains output to the named tool's grammar
    litellm = get_litellm()
    try:
        name, provider, _key, _base = litellm.get_llm_provider(model)
        params = litellm.get_supported_openai_params(model=name, custom_llm_provider=provider) or []
    except Exception:  # unknown provider or model: do not send what it may reject
        return False
    return "tool_choice" in params
