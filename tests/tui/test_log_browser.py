"""The log browser: lists thousands of sessions, filters fuzzily, opens replay/continue/analysis."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import OptionList, Static

from mgtui.logs.store import list_sessions
from mgtui.tui.screens.log_browser import BrowserChoice, LogBrowserScreen, fuzzy_score
from tests.support.log_factory import make_session, make_sessions
from tests.tui.engines import wait_until


class BrowserApp(App[None]):
    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root
        self.choices: list[BrowserChoice | None] = []

    def compose(self) -> ComposeResult:
        yield Static("under the browser")

    def on_mount(self) -> None:
        self.push_screen(LogBrowserScreen(self.root), self.choices.append)


@pytest.fixture(scope="module")
def two_thousand(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("logs")
    make_sessions(root, 2_000)
    return root


def test_fuzzy_score() -> None:
    text = "20261125-1 What is the capital of France? alpha openai/gpt-4o-mini ok"
    assert fuzzy_score("capital france", text) > fuzzy_score("cptl", text) > 0
    assert fuzzy_score("Capital", text) > fuzzy_score("apital", text)  # word start beats mid-word
    assert fuzzy_score("capital germany", text) == 0
    assert fuzzy_score("", text) == 0


async def test_lists_two_thousand_sessions_and_filters(two_thousand: Path) -> None:
    app = BrowserApp(two_thousand)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, LogBrowserScreen)
        listing = screen.query_one(OptionList)
        await wait_until(pilot, lambda: listing.option_count == 2_000)
        newest = list_sessions(two_thousand, limit=1)[0]
        assert screen.current is not None and screen.current.id == newest.id
        assert "2,000 of 2,000 sessions" in str(screen.query_one("#browser-status", Static).render())

        expected = sum(1 for r in screen.rows if "linked list" in r.first_question)
        assert 0 < expected < 2_000
        await pilot.press("slash", *"linked list")
        await wait_until(pilot, lambda: listing.option_count == expected)
        assert all("linked list" in r.first_question for r in screen.shown)
        await pilot.press("enter")  # from the filter to the list
        assert listing.has_focus
        await pilot.press("a")
        await wait_until(pilot, lambda: app.choices)
        assert app.choices == [BrowserChoice("analyze", screen.shown[0].path)]


async def test_enter_replays_and_escape_closes(tmp_path: Path) -> None:
    make_sessions(tmp_path, 3)
    app = BrowserApp(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        listing = app.screen.query_one(OptionList)
        await wait_until(pilot, lambda: listing.option_count == 3)
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: app.choices)
        assert app.choices[0] is not None and app.choices[0].action == "replay"
        assert app.choices[0].session_dir == list_sessions(tmp_path)[1].path
        app.push_screen(LogBrowserScreen(tmp_path), app.choices.append)
        await pilot.pause()
        await pilot.press("escape")
        await wait_until(pilot, lambda: len(app.choices) == 2)
        assert app.choices[1] is None


async def test_unreadable_sessions_are_listed_with_a_warning(tmp_path: Path) -> None:
    make_session(tmp_path, seed=1)
    bad = tmp_path / "20300101-000000-broken"
    bad.mkdir()
    (bad / "events.jsonl").write_text("\x00 not json\n")
    app = BrowserApp(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        listing = screen.query_one(OptionList)
        await wait_until(pilot, lambda: listing.option_count == 2)
        assert "1 unreadable" in str(screen.query_one("#browser-status", Static).render())
        assert screen.current is not None and screen.current.id == bad.name  # newest first
        await pilot.press("c")
        await pilot.pause()
        assert app.choices == [] and any("Unreadable" in (n.title or "") for n in app._notifications)
