"""Stopping the engine also stops what it started (MCP servers, tool commands), even a hung one."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from textual.app import App

from mgtui.tui import engine_client
from mgtui.tui import messages as m
from mgtui.tui.engine_client import EngineClient

pytestmark = pytest.mark.skipif(os.name != "posix", reason="process groups are POSIX")

# A stand-in engine: starts a long-running child, says so, then either exits on the first
# command (leaving the child behind), never reads its commands at all (hung), or crashes at once.
FAKE_ENGINE = """
import subprocess, sys, time
# Like the real engine's children, it holds the stderr pipe but not the protocol pipe (stdout).
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], stdout=sys.stderr)
open(sys.argv[1], "w").write(str(child.pid))
if sys.argv[2] == "exits":
    sys.stdin.readline()
    sys.exit(0)
if sys.argv[2] == "crashes":
    sys.exit("engine crashed: out of cheese")
while True:
    time.sleep(1)
"""


class FakeEngine(EngineClient):
    def __init__(self, target: App[None], pid_file: Path, behaviour: str) -> None:
        super().__init__(target, None)
        self.pid_file, self.behaviour = pid_file, behaviour

    def command(self) -> list[str]:
        return [sys.executable, "-c", FAKE_ENGINE, str(self.pid_file), self.behaviour]


def running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in ("Z", "X")


async def child_of(engine: FakeEngine) -> int:
    for _ in range(400):
        if engine.pid_file.is_file() and engine.pid_file.read_text():
            return int(engine.pid_file.read_text())
        await asyncio.sleep(0.025)
    raise AssertionError("the fake engine did not start its child")


@pytest.mark.parametrize("behaviour", ["exits", "hangs"])
async def test_stopping_the_engine_stops_its_children(behaviour: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_client, "STOP_GRACE_SECONDS", 0.5)
    app: App[None] = App()
    async with app.run_test():
        engine = FakeEngine(app, tmp_path / "child.pid", behaviour)
        await engine.start()
        child = await child_of(engine)
        assert running(child)
        await engine.stop()
        assert not engine.alive
        for _ in range(100):  # SIGKILL is delivered asynchronously
            if not running(child):
                break
            await asyncio.sleep(0.02)
        assert not running(child)


class Watcher(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.died: list[m.EngineDied] = []

    def on_engine_died(self, message: m.EngineDied) -> None:
        self.died.append(message)


async def test_a_crashed_engine_is_reported_and_its_children_stopped(tmp_path: Path) -> None:
    app = Watcher()
    async with app.run_test() as pilot:
        engine = FakeEngine(app, tmp_path / "child.pid", "crashes")
        await engine.start()
        child = await child_of(engine)
        for _ in range(400):  # the child holds the engine's pipes: without the group kill, no report
            if app.died:
                break
            await pilot.pause(0.025)
        assert app.died and "out of cheese" in app.died[0].stderr_tail
        assert not running(child)
