"""Helpers for the engine scenario tests: run turns of a real Session, read its event log."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mgtui.config.loader import config_from_data
from mgtui.engine.events import parse_event
from mgtui.engine.session import Session, TurnResult


@dataclass
class Log:
    """A session's events.jsonl, parsed (every line must parse)."""

    events: list[Any]
    folder: Path
    index: dict[str, Any] = field(default_factory=dict)

    def of(self, kind: str, agent: str | None = None, turn: int | None = None) -> list[Any]:
        return [
            e
            for e in self.events
            if e.type == kind and (agent is None or getattr(e, "agent", None) == agent) and (turn is None or e.turn == turn)
        ]

    def one(self, kind: str, **filters: Any) -> Any:
        found = self.of(kind, **filters)
        assert len(found) == 1, f"expected one {kind} event, got {len(found)}"
        return found[0]

    def after(self, event: Any) -> list[Any]:
        return self.events[self.events.index(event) + 1 :]


def read_log(result: TurnResult) -> Log:
    folder = Path(result.log_dir)
    lines = (folder / "events.jsonl").read_text(encoding="utf-8").split("\n")[:-1]  # not splitlines(): U+2028 is raw in JSON
    events = [parse_event(line) for line in lines]
    assert all(e.session == result.session_id for e in events)
    index = json.loads((folder / "session.json").read_text(encoding="utf-8"))
    log = Log(events, folder, index)
    # Every turn is bracketed by turn_started ... turn_finished.
    turn_events = [e for e in events if e.turn == result.turn and e.type != "session_started"]
    assert turn_events[0].type == "turn_started" and turn_events[-1].type == "turn_finished"
    return log


def new_session(config: dict[str, Any], log_root: Path, sink: Callable[[Any], Any] | None = None) -> Session:
    return Session(config_from_data(config), log_root=log_root, sink=sink)


async def ask_once(config: dict[str, Any], log_root: Path, question: str = "What is the capital of France?", sink: Callable[[Any],
    Any] | None = None) -> tuple[TurnResult, Log]:
    session = new_session(config, log_root, sink)
    try:
        result = await session.ask(question)
    finally:
        session.close()
    return result, read_log(result)


def last_votes(log: Log, turn: int = 1) -> dict[str, str]:
    """Each agent's last counted vote target in a turn."""
    return {e.agent: e.target for e in log.of("vote", turn=turn)}
