"""Text a provider sends may hold lone UTF-16 surrogates (`"\\ud83d"` in its JSON): Python keeps
them, UTF-8 cannot. One such character used to fail the agent's run (its event could not be
serialised) and every later request that quoted it. Text is made UTF-8-safe where it enters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def utf8_safe(text: str) -> str:
    """`text`, with surrogate pairs joined and lone surrogates replaced by U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def map_strings(value: Any, fn: Callable[[str], str]) -> Any:
    """Parsed JSON (or an event's dump) with `fn` applied to every string, keys too."""
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, (list, tuple)):
        return [map_strings(v, fn) for v in value]
    if isinstance(value, dict):
        return {fn(str(k)): map_strings(v, fn) for k, v in value.items()}
    return value


def utf8_safe_data(value: Any) -> Any:
    """Parsed JSON (tool arguments) with every string, keys too, made UTF-8-safe."""
    return map_strings(value, utf8_safe)
