"""An eval's folder: `meta.json` (what was evaluated), `results.jsonl` (one line per question
and system), `report.md`, `report.svg`, and `sessions/` (the team's session logs).

Results are appended a whole question at a time (one write, flushed), so an interrupted
run keeps every question it finished and a rerun with the same folder skips them. The
last line for a (question, system) wins: an errored question is rerun and superseded.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

META_FILE = "meta.json"
RESULTS_FILE = "results.jsonl"
REPORT_MD = "report.md"
REPORT_SVG = "report.svg"
SESSIONS_DIR = "sessions"
EVALS_DIR = "evals"  # under the log root: the default home of `--out` folders


class EvalStoreError(Exception):
    """The folder holds an eval that cannot be continued with these settings."""


def default_out(log_root: Path, suite: str) -> Path:
    """`<log_root>/evals/<timestamp>-<suite>`: listed by the app's Eval screen."""
    stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in Path(suite.lstrip("@")).stem)[:40] or "eval"
    return Path(log_root) / EVALS_DIR / f"{datetime.now():%Y%m%d-%H%M%S}-{stem}"


def fingerprint(meta: dict[str, Any]) -> str:
    """What must match for results to be comparable: dataset, seed, scoring and the team."""
    keys = {k: meta.get(k) for k in ("dataset", "seed", "score", "team")}
    return hashlib.sha256(json.dumps(keys, sort_keys=True).encode()).hexdigest()[:16]


def read_meta(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_meta(folder: Path, meta: dict[str, Any]) -> None:
    """Atomic: a reader (the app) never sees half a file."""
    folder.mkdir(parents=True, exist_ok=True)
    meta = {**meta, "updated": datetime.now(UTC).isoformat(timespec="seconds")}
    tmp = folder / f".{META_FILE}.tmp"
    tmp.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, folder / META_FILE)


def open_folder(folder: Path, meta: dict[str, Any]) -> dict[str, Any]:
    """Start or continue an eval in `folder`; refuses one made with another dataset or team."""
    meta = {**meta, "fingerprint": fingerprint(meta)}
    old = read_meta(folder)
    if old is not None:
        if old.get("fingerprint") != meta["fingerprint"]:
            raise EvalStoreError(
                f"{folder} holds an eval of another dataset, seed, scoring or team "
                f"({old.get('dataset')}, seed {old.get('seed')}, {old.get('score')}); use another --out"
            )
        meta["created"] = old.get("created", meta.get("created"))
    elif folder.exists() and any(folder.iterdir()):
        raise EvalStoreError(f"{folder} exists and is not an eval folder; use another --out")
    write_meta(folder, meta)
    return meta


@dataclass
class Results:
    """The latest record per (question, system, agent), in file order, and lines skipped."""

    records: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def for_question(self, qid: str) -> list[dict[str, Any]]:
        return [r for (q, _, _), r in self.records.items() if q == qid]


def record_key(record: dict[str, Any]) -> tuple[str, str, str]:
    return str(record["qid"]), str(record["system"]), str(record.get("agent") or "")


def read_results(folder: Path) -> Results:
    """Parse results.jsonl; a line cut off by a killed process is skipped, with its line number."""
    results = Results()
    try:
        # "\n" only: a prediction may hold U+2028 or U+0085, raw in JSON, where splitlines() breaks
        lines = (folder / RESULTS_FILE).read_text(encoding="utf-8").split("\n")
    except FileNotFoundError:
        return results
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            key = record_key(record)
        except (ValueError, KeyError, TypeError):
            results.skipped.append(f"{folder / RESULTS_FILE}:{number}: unreadable line skipped")
            continue
        results.records.pop(key, None)  # re-insert: a rerun's line moves to the end
        results.records[key] = record
    return results


def append_question(folder: Path, records: list[dict[str, Any]]) -> None:
    """All systems' records of one question in one write: a kill never splits a question."""
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    with (folder / RESULTS_FILE).open("a", encoding="utf-8") as fh:
        fh.write(data)
        fh.flush()


@dataclass(frozen=True)
class EvalInfo:
    path: Path
    meta: dict[str, Any]

    @property
    def name(self) -> str:
        return self.path.name


def list_evals(log_root: Path) -> list[EvalInfo]:
    """Eval folders under `<log_root>/evals`, newest first (names start with a timestamp)."""
    try:
        entries = [Path(e.path) for e in os.scandir(Path(log_root) / EVALS_DIR) if e.is_dir()]
    except OSError:
        return []
    found = [EvalInfo(p, meta) for p in entries if (meta := read_meta(p)) is not None]
    return sorted(found, key=lambda e: (str(e.meta.get("created", "")), e.name), reverse=True)
