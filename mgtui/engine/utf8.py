"""Text a provider sends may hold lone UTF-16 surrogates (`"\\ud83d"` in its JSON): Python keeps
them, UTF-8 cannot. One such character used to fail the agent's run (its event could not be
serialised) and every later request that quoted it. Text is made UTF-8-safe where it enters."""

from __future__ import annotations

from typing import Any


def utf8_safe(text: str) -> str:
    """`text`, with surrogate pairs joined and lone surrogates replaced by U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def utf8_safe_data(value: Any) -> Any:
    """Parsed JSON (tool arguments) with every string, keys too, made UTF-8-safe."""
    if isinstance(value, str):
        return utf8_safe(value)
    if isinstance(value, list):
        return [utf8_safe_data(v) for v in value]
    if isinstance(value, dict):
        return {utf8_safe(str(k)): utf8_safe_data(v) for k, v in value.items()}
    return value
