"""Writes a session folder: events.jsonl (the source of truth), session.json (a small index
for fast listing) and per-turn convenience files derived from the events. Every line passes
through the redactor so secrets never reach the disk."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from mgtui.engine.events import AnswerPosted, FinalAnswer, SessionStarted, TurnFinished, TurnStarted, VoteCast, parse_event
from mgtui.question_text import with_chips

REDACTED = "***"


class Redactor:
    """Replaces every known secret value in serialised text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._plain = {s for s in secrets if s and len(s) >= 4}
        # Serialised text holds secrets JSON-escaped too (quotes, backslashes, \u escapes).
        forms = set(self._plain)
        for secret in self._plain:
            forms.add(json.dumps(secret)[1:-1])
            forms.add(json.dumps(secret, ensure_ascii=False)[1:-1])
        # longest first so a secret that contains another is replaced whole
        self._secrets = sorted(forms, key=len, reverse=True)

    @property
    def secrets(self) -> set[str]:
        return set(self._plain)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text


def redact_config(raw: Any) -> Any:
    """The config as written, with literal api keys and secret-looking values masked."""
    if isinstance(raw, dict):
        out = {}
        for key, value in raw.items():
            secretish = any(word in str(key).lower() for word in ("key", "token", "secret", "password", "authorization"))
            if secretish and isinstance(value, str) and not value.startswith("${"):
                out[key] = REDACTED
            else:
                out[key] = redact_config(value)
        return out
    if isinstance(raw, list):
        return [redact_config(v) for v in raw]
    return raw


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class SessionLog:
    """Appends events and keeps the derived files in step."""

    def __init__(self, folder: Path, redactor: Redactor) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._redact = redactor
        self._file: TextIO = open(folder / "events.jsonl", "a", encoding="utf-8")  # noqa: SIM115 - kept open
        self._index_path = folder / "session.json"
        self.index: dict[str, Any] = self._load_index()
        self._votes: list[dict[str, str]] = []

    def _load_index(self) -> dict[str, Any]:
        try:
            return json.loads(self._index_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"id": self.folder.name, "turns": []}

    def write(self, event: Any) -> Any:
        """Append one event; returns it as written: a redacted copy when it held a secret."""
        raw = event.model_dump_json()
        line = self._redact(raw)
        if line != raw:
            event = parse_event(line)  # consumers (screen, traces, API) get the redacted copy
        self._file.write(line + "\n")
        self._file.flush()
        self._derive(event)
        return event

    def _turn_dir(self, turn: int) -> Path:
        path = self.folder / f"turn_{turn}"
        path.mkdir(exist_ok=True)
        return path

    def _derive(self, event: Any) -> None:
        if isinstance(event, SessionStarted):
            self.index.update(
                id=event.session,
                created=self.index.get("created", event.ts),
                cwd=os.getcwd(),
                config_path=event.config_path,
                agents=event.agents,
            )
            self._save_index(event.ts)
        elif isinstance(event, TurnStarted):
            self._votes = []
            turns = [t for t in self.index.setdefault("turns", []) if t.get("turn") != event.turn]
            question = with_chips(event.question, getattr(event, "attachments", None), 500) if getattr(event, "attachments", None) else event.question
            turns.append({"turn": event.turn, "question": question[:500], "status": "running", "winner": None})
            self.index["turns"] = turns
            self.index["status"] = "running"
            self._save_index(event.ts)
        elif isinstance(event, AnswerPosted):
            folder = self._turn_dir(event.turn) / event.agent
            folder.mkdir(exist_ok=True)
            (folder / f"answer_{event.answer_index}.md").write_text(self._redact(event.content), encoding="utf-8")
        elif isinstance(event, VoteCast):
            self._votes.append({"agent": event.agent, "target": event.target, "label": event.label, "reason": event.reason, "ts": event.ts})
            _write_atomic(self._turn_dir(event.turn) / "votes.json", self._redact(json.dumps(self._votes, indent=2)))
        elif isinstance(event, FinalAnswer):
            (self._turn_dir(event.turn) / "final.md").write_text(self._redact(event.content), encoding="utf-8")
        elif isinstance(event, TurnFinished):
            for turn in self.index.get("turns", []):
                if turn.get("turn") == event.turn:
                    turn.update(status=event.status, winner=event.winner, duration_s=event.duration_s)
            self.index["status"] = event.status
            self._save_index(event.ts)

    def _save_index(self, ts: str) -> None:
        self.index["updated"] = ts
        _write_atomic(self._index_path, self._redact(json.dumps(self.index, indent=2)))

    def reload_index(self) -> None:
        """Another process added turns (it held the session's turn lock): start from its index."""
        self.index = self._load_index()

    def set_redactor(self, redactor: Redactor) -> None:
        """A new config may bring new secrets; earlier ones stay redacted."""
        self._redact = redactor

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()
