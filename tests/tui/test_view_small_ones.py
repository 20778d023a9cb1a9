"""Blind mode, and the small things users noticed: Alt+←/→ while maximised, narrow tabs with
state and votes (and Alt+→ reaching the votes tab)."""

from __future__ import annotations

from textual.widgets import Tab, Tabs

from mgtui.tui.widgets.agent_pane import STATE_ICONS
from mgtui.tui.widgets.compact_line import CompactLine
from mgtui.tui.widgets.vote_sidebar import VoteSidebar
from tests.tui.engines import settle, wait_until
from tests.tui.test_main_screen import ask, make_app


async def test_blind_mode_hides_names_until_the_consensus() -> None:
    app = make_app(limit=40)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: screen.control.ready)
        screen.control.options = {"blind": True}
        await ask(pilot)
        await settle(pilot)
        titles = [str(p.border_title) for p in screen.team.panes.values()]
        assert titles == ["agent1", "agent2", "agent3"]
        # large teams' compact rows (main's issue 17) are named the same way
        assert [p.query_one(CompactLine).shown_name for p in screen.team.panes.values()] == titles
        board = screen.query_one(VoteSidebar).board
        assert board.name("alpha") == "agent1"
        shown = " ".join(str(w.content) for w in screen.query_one(VoteSidebar).query("Static"))
        assert "alpha" not in shown and "openai" not in shown


async def test_blind_names_are_revealed_at_the_consensus() -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: screen.control.ready)
        screen.control.options = {"blind": True}
        await ask(pilot)
        await wait_until(pilot, lambda: not screen.team.running)
        await settle(pilot)
        assert [str(p.border_title) for p in screen.team.panes.values()][0] == "alpha · openai/alpha"
        assert screen.query_one(VoteSidebar).board.name("alpha") == "alpha"


async def test_alt_arrows_move_between_agents_while_one_is_maximised() -> None:
    app = make_app(limit=30)
    async with app.run_test(size=(160, 48)) as pilot:
        await ask(pilot)
        await pilot.press("alt+right", "ctrl+o")
        assert app.screen.maximized is app.screen.team.panes["alpha"]
        await pilot.press("alt+right")
        await pilot.pause()
        assert app.screen.maximized is app.screen.team.panes["beta"]
        await pilot.press("alt+left", "alt+left")
        await pilot.pause()
        assert app.screen.maximized is app.screen.team.panes["gamma"]


async def test_narrow_tabs_show_state_and_votes_and_reach_the_votes_tab() -> None:
    app = make_app(limit=60)
    async with app.run_test(size=(80, 24)) as pilot:
        await ask(pilot)
        await settle(pilot)
        screen = app.screen
        label = str(screen.query_one("#tab-alpha", Tab).label)
        votes = len(screen.team.board.votes_for("alpha"))
        assert label == f"alpha {STATE_ICONS[screen.team.panes['alpha'].state]} ▮{votes}" and votes >= 1
        for _ in range(3):
            await pilot.press("alt+right")
        await settle(pilot)
        assert screen.query_one(Tabs).active == "tab-votes" and screen.team.has_class("-show-votes")


async def test_vote_reasons_show_when_there_is_room_and_the_sidebar_keeps_what_was_opened() -> None:
    from textual.widgets import Collapsible

    app = make_app(limit=60)
    async with app.run_test(size=(160, 48)) as pilot:
        await ask(pilot)
        await settle(pilot)
        sidebar = app.screen.query_one(VoteSidebar)
        rows = list(sidebar.query(Collapsible))
        assert rows and all(not c.collapsed for c in rows)  # room for every reason: shown without a click
        first = rows[0].name
        rows[0].collapsed = True  # the user closes one
        await settle(pilot)
        app.screen.team._board_changed()  # any later update recomposes the sidebar
        await settle(pilot)
        again = {c.name: c.collapsed for c in app.screen.query_one(VoteSidebar).query(Collapsible)}
        assert again[first] is True and not all(again.values())


async def test_reasons_start_closed_when_the_sidebar_is_short() -> None:
    from textual.widgets import Collapsible

    app = make_app(limit=60)
    async with app.run_test(size=(160, 14)) as pilot:
        await ask(pilot)
        await settle(pilot)
        rows = list(app.screen.query_one(VoteSidebar).query(Collapsible))
        assert rows and all(c.collapsed for c in rows)


async def test_the_chosen_theme_is_remembered() -> None:
    from mgtui.tui import ui_state

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.screen.control.ready)
        app.theme = "mgtui-light"
        await pilot.pause()
    assert ui_state.saved_theme() == "mgtui-light"
    again = make_app()
    async with again.run_test(size=(120, 40)) as pilot:
        assert again.theme == "mgtui-light"
