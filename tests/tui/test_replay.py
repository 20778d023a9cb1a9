"""Replay drives the very same main screen: its final frame equals the live run's (real engine)."""

from __future__ import annotations

import html
import json
import math
import re
import shutil
from pathlib import Path

from textual.message_pump import MessagePump

from mgtui.logs.replay import ReplaySource
from mgtui.tui import messages as m
from mgtui.tui.app import MgtuiApp
from mgtui.tui.replay_app import ReplayApp
from mgtui.tui.screens.main import MainScreen
from mgtui.tui.screens.replay import ReplayBar, ReplayEngine, ReplayScreen
from mgtui.tui.widgets.agent_pane import AgentPane
from mgtui.tui.widgets.final_answer import FinalAnswerView
from tests.conftest import make_config
from tests.support.model_server import ModelServer
from tests.support.replies import answer_then_vote
from tests.tui.engines import FIXTURES, settle, wait_until
from tests.tui.screen_text import drawn_text

FIXTURE = "three_agents_two_turns.jsonl"
SIZE = (150, 44)
QUESTIONS = ("At what temperature does water boil?", "And on top of Everest?")
AGENTS = ("alpha", "beta", "gamma")
ENGINE_TRIES = 4000  # polls of 25 ms: a cold engine imports LiteLLM (seconds on 2 cores)


def session_folder(tmp_path: Path, fixture: str = FIXTURE) -> Path:
    folder = tmp_path / "20261125-143904-743e07"
    folder.mkdir()
    shutil.copy(FIXTURES / fixture, folder / "events.jsonl")
    return folder


