"""Data folders shipped with the package: example configs (`configs/`) and themes (`themes/`).

The folders live at the top of the repository. A wheel carries them as the data packages
`mgtui.configs` and `mgtui.themes` (see setup.py); a source checkout reads them in place.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import mgtui


def data_dir(name: str) -> Path:
    """The shipped folder `name` ("configs" or "themes"), installed or in a checkout."""
    # Data packages have no __init__.py: as namespace packages their spec lists the folder.
    spec = importlib.util.find_spec(f"mgtui.{name}")
    for location in (spec.submodule_search_locations or []) if spec else []:
        if Path(location).is_dir():
            return Path(location)
    return Path(mgtui.__file__).resolve().parent.parent / name


def edits_path(path: Path) -> Path:
    """Where the config editor saves `path`. A shipped example (`@local`) is never changed in
    place: every project shares it and a reinstall undoes it. Its edits go to this folder's
    `.mgtui/config.yaml`, which discovery finds next time (or `.mgtui/<name>.yaml` when that
    file exists: it is the user's own)."""
    if path.resolve().parent != data_dir("configs").resolve():
        return path
    project = Path.cwd() / ".mgtui" / "config.yaml"
    return project if not project.exists() else project.with_name(path.name)


@dataclass(frozen=True)
class ShippedConfig:
    name: str  # used as @name
    path: Path
    description: str


def _description(path: Path) -> str:
    """The config's own `description:` line; reading it must never break a listing."""
    try:
        import yaml  # noqa: PLC0415 - the app's start-up (themes) needs only data_dir

        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return "(unreadable)"
    text = data.get("description") if isinstance(data, dict) else None
    return " ".join(str(text).split()) if text else ""


def shipped_configs() -> list[ShippedConfig]:
    folder = data_dir("configs")
    paths = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    return [ShippedConfig(p.stem, p, _description(p)) for p in paths]


def shipped_config(name: str) -> ShippedConfig | None:
    """`name` with or without the leading '@' and the '.yaml' suffix."""
    stem = name.removeprefix("@").removesuffix(".yaml")
    return next((c for c in shipped_configs() if c.name == stem), None)
