"""mgtui: multi-agent LLM consensus in the terminal.

The Python API (`run`, `arun`, `Session`, `Result`) and `register_with_litellm` are
loaded on first use, so `import mgtui` stays fast: no pydantic or LiteLLM until needed.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY = {
    "run": "mgtui.api",
    "arun": "mgtui.api",
    "Session": "mgtui.api",
    "Result": "mgtui.api",
    "register_with_litellm": "mgtui.providers.litellm_provider",
}

__all__ = ["__version__", *_LAZY]

if TYPE_CHECKING:
    from mgtui.api import Result, Session, arun, run
    from mgtui.providers.litellm_provider import register_with_litellm


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mgtui' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
