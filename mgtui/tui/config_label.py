"""How the status bar names the config in use: `@local · built-in` for a shipped example,
otherwise the file's path (relative to the working directory when it is inside it)."""

from __future__ import annotations

from pathlib import Path


def config_label(path: str | None, cwd: Path | None = None) -> str:
    if not path:
        return ""
    from mgtui.config.shipped import data_dir  # noqa: PLC0415 - only once a config is known

    file = Path(path).resolve()
    try:
        if file.is_relative_to(data_dir("configs").resolve()):
            return f"@{file.stem} · built-in"
    except OSError:
        pass
    base = (cwd or Path.cwd()).resolve()
    return f"./{file.relative_to(base)}" if file.is_relative_to(base) else str(file)
