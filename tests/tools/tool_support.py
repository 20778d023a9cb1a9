"""Helpers for the tool tests: scripted tool-using agents and a session's log on disk."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mgtui.config.loader import config_from_data
from mgtui.engine.events import parse_event
from mgtui.engine.session import Session
from tests.support import replies as R


def tool_messages(request: R.RecordedRequest) -> list[dict[str, Any]]:
    """Tool results sent back in this request (the run's tool loop so far)."""
    return [m for m in request.messages if m.get("role") == "tool"]


def uses_tools_then_answers(calls: Sequence[tuple[str, dict[str, Any]]], answer: str, final: str = "") -> R.ScriptFn:
    """Coordination: make `calls` one per request, then `new_answer`; later runs vote agent1.

    The final presentation (no workflow tools offered) replies with `final` text.
    """

    def policy(request: R.RecordedRequest, _index: int) -> R.Reply:
        workflow = {"new_answer", "vote"} & set(request.tool_names)
        if not workflow:
            return R.text(final or answer)
        if request.vote_enum:
            return R.vote("agent1" if "agent1" in request.vote_enum else request.vote_enum[0])
        done = len(tool_messages(request))
        if done < len(calls):
            name, arguments = calls[done]
            return R.tool_call(name, arguments)
        return R.new_answer(answer)

    return policy


def new_session(config: dict[str, Any], log_root: Path) -> Session:
    return Session(config_from_data(config), log_root=log_root)


def read_events(session_dir: str | Path) -> list[Any]:
    lines = (Path(session_dir) / "events.jsonl").read_text(encoding="utf-8").splitlines()
    return [parse_event(line) for line in lines]


def of(events: list[Any], kind: str, agent: str | None = None) -> list[Any]:
    return [e for e in events if e.type == kind and (agent is None or getattr(e, "agent", None) == agent)]
