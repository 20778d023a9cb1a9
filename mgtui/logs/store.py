"""The session log store: list past sessions fast, find the latest, resolve an ID or a path.

Listing reads each folder's small `session.json` index, never the whole event log, so it stays
fast with thousands of sessions. A folder without an index (a process killed before writing
it, an older log) is described from the head and tail of its `events.jsonl`. A folder that
cannot be read at all is still listed, with a warning.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mgtui.logs.liveness import INTERRUPTED, turn_status
from mgtui.logs.reader import EVENTS_FILE
from mgtui.question_text import with_chips
from mgtui.regular_file import open_regular, read_regular_bytes

INDEX_FILE = "session.json"
EVALS_DIR = "evals"
DEFAULT_LOG_ROOT = Path(".mgtui") / "logs"
_HEAD_BYTES = 64 * 1024
_TAIL_BYTES = 16 * 1024


@dataclass
class TurnInfo:
    turn: int
    question: str = ""
    winner: str | None = None
    status: str = ""
    duration_s: float | None = None


@dataclass
class SessionInfo:
    """One row of the session list."""

    id: str
    path: Path
    created: str = ""
    updated: str = ""
    cwd: str | None = None
    config_path: str | None = None
    agents: list[dict[str, str]] = field(default_factory=list)
    turns: list[TurnInfo] = field(default_factory=list)
    status: str = ""
    source: str = "index"  # "index", "events" (no index: read from the log) or "unreadable"
    warning: str | None = None

    @property
    def first_question(self) -> str:
        return self.turns[0].question if self.turns else ""

    @property
    def winners(self) -> list[str]:
        return [t.winner for t in self.turns if t.winner]

    @property
    def models(self) -> list[str]:
        return [a.get("model", "?") for a in self.agents]

    @property
    def readable(self) -> bool:
        return self.source != "unreadable"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "path": str(self.path), "created": self.created, "updated": self.updated,
            "cwd": self.cwd, "config_path": self.config_path, "agents": self.agents,
            "turns": [vars(t) for t in self.turns], "status": self.status, "source": self.source,
            "warning": self.warning,
        }


def default_log_root(config_log_dir: str | None = None, cwd: Path | None = None) -> Path:
    """`--log-dir` / config `log_dir`, else `./.mgtui/logs` of the working directory."""
    base = cwd or Path.cwd()
    return (base / config_log_dir).resolve() if config_log_dir else base / DEFAULT_LOG_ROOT


def _turn_info(row: dict[str, Any]) -> TurnInfo:
    return TurnInfo(
        turn=int(row.get("turn", 0)), question=str(row.get("question", "")), winner=row.get("winner"),
        status=turn_status(str(row.get("status", "")), row.get("pid")), duration_s=row.get("duration_s"),
    )


def _from_index(folder: Path, data: dict[str, Any]) -> SessionInfo:
    return SessionInfo(
        id=str(data.get("id") or folder.name), path=folder, created=str(data.get("created", "")),
        updated=str(data.get("updated", "")), cwd=data.get("cwd"), config_path=data.get("config_path"),
        agents=list(data.get("agents") or []), turns=(turns := [_turn_info(r) for r in data.get("turns") or []]),
        status=INTERRUPTED if data.get("status") == "running" and turns and turns[-1].status == INTERRUPTED else str(data.get("status", "")),
    )


def _json_lines(chunk: bytes) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for line in chunk.split(b"\n"):
        try:
            data = json.loads(line)
        except (ValueError, RecursionError):  # RecursionError: a line nested thousands deep
            continue  # a partial first/last line of the chunk, or garbage
        if isinstance(data, dict):
            out.append(data)
    return out


def _from_events(folder: Path) -> SessionInfo:
    """Describe a session without an index from the head and the tail of its log."""
    info = SessionInfo(id=folder.name, path=folder, source="events", warning="no session.json index")
    with open_regular(folder / EVENTS_FILE, "rb") as fh:
        head = fh.read(_HEAD_BYTES)
        size = fh.seek(0, os.SEEK_END)
        fh.seek(max(0, size - _TAIL_BYTES))
        tail = fh.read() if size > _HEAD_BYTES else b""
    first = _json_lines(head)
    last = _json_lines(tail) or first
    if not first:
        raise ValueError("no readable event at the start of events.jsonl")
    turns: dict[int, TurnInfo] = {}
    for event in first + last:
        kind, turn = event.get("type"), int(event.get("turn") or 0)
        if kind == "session_started":
            info.created = str(event.get("ts", ""))
            info.agents = list(event.get("agents") or [])
            info.config_path = event.get("config_path")
        elif kind == "turn_started":
            question = str(event.get("question", ""))
            if isinstance(event.get("attachments"), list) and event["attachments"]:
                question = with_chips(question, event["attachments"], 500)
            turns.setdefault(turn, TurnInfo(turn=turn, question=question, status=turn_status("running", event.get("pid"))))
        elif kind == "turn_finished":
            row = turns.setdefault(turn, TurnInfo(turn=turn))
            row.status, row.winner, row.duration_s = event.get("status", ""), event.get("winner"), event.get("duration_s")
    info.id = str(first[0].get("session") or folder.name)
    info.updated = str(last[-1].get("ts", ""))
    info.created = info.created or str(first[0].get("ts", ""))
    info.turns = [turns[k] for k in sorted(turns)]
    info.status = info.turns[-1].status if info.turns else "empty"
    return info


def read_session_info(folder: Path) -> SessionInfo:
    """One session's row; never raises for a bad folder (the row carries a warning)."""
    try:
        text = read_regular_bytes(folder / INDEX_FILE)
    except FileNotFoundError:
        text = None
    except OSError as exc:
        return SessionInfo(id=folder.name, path=folder, source="unreadable", warning=f"cannot read index: {exc}")
    if text is not None:
        try:
            data = json.loads(text)
            if isinstance(data, dict):
                return _from_index(folder, data)
        except (ValueError, TypeError, AttributeError, RecursionError):
            pass  # a half-written index: the event log still tells the story
    try:
        return _from_events(folder)
    except (OSError, ValueError, TypeError, AttributeError) as exc:  # a hand-edited log: wrong types
        return SessionInfo(id=folder.name, path=folder, source="unreadable", warning=f"unreadable log: {exc}")


