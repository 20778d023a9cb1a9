"""Finished turns for the collapsed strip: kept live by the main screen, or read back from
a session's events.jsonl when a session is continued."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass
class TurnRecord:
    turn: int
    question: str
    final: str
    status: str
    winner: str | None


def turns_from_log(path: Path) -> list[TurnRecord]:
    """Every turn the log shows (a line cut off by a killed process is skipped)."""
    turns: dict[int, TurnRecord] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    for line in lines:
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(event, dict):
            continue
        kind, turn = event.get("type"), int(event.get("turn") or 0)
        if kind == "turn_started":
            turns[turn] = TurnRecord(turn, str(event.get("question", "")), "", "", None)
        elif turn in turns and kind == "final_answer":
            turns[turn].final = str(event.get("content", ""))
        elif turn in turns and kind == "turn_finished":
            record = turns[turn]
            record.status = str(event.get("status", ""))
            record.winner = event.get("winner")
            record.final = record.final or str(event.get("final_answer") or "")
    return [turns[t] for t in sorted(turns)]
