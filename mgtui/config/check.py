"""Locate and validate the config the app will use, without raising: the app runs this in a
thread after its first frame and shows what is wrong instead of crashing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ConfigCheck:
    path: Path | None  # the file found (None when none could be located)
    problem: str | None  # every issue with file:line, or None when the config is usable


def check_config(arg: str | None, cwd: Path) -> ConfigCheck:
    """Find the config (`-c` value, ./.mgtui/config.yaml, user config, @local) and load it once."""
    from mgtui.config.discovery import find_config  # noqa: PLC0415 - pydantic stays off the first frame
    from mgtui.config.loader import ConfigError, load_config_file  # noqa: PLC0415

    try:
        path, _label = find_config(arg, cwd)
    except ConfigError as exc:
        return ConfigCheck(None, str(exc))
    try:
        load_config_file(path)
    except ConfigError as exc:
        return ConfigCheck(path, str(exc))
    except (UnicodeDecodeError, ValueError, OSError) as exc:  # e.g. a file saved as Latin-1
        return ConfigCheck(path, f"{path}: cannot be read as a config: {exc}")
    return ConfigCheck(path, None)