def _session_folders(log_root: Path) -> list[Path]:
    try:
        entries = list(os.scandir(log_root))
    except OSError:
        return []
    # `evals/` holds `mgtui eval` reports (mgtui/eval/store.py), not a session
    return [Path(e.path) for e in entries if e.is_dir() and not e.name.startswith(".") and e.name != EVALS_DIR]


def list_sessions(log_root: Path, limit: int | None = None) -> list[SessionInfo]:
    """Sessions under `log_root`, newest first (ids start with a timestamp; `updated` breaks ties)."""
    folders = sorted(_session_folders(Path(log_root)), key=lambda p: p.name, reverse=True)
    rows = [read_session_info(f) for f in (folders[:limit] if limit else folders)]
    rows.sort(key=lambda r: (r.created or r.id, r.updated), reverse=True)
    return rows


def _same_dir(a: str | None, b: Path) -> bool:
    if not a:
        return False
    try:
        return Path(a).resolve() == b.resolve()
    except OSError:
        return False


def latest_session(cwd: Path, log_root: Path) -> SessionInfo | None:
    """The most recently updated readable session started in `cwd` (for `--continue`)."""
    readable = [r for r in list_sessions(log_root) if r.readable]
    # Logs without a recorded cwd (index missing) are only used when nothing matches.
    rows = [r for r in readable if _same_dir(r.cwd, Path(cwd))] or [r for r in readable if r.cwd is None]
    return max(rows, key=lambda r: r.updated or r.created, default=None)


class SessionNotFound(FileNotFoundError):
    """No session matches (a FileNotFoundError so callers catching that see it)."""


def resolve_session(ref: str, log_root: Path) -> Path:
    """A session folder from a folder path, an `events.jsonl` path, an id or a unique id prefix."""
    path = Path(ref).expanduser()
    if path.is_file():
        return path.parent
    if path.is_dir() and ((path / EVENTS_FILE).exists() or (path / INDEX_FILE).exists()):
        return path
    root = Path(log_root)
    if (root / ref / EVENTS_FILE).exists() or (root / ref / INDEX_FILE).exists():
        return root / ref
    matches = [p for p in _session_folders(root) if p.name.startswith(ref)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        names = ", ".join(sorted(p.name for p in matches)[:5])
        raise SessionNotFound(f"'{ref}' matches several sessions: {names}")
    raise SessionNotFound(f"no session '{ref}' (not a log folder, nor an id under {root})")
