"""Themes are data: `themes/*.toml` (shipped, and in the user's config folder) -> Textual `Theme`s."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path

from textual import log
from textual.theme import Theme

from mgtui.config.shipped import data_dir

DEFAULT_THEME = "mgtui-dark"
_FIELDS = ("primary", "secondary", "warning", "error", "success", "accent", "foreground",
           "background", "surface", "panel", "boost", "dark", "luminosity_spread", "text_alpha")


def theme_from_file(path: Path) -> Theme:
    """One theme file; raises ValueError naming the file when it is not a usable theme."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        name = data.get("name") or path.stem
        return Theme(
            name=str(name),
            variables={str(k): str(v) for k, v in (data.get("variables") or {}).items()},
            **{k: data[k] for k in _FIELDS if k in data},
        )
    except (OSError, tomllib.TOMLDecodeError, TypeError, KeyError) as exc:
        raise ValueError(f"{path}: not a usable theme: {exc}") from None


def user_theme_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("mgtui")) / "themes"


def load_themes(folders: Iterable[Path] | None = None) -> list[Theme]:
    """Every theme in the folders (later folders override earlier ones by name); bad files are logged."""
    found: dict[str, Theme] = {}
    for folder in folders if folders is not None else (data_dir("themes"), user_theme_dir()):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                theme = theme_from_file(path)
            except ValueError as exc:
                log.warning(str(exc))
                continue
            found[theme.name] = theme
    return list(found.values())
