"""Hot reload: watch the active config file and yield each change, validated.

The directory is watched, not the file: editors save by writing a temp file and renaming
it over the original, which a watch on the old inode would miss.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from watchfiles import awatch

from mgtui.config.loader import ConfigError, LoadedConfig, decode_config, load_config_text


@dataclass(frozen=True)
class ConfigChanged:
    loaded: LoadedConfig


@dataclass(frozen=True)
class ConfigInvalid:
    error: ConfigError


ConfigUpdate = ConfigChanged | ConfigInvalid


def _read(path: Path) -> str | ConfigError | None:
    try:
        return decode_config(path.read_bytes(), str(path))
    except FileNotFoundError:
        return None  # mid-rename, or deleted: wait for the next change
    except ConfigError as error:  # saved in another encoding: say so, keep watching
        return error


def validate_text(text: str, path: Path) -> ConfigUpdate:
    try:
        return ConfigChanged(load_config_text(text, str(path)))
    except ConfigError as error:
        return ConfigInvalid(error)


async def watch_config(
    path: Path,
    stop_event: asyncio.Event | None = None,
    debounce_ms: int = 200,
) -> AsyncIterator[ConfigUpdate]:
    """Yield ConfigChanged/ConfigInvalid each time the file's content really changes."""
    path = path.resolve()
    last = await asyncio.to_thread(_read, path)
    async for changes in awatch(path.parent, stop_event=stop_event, debounce=debounce_ms, recursive=False):
        if not any(Path(changed).resolve() == path for _, changed in changes):
            continue
        text = await asyncio.to_thread(_read, path)
        if text is None or text == last:  # a touch or a rewrite with the same content
            continue
        last = text
        if isinstance(text, ConfigError):
            yield ConfigInvalid(text)
            continue
        # Parsing is fast, but ${VAR} lookup and pydantic stay off the event loop anyway.
        yield await asyncio.to_thread(validate_text, text, path)
