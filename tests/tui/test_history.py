"""History and log analysis screens, opened from the app's keys on a recorded session."""

from __future__ import annotations

import json
import math
from pathlib import Path

from textual.widgets import Markdown, OptionList, Static

from mgtui.logs.reader import read_events
from mgtui.tui.app import MgtuiApp
from mgtui.tui.replay_app import ReplayApp
from mgtui.tui.screens.history import HistoryScreen
from mgtui.tui.screens.log_analysis import LogAnalysisScreen
from mgtui.tui.screens.log_browser import LogBrowserScreen
from mgtui.tui.screens.replay import ReplayScreen
from tests.tui.engines import fixture_factory, wait_until
from tests.tui.test_replay import FIXTURE, SIZE, frame_text, session_folder


def markdown_source(screen: HistoryScreen) -> str:
    return screen.query_one("#history-markdown", Markdown).source


async def test_history_shows_every_answer_vote_and_final(tmp_path: Path) -> None:
    folder = session_folder(tmp_path)
    events, _ = read_events(folder)
    app = ReplayApp(folder, speed=math.inf)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        screen = app.screen
        assert isinstance(screen, HistoryScreen) and screen.session_dir == folder
        turns = screen.query_one(OptionList)
        await wait_until(pilot, lambda: turns.option_count == 2 and "## Turn 2" in markdown_source(screen))
        text = markdown_source(screen)
        for e in events:
            if e.turn != 2:
                continue
            if e.type == "answer":
                assert f"#### {e.label} · {e.agent}" in text and e.content in text
            elif e.type == "vote":
                assert f"{e.agent} → **{e.target}** ({e.label})" in text and e.reason in text
            elif e.type == "final_answer":
                assert e.content in text
        await pilot.press("up")
        await wait_until(pilot, lambda: "## Turn 1" in markdown_source(screen))
        assert "At what temperature does water boil?" in markdown_source(screen)
        await pilot.press("escape")
        assert isinstance(app.screen, ReplayScreen)


async def test_analysis_screen_tables_and_timeline(tmp_path: Path) -> None:
    folder = session_folder(tmp_path)
    app = ReplayApp(folder, speed=math.inf)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        screen = app.screen
        assert isinstance(screen, LogAnalysisScreen)
        await wait_until(pilot, lambda: screen.summary is not None and len(screen.query(".analysis-table")) >= 3)
        assert screen.summary is not None and [t.state.winner for t in screen.summary.turns] == ["alpha", "alpha"]
        chart = screen.query_one(".analysis-chart", Static)
        chart.scroll_visible(animate=False, top=True)
        title = "Turn 1 · 5.4 s · ok · winner alpha"
        await wait_until(pilot, lambda: any(line.startswith(title) for line in frame_text(app.export_screenshot())))
        lines = frame_text(app.export_screenshot())
        header = next(i for i, line in enumerate(lines) if line.startswith(title))
        lanes = [line.split()[0] for line in lines[header + 1 : header + 4]]
        assert lanes == ["alpha*", "beta", "gamma"]  # one lane per agent, the winner starred
        assert any(line.strip().startswith("↑0s") for line in lines[header:])


async def test_sessions_key_opens_the_browser_and_replays(tmp_path: Path) -> None:
    folder = session_folder(tmp_path)
    app = MgtuiApp(config_path="fixture.yaml", engine_factory=fixture_factory(FIXTURE), log_root=str(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        browser = app.screen
        assert isinstance(browser, LogBrowserScreen) and browser.log_root == tmp_path
        await wait_until(pilot, lambda: browser.query_one(OptionList).option_count == 1)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ReplayScreen))
        replay = app.screen
        assert replay.session_dir == folder
        await wait_until(pilot, lambda: replay.source.total > 0)
        assert replay.source.events[0].session == json.loads((folder / "events.jsonl").read_text().splitlines()[0])["session"]


async def test_history_shows_attachments_as_chips(tmp_path: Path) -> None:
    folder = session_folder(tmp_path)
    lines = (folder / "events.jsonl").read_text(encoding="utf-8").splitlines()
    patched = []
    for line in lines:
        event = json.loads(line)
        if event.get("type") == "turn_started" and event.get("turn") == 2:
            event["attachments"] = [{"path": "notes.txt", "mode": "read", "bytes": 2048}]
        patched.append(json.dumps(event))
    (folder / "events.jsonl").write_text("\n".join(patched) + "\n", encoding="utf-8")
    app = ReplayApp(folder, speed=math.inf)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        screen = app.screen
        turns = screen.query_one(OptionList)
        await wait_until(pilot, lambda: turns.option_count == 2 and "## Turn 2" in markdown_source(screen))
        assert "⟨notes.txt · 2.0 kB⟩" in str(turns.get_option("turn-2").prompt)
        assert "⟨notes.txt · 2.0 kB⟩" not in str(turns.get_option("turn-1").prompt)
        assert "Attached: `⟨notes.txt · 2.0 kB⟩`" in markdown_source(screen)