def frame_text(svg: str) -> list[str]:
    """The characters of a screenshot, row by row (readable when frames differ)."""
    rows: dict[float, list[tuple[float, str]]] = {}
    for found in re.finditer(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>', svg):
        rows.setdefault(float(found[2]), []).append((float(found[1]), html.unescape(found[3]).replace("\xa0", " ")))
    return ["".join(text for _, text in sorted(row)) for _, row in sorted(rows.items())]


async def final_frame(pilot) -> str:  # noqa: ANN001
    """The frame once everything is drawn, every agent pane scrolled to its end.

    Scrolling is normalised because where a following pane comes to rest depends on timing
    (a live run leaves the longest pane two lines short of its end), and the panes' scrollbars
    are hidden because their thumbs repaint a frame late; the content must match.
    """
    for pane in pilot.app.screen.query(AgentPane):
        pane.body.scroll_end(animate=False, immediate=True)
    await settle(pilot)
    for pane in pilot.app.screen.query(AgentPane):
        # Hidden too: a thumb may still be drawn where the scroll was, one repaint behind.
        pane.body.styles.scrollbar_size_vertical = 0
    await settle(pilot)
    return pilot.app.export_screenshot()


async def live_frame(server: ModelServer, folder: Path) -> tuple[str, Path]:
    """Two questions typed at the prompt of the app with its real engine process (real LiteLLM,
    the loopback model server): the final frame, and the session folder the engine logged."""
    for name in AGENTS:
        server.script(name, answer_then_vote(f"{name}: water boils at 100 °C at sea level.", vote_for="agent1",
                                             final="Water boils at **100 °C** at sea level."))
    config = folder / "config.yaml"
    config.write_text(json.dumps(make_config(server, AGENTS)), encoding="utf-8")  # JSON is YAML
    app = MgtuiApp(config_path=str(config), log_root=str(folder / "logs"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(app.screen.query(AgentPane)) == len(AGENTS), ENGINE_TRIES)
        for number, question in enumerate(QUESTIONS, start=1):
            await pilot.press(*["space" if c == " " else c for c in question], "enter")
            await wait_until(pilot, lambda n=number, q=question: f"Q{n}: {q}" in drawn_text(app.screen)
                             and "✓ done" in drawn_text(app.screen.query_one(FinalAnswerView)), ENGINE_TRIES)
        await settle(pilot)
        frame = await final_frame(pilot)
        await app.action_quit()
    (session,) = (folder / "logs").iterdir()
    return frame, session


async def replayed_frame(folder: Path, config_path: str = "fixture.yaml") -> str:
    """The same log replayed (instantly) into the same main screen by the replay engine."""

    def factory(target: MessagePump, _config: str | None, _session: str | None) -> ReplayEngine:
        return ReplayEngine(target, ReplaySource(speed=math.inf), folder)

    app = MgtuiApp(config_path=config_path, engine_factory=factory)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await wait_until(pilot, lambda: screen.control.engine is not None and screen.control.engine.finished)
        await wait_until(pilot, lambda: not screen.team.running and screen.team.turns)
        await settle(pilot)
        return await final_frame(pilot)


async def test_replay_reproduces_the_live_final_frame(model_server: ModelServer, tmp_path: Path) -> None:
    live, session = await live_frame(model_server, tmp_path)
    replayed = await replayed_frame(session, str(tmp_path / "config.yaml"))
    assert "Everest" in "".join(frame_text(live)) and "100 °C" in "".join(frame_text(live))
    assert frame_text(replayed) == frame_text(live)
    assert replayed == live  # colours and styles too


async def test_replay_screen_keys_pause_step_and_speed(tmp_path: Path) -> None:
    folder = session_folder(tmp_path)
    app = ReplayApp(folder, speed=1.0, paused=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        source = screen.source
        await wait_until(pilot, lambda: source.total > 0)
        await pilot.pause()
        assert source.position == 0 and "replay paused" in str(screen.query_one(ReplayBar).render())
        await pilot.press("n")  # to the first answer or vote
        await wait_until(pilot, lambda: source.paused and source.position > 0)
        assert source.events[source.position - 1].type in ("answer", "vote")
        await pilot.press("plus", "plus")
        assert source.speed == 5.0
        await pilot.press("minus")
        assert source.speed == 2.0
        for _ in range(5):
            await pilot.press("plus")
        assert math.isinf(source.speed)
        await pilot.press("space")
        await wait_until(pilot, lambda: source.done and not screen.team.running and len(screen.team.turns) == 1)
        await settle(pilot)
        assert "replay finished" in str(screen.query_one(ReplayBar).render())
        assert screen.query_one(FinalAnswerView).content
        assert [p.agent_id for p in screen.query(AgentPane)] == ["alpha", "beta", "gamma"]
        assert not screen.query("#prompt-area")  # a replay cannot be asked anything


async def test_cut_off_log_replays_with_a_notice(tmp_path: Path) -> None:
    folder = session_folder(tmp_path)
    log = folder / "events.jsonl"
    text = log.read_text()
    cut = text.index('"type":"final_answer"')  # killed while the first final answer was written
    log.write_text(text[: cut + 30])
    app = ReplayApp(folder, speed=math.inf)
    posted: list = []
    async with app.run_test(size=SIZE, message_hook=posted.append) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: screen.engine is not None and screen.engine.finished)
        await settle(pilot)
        assert screen.source.position == text[:cut].count("\n")
        assert any(isinstance(msg, m.EngineEvent) and msg.event.type == "notice" and "cut off" in msg.event.message for msg in posted)


def test_replay_snapshot_mid_session(snap_compare, tmp_path: Path) -> None:  # noqa: ANN001
    folder = session_folder(tmp_path)
    app = ReplayApp(folder, speed=1.0, paused=True)

    async def step_to_third_vote(pilot) -> None:  # noqa: ANN001
        source = app.screen.source
        await wait_until(pilot, lambda: source.total > 0)
        votes = 0
        while votes < 3:
            before = source.position
            await pilot.press("n")
            await wait_until(pilot, lambda before=before: source.paused and source.position > before)
            votes += source.events[source.position - 1].type == "vote"
        await wait_until(pilot, lambda: app.screen.message_queue_size == 0)
        for pane in app.screen.query(AgentPane):  # where a following pane rests depends on timing
            pane.body.scroll_end(animate=False, immediate=True)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=step_to_third_vote)


async def test_replay_status_never_says_engine_busy(tmp_path: Path) -> None:
    from mgtui.tui.replay_app import ReplayApp
    from mgtui.tui.widgets.status_bar import StatusBar

    folder = session_folder(tmp_path)
    app = ReplayApp(folder)
    async with app.run_test(size=(150, 44)) as pilot:
        await pilot.pause(0.5)
        await pilot.press("d", "x")  # pane keys do nothing in a replay (and must not fail)
        rendered = str(app.screen.query_one(StatusBar).render())
        assert "replay" in rendered and "busy" not in rendered
