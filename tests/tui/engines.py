"""Engines for TUI tests: a scripted one that replays a recorded events.jsonl through the
production adapter (`post_event`), and helpers to wait for the screen to settle."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.message_pump import MessagePump
from textual.pilot import Pilot
from textual.widgets import TextArea

from mgtui.engine.events import AnyEvent, parse_event
from mgtui.tui import messages as m
from mgtui.tui.widgets.live_tail import LiveTail

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def load_fixture(name: str) -> list[AnyEvent]:
    return [parse_event(line) for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines() if line.strip()]


class FixtureEngine:
    """Answers each `ask` with the next recorded turn; `limit` cuts a turn short (mid-stream)."""

    def __init__(self, target: MessagePump, fixture: str, limit: int | None = None, log_dir: str | None = None) -> None:
        self.target = target
        self.log_dir = log_dir or "/tmp/fixture-session"  # a resumed session's folder, when given
        self.events = load_fixture(fixture)
        self.limit = limit
        self.alive = False
        self.asked: list[str] = []
        self.asked_write_paths: list[list[str]] = []
        self.cancels = 0
        self.reloads: list[str] = []
        self.human_commands: list[tuple[str, dict[str, object]]] = []
        self.asked_extras: list[dict[str, object]] = []
        self._turn = 0

    @property
    def agents(self) -> list[dict[str, str]]:
        started = next(e for e in self.events if e.type == "session_started")
        return list(started.agents)  # type: ignore[attr-defined]

    async def start(self) -> None:
        self.alive = True
        self.target.post_message(m.EngineReady(self.events[0].session, self.log_dir, self.agents))

    def ask(self, question: str, write_paths: list[str] | None = None, **extras: object) -> None:
        self.asked_extras.append(dict(extras))
        self.asked.append(question)
        self.asked_write_paths.append(list(write_paths or []))
        self._turn += 1
        turn = [e for e in self.events if e.turn == self._turn or (self._turn == 1 and e.type == "session_started")]
        for event in turn[: self.limit]:
            m.post_event(self.target, event)

    def cancel(self) -> None:
        self.cancels += 1

    def human(self, cmd: str, **fields: object) -> None:
        self.human_commands.append((cmd, dict(fields)))

    def reload(self, config_path: str) -> None:
        self.reloads.append(config_path)

    async def stop(self) -> None:
        self.alive = False


def fixture_factory(fixture: str, limit: int | None = None, made: list[FixtureEngine] | None = None):
    def make(target: MessagePump, _config: str | None, session_dir: str | None) -> FixtureEngine:
        engine = FixtureEngine(target, fixture, limit, session_dir)
        if made is not None:
            made.append(engine)
        return engine

    return make


async def wait_until(pilot: Pilot, condition: Callable[[], bool], tries: int = 400) -> None:
    """Let the app run until `condition` holds (polling, no timing asserted)."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.025)
    raise AssertionError("condition never held")


async def settle(pilot: Pilot) -> None:
    """Process queued messages, draw buffered live text now, and let the screen repaint."""
    for screen in pilot.app.screen_stack:  # a dialog shows the screen below it too
        for area in screen.query(TextArea):
            area.cursor_blink = False  # a blinking cursor makes snapshots depend on the clock
    await pilot.pause()
    for tail in pilot.app.screen.query(LiveTail):
        tail.flush()
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
