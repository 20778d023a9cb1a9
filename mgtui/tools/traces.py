"""Execution traces: what an agent did in the run that produced an answer.

`TraceBook` follows the event stream; each agent's trace restarts with a new run (not
with a retry or an enforcement nudge, which continue the same run). `render_trace` turns
one run into Markdown for `execution_trace_<k>.md`; peers read it in their snapshot view,
so it names agents only by their anonymous label.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

TRACE_ARGS_MAX = 4000
TRACE_RESULT_MAX = 3000
_CONTINUING = frozenset({"retry", "enforce"})


@dataclass
class TraceEntry:
    kind: str  # "text" | "call" | "result" | "hook" | "error"
    text: str = ""
    name: str = ""
    call_id: str = ""
    error: str | None = None
    duration_s: float | None = None


@dataclass
class RunTrace:
    entries: list[TraceEntry] = field(default_factory=list)
    round: int = 0

    def add_text(self, delta: str) -> None:
        if self.entries and self.entries[-1].kind == "text":
            self.entries[-1].text += delta
        else:
            self.entries.append(TraceEntry("text", delta))


class TraceBook:
    """The current run of every agent, built from events."""

    def __init__(self) -> None:
        self.runs: dict[str, RunTrace] = {}

    def feed(self, event: Any) -> None:
        kind = getattr(event, "type", "")
        agent = getattr(event, "agent", None)
        if agent is None:
            return
        if kind == "agent_started":
            if event.reason not in _CONTINUING or agent not in self.runs:
                self.runs[agent] = RunTrace(round=event.round)
            return
        run = self.runs.setdefault(agent, RunTrace())
        if kind == "text":
            run.add_text(event.delta)
        elif kind == "tool_call":
            run.entries.append(TraceEntry("call", _json(event.arguments), event.name, event.call_id))
        elif kind == "tool_result":
            run.entries.append(TraceEntry("result", _text(event.result), event.name, event.call_id, event.error, event.duration_s))
        elif kind == "hook_run":
            run.entries.append(TraceEntry("hook", f"{event.hook} {event.handler}: {event.outcome} {event.detail}".strip(), event.tool))
        elif kind == "agent_error":
            run.entries.append(TraceEntry("error", event.error))

    def take(self, agent: str) -> RunTrace:
        return self.runs.get(agent, RunTrace())


def _json(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, indent=2)
    except (TypeError, ValueError):
        return str(value)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else _json(value)


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n[... {len(text) - limit} more characters]"


def fenced(text: str, lang: str = "") -> str:
    """A code fence longer than any backtick run inside, so content cannot break out."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{text}\n{fence}"


def render_trace(title: str, run: RunTrace, answer: str | None = None, turn: int = 0) -> str:
    lines = [f"# Execution trace: {title}", ""]
    if turn:
        lines += [f"Turn {turn}, round {run.round}.", ""]
    if not run.entries:
        lines += ["(no text or tool calls recorded)", ""]
    for entry in run.entries:
        if entry.kind == "text" and entry.text.strip():
            lines += ["## Text", "", fenced(entry.text.strip()), ""]
        elif entry.kind == "call":
            lines += [f"## Tool call `{entry.name}` ({entry.call_id})", "", fenced(_clip(entry.text, TRACE_ARGS_MAX), "json"), ""]
        elif entry.kind == "result":
            took = f" in {entry.duration_s:.3f} s" if entry.duration_s is not None else ""
            status = f"error: {entry.error}" if entry.error else "ok"
            lines += [f"### Result of `{entry.name}` ({status}{took})", "", fenced(_clip(entry.text, TRACE_RESULT_MAX)), ""]
        elif entry.kind == "hook":
            lines += [f"- hook on `{entry.name}`: {entry.text}", ""]
        elif entry.kind == "error":
            lines += [f"- error: {entry.text}", ""]
    if answer is not None:
        lines += ["## Answer", "", fenced(answer.strip()), ""]
    return "\n".join(lines)
