"""Small things the app remembers between runs (the chosen theme), in one JSON file:
`$MGTUI_STATE_DIR/ui.json`, else `$XDG_CONFIG_HOME/mgtui/ui.json` (default ~/.config).
Read before the first frame, so: stdlib only, tiny, and never an error for the user."""

from __future__ import annotations

import json
import os
from pathlib import Path


def state_file() -> Path:
    folder = os.environ.get("MGTUI_STATE_DIR")
    if folder:
        return Path(folder) / "ui.json"
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "mgtui" / "ui.json"


def load() -> dict[str, object]:
    try:
        data = json.loads(state_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def remember(**values: object) -> None:
    """Merge `values` into the file, atomically; a read-only home just forgets."""
    path = state_file()
    data = {**load(), **values}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_suffix(".tmp")
        temp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(temp, path)
    except OSError:
        pass


def saved_theme() -> str | None:
    theme = load().get("theme")
    return theme if isinstance(theme, str) else None
