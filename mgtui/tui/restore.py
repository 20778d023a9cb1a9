"""`--continue`: put a resumed session back on screen as it was left — the last turn's panes,
votes and final answer (its events replayed through the one adapter) and the prompt history."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mgtui.engine.events import AnyEvent


def last_turn_events(log_dir: str) -> list[AnyEvent]:
    """The events of the last finished turn (read in a worker thread: it parses the log)."""
    from mgtui.logs.reader import read_events  # noqa: PLC0415 - pydantic, off the first frame

    events, _report = read_events(Path(log_dir) / "events.jsonl")
    last = max((e.turn for e in events if e.type == "turn_finished"), default=0)
    return [e for e in events if last and e.turn == last and e.type != "session_started"]
