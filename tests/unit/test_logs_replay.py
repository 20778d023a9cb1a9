"""The replay source: scaled timing, instant mode, pause/resume, stepping, cut-off logs."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

import pytest

from mgtui.engine.events import parse_event
from mgtui.logs.reader import read_events
from mgtui.logs.replay import SPEEDS, ReplaySource, gaps, speed_label
from tests.support.log_factory import make_session

SAFETY = 30  # seconds; only guards against a hang, never asserts speed


def _events(stamps: list[str]) -> list:
    return [parse_event({"type": "notice", "message": str(i), "ts": ts}) for i, ts in enumerate(stamps)]


def test_gaps_follow_the_clock_capped_and_never_negative() -> None:
    events = _events(["2026-11-25T10:00:00Z", "2026-11-25T10:00:01.500Z", "2026-11-25T10:00:01Z", "bad", "2026-11-25T11:00:00Z"])
    assert gaps(events, max_gap_s=3.0) == [0.0, 1.5, 0.0, 0.0, 3.0]


def test_speed_steps_through_the_ladder() -> None:
    source = ReplaySource([], speed=1.0)
    assert [source.faster() for _ in range(6)] == [2.0, 5.0, 10.0, 20.0, math.inf, math.inf]
    assert [source.slower() for _ in range(7)] == [20.0, 10.0, 5.0, 2.0, 1.0, 0.5, 0.5]
    assert speed_label(math.inf) == "instant" and speed_label(0.5) == "0.5×" and SPEEDS[0] == 0.5
    with pytest.raises(ValueError):
        ReplaySource([], speed=0)


async def _collect(source: ReplaySource) -> list:
    return [e async for e in source]


async def test_instant_replay_yields_every_event_in_order(tmp_path: Path) -> None:
    folder = make_session(tmp_path, turns=2, seed=3)
    source = ReplaySource.from_path(folder, speed=math.inf)
    got = await asyncio.wait_for(_collect(source), SAFETY)
    expected, _ = read_events(folder)
    assert [e.model_dump() for e in got] == [e.model_dump() for e in expected]
    assert source.done and source.position == source.total


async def test_step_delivers_up_to_the_next_answer_or_vote_then_pauses(tmp_path: Path) -> None:
    folder = make_session(tmp_path, turns=1, seed=3)
    # Real timing with an hour-long cap: without stepping nothing would arrive within the test.
    source = ReplaySource.from_path(folder, speed=0.5, max_gap_s=3600)
    source.pause()
    got: list = []

    async def consume() -> None:
        async for event in source:
            got.append(event)

    task = asyncio.create_task(consume())
    await asyncio.sleep(0)
    assert got == [] and source.paused
    moves = []
    for _ in range(3):
        before = len(got)
        source.step()
        while not (source.paused and len(got) > before):
            await asyncio.sleep(0)
        moves.append(got[-1].type)
        assert all(e.type not in ("answer", "vote") for e in got[before:-1])
    assert set(moves) <= {"answer", "vote"}
    source.speed = math.inf
    source.resume()
    await asyncio.wait_for(task, SAFETY)
    assert len(got) == source.total


async def test_pause_holds_events_until_resumed(tmp_path: Path) -> None:
    folder = make_session(tmp_path, turns=1, seed=8)
    source = ReplaySource.from_path(folder, speed=math.inf)
    got: list = []

    async def consume() -> None:
        async for event in source:
            got.append(event)
            if len(got) == 5:
                source.pause()

    task = asyncio.create_task(consume())
    for _ in range(50):
        await asyncio.sleep(0)
    assert len(got) == 5 and source.paused and not task.done()
    assert source.toggle_pause() is False
    await asyncio.wait_for(task, SAFETY)
    assert len(got) == source.total


async def test_cut_off_log_replays_to_its_last_complete_event(tmp_path: Path) -> None:
    folder = make_session(tmp_path, turns=1, seed=2)
    log = folder / "events.jsonl"
    text = log.read_text()
    log.write_text(text[: len(text) - 40])  # the last line loses its end
    source = ReplaySource.from_path(folder, speed=math.inf)
    got = await asyncio.wait_for(_collect(source), SAFETY)
    assert len(got) == len(text.splitlines()) - 1
    assert any("cut off" in n for n in source.notices)
