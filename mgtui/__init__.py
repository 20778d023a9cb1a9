"""mgtui: multi-agent LLM consensus in the terminal.

The Python API (`run`, `arun`, `Session`, `Result`) and `register_with_litellm` are
loaded on first use, so `import mgtui` stays fast: no pydantic or LiteLLM until needed.
"""

from __future__ import annotations

from importlib import import_module

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY = {
    "run": "mgtui.api",
    "arun": "mgtui.api",
    "Session": "mgtui.api",
    "Result": "mgtui.api",
    "register_with_litellm": "mgtui.integrations.litellm",
}

__all__ = ["__version__", *_LAZY]

TYPE_CHECKING = False  # typing itself costs ~2 ms to import; this idiom avoids it
if TYPE_CHECKING:
    from typing import Any

    from mgtui.api import Result, Session, arun, run  # noqa: F401 - for type checkers
    from mgtui.integrations.litellm import register_with_litellm  # noqa: F401


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mgtui' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
