"""Model and remote text made safe to print on a terminal.

Escape sequences in a model's answer (or a question a serve client sent) would otherwise act
on the user's terminal: OSC 52 writes the clipboard, OSC 0 sets the window title, CSI 2J
clears the screen, C1 CSI (U+009B) does the same without an ESC. Every CLI path that prints
such text passes it through `safe()`: C0/C1 controls except newline and tab become visible
stand-ins (ESC -> "␛", other C0 -> its control picture, DEL -> "␡", C1 -> "\\x9b"). Logs keep
the raw text; only what reaches a terminal is changed.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# JSON already escapes C0; C1 and DEL pass through `json.dumps(ensure_ascii=False)` raw.
_JSON_RAW = re.compile("[\x7f-\x9f]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␛ for ESC, ␍ for CR, ␇ for BEL, ...
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"\\x{code:02x}"  # C1: no picture exists; show it as its escape


def safe(text: str) -> str:
    """`text` with every terminal control except \\n and \\t shown, not executed."""
    return _CONTROLS.sub(_visible, text) if _CONTROLS.search(text) else text


def safe_json(text: str) -> str:
    """A JSON document printed with ensure_ascii=False: C1/DEL as \\u escapes (same data)."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def safe_data(value: Any) -> Any:
    """`safe()` applied to every string inside lists, dicts, tuples and dataclasses."""
    if isinstance(value, str):
        return safe(value)
    if isinstance(value, list):
        return [safe_data(v) for v in value]
    if isinstance(value, tuple):
        return tuple(safe_data(v) for v in value)
    if isinstance(value, dict):
        return {safe_data(k): safe_data(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: safe_data(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    return value


def safe_model(model: Any) -> Any:
    """A pydantic model with every string field `safe()`; the same object when nothing changes."""
    changes = {}
    for name, value in vars(model).items():
        shown = safe_data(value)
        if shown != value:
            changes[name] = shown
    return model.model_copy(update=changes) if changes else model


class SafeRenderable:
    """Wraps a Rich renderable so text segments are `safe()`; Rich's own styling stays."""

    def __init__(self, renderable: Any) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.segment import Segment  # noqa: PLC0415 - only the CLI tables need Rich

        for segment in console.render(self.renderable, options):
            if segment.control or not _CONTROLS.search(segment.text):
                yield segment
            else:
                yield Segment(safe(segment.text), segment.style)
