"""Copying an answer: raw Markdown to the terminal's clipboard and to a file, and a line saying which worked."""

from __future__ import annotations

import os
from pathlib import Path

from textual.app import App


def copy_text(app: App[object], text: str, what: str, session_dir: str | None) -> str:
    """Copy both ways and say where: OSC 52 reaches the clipboard only if the terminal (and tmux:
    `set -g set-clipboard on`) lets it; the file (in the session's folder) always can."""
    app.copy_to_clipboard(text)  # OSC 52: the terminal cannot tell us if it took it
    clip = "sent to the terminal clipboard (OSC 52"
    clip += "; tmux passes it on only with set-clipboard on)" if os.environ.get("TMUX") else ")"
    folder = Path(session_dir) if session_dir else Path.cwd() / ".mgtui"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / "clipboard.md"
        target.write_text(text, encoding="utf-8")
        saved = f"saved to {_shown(target)}"
    except OSError as exc:
        saved = f"not saved to a file ({exc.strerror or exc})"
    return f"{what}: {clip} · {saved}"


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
