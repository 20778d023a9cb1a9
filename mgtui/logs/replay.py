"""Replay source: yields a recorded session's events with the original timing, scaled.

Speeds run from 0.5× to 20×, or instant. Replay can be paused, resumed, and stepped to the
next answer or vote. It is a plain async iterator so the TUI drives it from a worker and
pushes every event through the same adapter as a live run. Long idle gaps (the user away
between turns) are capped so a replay never sits still for minutes.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from pathlib import Path

from mgtui.engine.events import AnyEvent
from mgtui.logs.reader import ReadReport, read_events

SPEEDS: tuple[float, ...] = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, math.inf)
STEP_KINDS = frozenset({"answer", "vote"})
_INSTANT_BATCH = 256  # events between yields to the loop at instant speed, so the UI keeps breathing


def _timestamp(ts: str) -> float | None:
    try:
        return datetime.fromisoformat(ts).timestamp()
    except ValueError:
        return None


def gaps(events: Sequence[AnyEvent], max_gap_s: float) -> list[float]:
    """Seconds to wait before each event at 1× (first is 0); bad or backwards clocks give 0."""
    out: list[float] = []
    previous: float | None = None
    for event in events:
        now = _timestamp(event.ts)
        gap = now - previous if now is not None and previous is not None else 0.0
        out.append(min(max(gap, 0.0), max_gap_s))
        previous = now if now is not None else previous
    return out


def speed_label(speed: float) -> str:
    return "instant" if math.isinf(speed) else f"{speed:g}×"


class ReplaySource:
    """Async iterator over events with pause/resume, speed changes and stepping."""

    def __init__(self, events: Sequence[AnyEvent] = (), speed: float = 1.0, *, max_gap_s: float = 3.0,
                 report: ReadReport | None = None) -> None:
        self.max_gap_s = max_gap_s
        self.load(events, report)
        self._speed = self._valid(speed)
        self.position = 0  # events delivered so far
        self._running = asyncio.Event()
        self._running.set()
        self._changed = asyncio.Event()  # wakes a timed wait when speed/pause/step changes
        self._stepping = False

    def load(self, events: Sequence[AnyEvent], report: ReadReport | None = None) -> None:
        """Set the events to play (the TUI reads the log in a thread, then loads it here)."""
        self.events = list(events)
        self.report = report
        self._gaps = gaps(self.events, self.max_gap_s)

    @classmethod
    def from_path(cls, path: Path, speed: float = 1.0, **kwargs: float) -> ReplaySource:
        events, report = read_events(path)
        return cls(events, speed, report=report, **kwargs)

    @staticmethod
    def _valid(speed: float) -> float:
        if not speed > 0:
            raise ValueError(f"replay speed must be positive, got {speed}")
        return speed

    @property
    def notices(self) -> list[str]:
        return self.report.notices if self.report else []

    @property
    def total(self) -> int:
        return len(self.events)

    @property
    def done(self) -> bool:
        return self.position >= len(self.events)

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    @property
    def speed(self) -> float:
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        self._speed = self._valid(value)
        self._changed.set()

    def faster(self) -> float:
        self.speed = next((s for s in SPEEDS if s > self._speed), SPEEDS[-1])
        return self._speed

    def slower(self) -> float:
        self.speed = next((s for s in reversed(SPEEDS) if s < self._speed), SPEEDS[0])
        return self._speed

    def pause(self) -> None:
        self._running.clear()
        self._changed.set()

    def resume(self) -> None:
        self._stepping = False
        self._running.set()
        self._changed.set()

    def toggle_pause(self) -> bool:
        """Pause or resume; returns True when now paused."""
        if self.paused:
            self.resume()
        else:
            self.pause()
        return self.paused

    def step(self) -> None:
        """Deliver events at once up to and including the next answer or vote, then pause."""
        self._stepping = True
        self._running.set()
        self._changed.set()

    async def _wait(self, gap: float) -> None:
        """Sleep `gap` replay-seconds, honouring pause, speed changes and steps meanwhile."""
        loop = asyncio.get_running_loop()
        remaining = gap
        while remaining > 0 and not self._stepping and not math.isinf(self._speed):
            await self._running.wait()
            if self._stepping:
                return
            self._changed.clear()
            speed, started = self._speed, loop.time()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining / speed)
            except TimeoutError:
                return
            remaining -= (loop.time() - started) * speed

    async def __aiter__(self) -> AsyncIterator[AnyEvent]:
        since_yield = 0
        while self.position < len(self.events):
            await self._running.wait()
            event = self.events[self.position]
            await self._wait(self._gaps[self.position])
            await self._running.wait()  # paused during the gap: hold the event until resumed
            self.position += 1
            yield event
            if self._stepping and event.type in STEP_KINDS:
                self._stepping = False
                self._running.clear()
            elif math.isinf(self._speed) or self._stepping:
                since_yield += 1
                if since_yield >= _INSTANT_BATCH:
                    since_yield = 0
                    await asyncio.sleep(0)
