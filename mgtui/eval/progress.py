"""Live progress on stderr: questions done / total, running accuracy per system, tokens, ETA.

On a terminal one line is redrawn in place (and once a second, so the clock moves); into
a pipe or a file each finished question prints one plain line. Only numbers and config
ids are printed here, never model text.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import time
from typing import Any, TextIO

from mgtui.eval.summary import MAJORITY, SINGLE, TEAM


def _duration(seconds: float) -> str:
    seconds = int(max(0, seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


class EvalProgress:
    def __init__(self, total: int, done: int, agents: list[str], stream: TextIO | None = None) -> None:
        self.out = stream or sys.stderr
        self.tty = bool(getattr(self.out, "isatty", lambda: False)())
        self.total, self.done, self.started_with = total, done, done
        self.names = [TEAM, *agents, MAJORITY]
        self.correct = {name: 0 for name in self.names}
        self.seen = {name: 0 for name in self.names}
        self.errors = 0
        self.tokens = 0
        self.started = time.monotonic()
        self._ticker: asyncio.Task[None] | None = None

    def line(self) -> str:
        parts = [f"{self.done}/{self.total} questions"]
        for name in self.names:
            if self.seen[name]:
                label = "maj" if name == MAJORITY else name
                parts.append(f"{label} {self.correct[name]}/{self.seen[name]} {100 * self.correct[name] / self.seen[name]:.0f}%")
        parts.append(f"{self.tokens:,} tok")
        if self.errors:
            parts.append(f"{self.errors} err")
        finished_here = self.done - self.started_with
        elapsed = time.monotonic() - self.started
        if finished_here and self.done < self.total:
            parts.append(f"ETA {_duration(elapsed / finished_here * (self.total - self.done))}")
        parts.append(_duration(elapsed))
        return " · ".join(parts)

    def add(self, records: list[dict[str, Any]]) -> None:
        """One finished question's records."""
        self.done += 1
        for record in records:
            name = record.get("agent") if record.get("system") == SINGLE else record.get("system")
            if name in self.seen:
                self.seen[name] += 1
                self.correct[name] += bool(record.get("correct"))
            self.errors += bool(record.get("error"))
            if record.get("system") != MAJORITY:  # the majority's tokens are the members'
                self.tokens += int(record.get("prompt_tokens") or 0) + int(record.get("completion_tokens") or 0)
        self.draw()

    def draw(self) -> None:
        if self.tty:
            width = shutil.get_terminal_size((120, 20)).columns - 1  # a wrapped line cannot be redrawn
            self.out.write("\r\x1b[2K" + self.line()[:width])
        else:
            self.out.write(self.line() + "\n")
        self.out.flush()

    def say(self, text: str) -> None:
        """A message of its own line (the redrawn line is cleared first)."""
        self.out.write(("\r\x1b[2K" if self.tty else "") + text + "\n")
        self.out.flush()
        if self.tty:
            self.draw()

    def start(self) -> None:
        self.started = time.monotonic()  # the ETA leaves out start-up (importing LiteLLM)
        if self.tty:
            self.draw()
            self._ticker = asyncio.get_running_loop().create_task(self._tick())

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            self.draw()

    def finish(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None
        if self.tty:
            self.out.write("\r\x1b[2K" + self.line() + "\n")
            self.out.flush()
