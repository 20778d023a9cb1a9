"""Writes a session folder: events.jsonl (the source of truth), session.json (a small index
for fast listing) and per-turn convenience files derived from the events. Every line passes
through the redactor so secrets never reach the disk."""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from pydantic_core import PydanticSerializationError

from mgtui.engine.events import AnswerPosted, Consensus, FinalAnswer, SessionStarted, TurnFinished, TurnStarted, VoteCast, VotesReset, parse_event
from mgtui.engine.utf8 import map_strings, utf8_safe
from mgtui.question_text import with_chips
from mgtui.regular_file import open_regular, read_regular_text

REDACTED = "***"
# `scheme://user:password@host`: a provider's error text may echo a URL with its credentials.
# The redactor runs on serialised JSON lines: neither part may contain `"` or `\` (a URL's userinfo
# cannot either), so a match never spans from one JSON string into the next and eats the structure.
_URL_PASSWORD = re.compile(r'(\b[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@"\\]*:)([^\s/@"\\]+)@')


def url_passwords(text: str) -> set[str]:
    """Passwords inside URLs in `text` (a config's api_base), to be treated as secrets."""
    return {m.group(2) for m in _URL_PASSWORD.finditer(text) if len(m.group(2)) >= 4}


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
        # In JSON text a secret can only sit inside a string, JSON-escaped: matching its raw form
        # (a `"` in an env var's value) could mask the quotes and commas between two fields.
        escaped = {json.dumps(s)[1:-1] for s in self._plain} | {json.dumps(s, ensure_ascii=False)[1:-1] for s in self._plain}
        self._json_secrets = sorted(escaped, key=len, reverse=True)

    @property
    def secrets(self) -> set[str]:
        return set(self._plain)

    def __call__(self, text: str) -> str:
        return self._apply(text, self._secrets)

    def json_text(self, text: str) -> str:
        """Redact serialised JSON (a log line): masks stay inside the strings."""
        return self._apply(text, self._json_secrets)

    @staticmethod
    def _apply(text: str, secrets: list[str]) -> str:
        for secret in secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        if "://" in text:
            text = _URL_PASSWORD.sub(lambda m: m.group(1) + REDACTED + "@", text)
        return text


class StreamRedactor:
    """Redacts text that arrives in pieces (streamed deltas), per stream key.

    A per-piece redactor misses a key split across two pieces, so each stream keeps back the
    longest tail that could still be the start of a secret and releases it with the next piece
    (or on `flush` at the end of the stream). Reusable for any streamed output (log, serve)."""

    def __init__(self, redactor: Redactor) -> None:
        self._pending: dict[Any, str] = {}
        self.redactor = redactor

    @property
    def redactor(self) -> Redactor:
        return self._redactor

    @redactor.setter
    def redactor(self, redactor: Redactor) -> None:
        self._redactor = redactor
        # last character -> (length, prefix) of every proper prefix of a secret, longest first:
        # finding the held-back tail costs a few `endswith` per piece, not one per secret length.
        index: dict[str, list[tuple[int, str]]] = {}
        for secret in redactor.secrets:
            for k in range(1, len(secret)):
                index.setdefault(secret[k - 1], []).append((k, secret[:k]))
        self._prefixes = {char: sorted(set(found), reverse=True) for char, found in index.items()}

    def _held(self, text: str) -> int:
        if not text:
            return 0
        for k, prefix in self._prefixes.get(text[-1], ()):
            if k <= len(text) and text.endswith(prefix):
                return k
        return 0

    def feed(self, key: Any, piece: str) -> str:
        """The redacted text of `key`'s stream that is safe to write now (may be "")."""
        text = self._redactor(self._pending.pop(key, "") + piece)
        hold = self._held(text)
        if hold:
            self._pending[key] = text[-hold:]
            return text[:-hold]
        return text

    def flush(self, key: Any) -> str:
        """End of `key`'s stream: what was held back (it cannot hold a whole secret)."""
        return self._pending.pop(key, "")

    def pending_keys(self) -> list[Any]:
        return list(self._pending)


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


class LogWriteError(OSError):
    """The session log cannot be written (disk full, folder gone): one line says so."""


