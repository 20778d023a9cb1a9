"""Tolerant reader of `events.jsonl`.

A log written by a killed process may end in half a line, and a hand-edited or corrupt log
may hold garbage. Neither should stop a replay or a summary: the cut-off last line is skipped
with a notice, other bad lines are counted and skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from mgtui.engine.events import AnyEvent, parse_event
from mgtui.regular_file import read_regular_bytes

EVENTS_FILE = "events.jsonl"


@dataclass
class ReadReport:
    """What the reader had to skip, for notices in the UI and the CLI."""

    path: Path
    events: int = 0
    garbage: int = 0  # bad lines before the last one
    garbage_lines: list[int] = field(default_factory=list)  # 1-based, first few only
    truncated: bool = False  # the last line was cut off mid-way
    missing: bool = False

    @property
    def notices(self) -> list[str]:
        out: list[str] = []
        if self.missing:
            out.append(f"{self.path}: no event log")
        if self.truncated:
            out.append(f"{self.path}: the last line was cut off (killed process?); replayed up to the last complete event")
        if self.garbage:
            where = ", ".join(str(n) for n in self.garbage_lines)
            more = "…" if self.garbage > len(self.garbage_lines) else ""
            out.append(f"{self.path}: skipped {self.garbage} unreadable line(s) (line {where}{more})")
        return out


def events_path(path: Path) -> Path:
    """Accept a session folder or the log file itself."""
    return path / EVENTS_FILE if path.is_dir() else path


def iter_events(path: Path, report: ReadReport | None = None) -> Iterator[AnyEvent]:
    """Yield every valid event of a log in order, recording what was skipped in `report`."""
    file = events_path(Path(path))
    report = report if report is not None else ReadReport(file)
    try:
        data = read_regular_bytes(file)  # a FIFO here must not hang the reader
    except OSError:
        report.missing = True
        return
    lines = data.split(b"\n")
    # A complete log ends with "\n", so the final element is empty; anything else is a cut-off tail.
    tail = lines.pop()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            event = parse_event(line)
        except (ValidationError, ValueError):
            report.garbage += 1
            if len(report.garbage_lines) < 5:
                report.garbage_lines.append(number)
            continue
        report.events += 1
        yield event
    if tail.strip():
        try:
            event = parse_event(tail)
        except (ValidationError, ValueError):
            report.truncated = True
            return
        report.events += 1  # a complete event that only lacks its newline
        yield event


def read_events(path: Path) -> tuple[list[AnyEvent], ReadReport]:
    """Read a whole log: (events, report)."""
    report = ReadReport(events_path(Path(path)))
    return list(iter_events(path, report)), report