def _torn(path: Path) -> bool:
    """Whether the file's last line was cut off (a killed process, a full disk)."""
    try:
        with open_regular(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            if handle.tell() == 0:
                return False
            handle.seek(-1, os.SEEK_END)
            return bool(handle.read(1) != b"\n")
    except OSError:
        return False


def _map_strings(event: Any, fn: Callable[[str], str]) -> Any:
    """A copy of the event with `fn` applied to every string in it (keys too), but its type."""
    data = map_strings(event.model_dump(), fn)
    data["type"] = event.type
    return parse_event(data)


class SessionLog:
    """Appends events and keeps the derived files in step."""

    def __init__(self, folder: Path, redactor: Redactor) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._redact = redactor
        path = folder / "events.jsonl"
        torn = _torn(path)
        self._file: IO[str] = open_regular(path, "a", encoding="utf-8")  # kept open; a FIFO or symlink is refused
        if torn:  # end the cut-off line, or the next event would be glued to it and lost
            self._file.write("\n")
            self._file.flush()
        self._index_path = folder / "session.json"
        self.index: dict[str, Any] = self._load_index()
        self._votes: list[dict[str, str]] = []
        self._votes_turn: int | None = None  # the turn whose votes.json is behind its votes

    def _load_index(self) -> dict[str, Any]:
        try:
            index: dict[str, Any] = json.loads(read_regular_text(self._index_path))
            return index
        except (OSError, ValueError, RecursionError):
            return {"id": self.folder.name, "turns": []}

    def write(self, event: Any) -> tuple[str, Any]:
        """Append one event. Returns the line as written (redacted JSON ending in a newline: the
        engine pipe sends these very characters, serialised once) and the event as written: a
        redacted copy when it held a secret."""
        try:
            raw = event.model_dump_json()
        except PydanticSerializationError:  # a lone surrogate (a provider's "\ud83d"): not UTF-8
            event = _map_strings(event, utf8_safe)
            raw = event.model_dump_json()
        line = self._redact.json_text(raw)
        if line != raw:
            try:
                event = parse_event(line)  # consumers (screen, traces, API) get the redacted copy
            except ValueError:  # a mask that cut across the JSON (a secret spelled like its syntax)
                event = _map_strings(event, self._redact)
                line = event.model_dump_json()
        line += "\n"
        try:
            if self._file.closed:  # an earlier write failed: try again (space may be free now)
                self._file = open_regular(self.folder / "events.jsonl", "a", encoding="utf-8")
            self._file.write(line)
            self._file.flush()
            self._derive(event)
        except OSError as exc:
            self._discard_buffer()
            error = LogWriteError(f"cannot write the session log in {self.folder}: {exc.strerror or exc}")
            error.errno = exc.errno
            raise error from None
        return line, event

    def _discard_buffer(self) -> None:
        """Drop what a failed write left buffered (closing flushes and fails, but closes)."""
        with contextlib.suppress(OSError, ValueError):
            self._file.close()


    def _turn_dir(self, turn: int) -> Path:
        path = self.folder / f"turn_{turn}"
        path.mkdir(exist_ok=True)
        return path

    def _derive(self, event: Any) -> None:
        if isinstance(event, VoteCast):
            # votes.json is written when it matters (consensus, a reset, the turn's end), not per
            # vote: a whole team votes within milliseconds, just before the next phase starts.
            self._votes.append({"agent": event.agent, "target": event.target, "label": event.label, "reason": event.reason, "ts": event.ts})
            self._votes_turn = event.turn
            return
        if isinstance(event, (Consensus, VotesReset, FinalAnswer, TurnFinished, TurnStarted)):
            self._write_votes()
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
            turns.append({"turn": event.turn, "question": question[:500], "status": "running", "winner": None, "pid": event.pid})
            self.index["turns"] = turns
            self.index["status"] = "running"
            self._save_index(event.ts)
        elif isinstance(event, AnswerPosted):
            folder = self._turn_dir(event.turn) / event.agent
            folder.mkdir(exist_ok=True)
            (folder / f"answer_{event.answer_index}.md").write_text(self._redact(event.content), encoding="utf-8")
        elif isinstance(event, FinalAnswer):
            (self._turn_dir(event.turn) / "final.md").write_text(self._redact(event.content), encoding="utf-8")
        elif isinstance(event, TurnFinished):
            for turn in self.index.get("turns", []):
                if turn.get("turn") == event.turn:
                    turn.update(status=event.status, winner=event.winner, duration_s=event.duration_s)
            self.index["status"] = event.status
            self._save_index(event.ts)

    def _write_votes(self) -> None:
        if self._votes_turn is not None:
            turn, self._votes_turn = self._votes_turn, None
            _write_atomic(self._turn_dir(turn) / "votes.json", self._redact.json_text(json.dumps(self._votes, indent=2)))

    def _save_index(self, ts: str) -> None:
        self.index["updated"] = ts
        _write_atomic(self._index_path, self._redact.json_text(json.dumps(self.index, indent=2)))

    def reload_index(self) -> None:
        """Another process added turns (it held the session's turn lock): start from its index."""
        self.index = self._load_index()

    def set_redactor(self, redactor: Redactor) -> None:
        """A new config may bring new secrets; earlier ones stay redacted."""
        self._redact = redactor

    def close(self) -> None:
        with contextlib.suppress(OSError):  # votes cast in a turn that did not end (cancelled, crashed)
            self._write_votes()
        if not self._file.closed:
            with contextlib.suppress(OSError):  # a full disk was reported when the write failed
                self._file.close()
