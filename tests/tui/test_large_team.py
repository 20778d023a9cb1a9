"""A 16-agent turn on the main screen: every agent stays visible as a compact row, the
focused one expanded; the sidebar groups voters. The turn was recorded from the real engine
(tests/support/record_fixtures.py, visibility: neighbours)."""

from __future__ import annotations

from textual.widgets import Collapsible, Static

from mgtui.tui import messages as m
from mgtui.tui.app import MgtuiApp
from mgtui.tui.widgets.agent_pane import AgentPane
from mgtui.tui.widgets.compact_line import CompactLine
from mgtui.tui.widgets.vote_sidebar import VoteSidebar
from tests.tui.engines import fixture_factory, load_fixture, settle, wait_until

SIXTEEN = "sixteen_agents_one_turn.jsonl"


def make_app() -> MgtuiApp:
    return MgtuiApp(config_path="fixture.yaml", engine_factory=fixture_factory(SIXTEEN))


async def run_turn(pilot) -> None:
    screen = pilot.app.screen
    await wait_until(pilot, lambda: screen.control.ready)
    screen.post_message(m.PromptSubmitted("At what temperature does water boil?"))
    await pilot.pause()
    await wait_until(pilot, lambda: not screen.team.running)
    await settle(pilot)


def visible(pilot, widget) -> bool:
    region = widget.region
    return region.height > 0 and pilot.app.screen.find_widget(widget) is not None and region.y + region.height <= pilot.app.size.height


async def test_sixteen_agents_each_have_a_visible_row_and_the_focused_one_expands() -> None:
    events = load_fixture(SIXTEEN)
    votes = {e.agent: e.target for e in events if e.type == "vote"}
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await run_turn(pilot)
        panes = list(pilot.app.screen.query(AgentPane))
        assert len(panes) == 16
        assert pilot.app.screen.query_one("#agents").has_class("-compact")
        expanded = [p for p in panes if p.has_class("-expanded")]
        assert [p.agent_id for p in expanded] == ["agent_01"]
        for pane in panes:
            assert visible(pilot, pane), pane.agent_id
        rows = {p.agent_id: p.query_one(CompactLine) for p in panes if p not in expanded}
        for agent_id, row in rows.items():
            assert row.region.height == 1
            text = str(row.render())
            assert agent_id in text and "voted" in text and "tok" in text
            assert f"voted for {votes[agent_id]}" in text  # the last line of its live text
        # Moving to the next agent expands it and folds the first back into a row.
        pilot.app.screen.action_focus_pane(1)  # the prompt had focus: the first agent
        await settle(pilot)
        assert panes[0].has_focus
        await pilot.press("alt+right")
        await settle(pilot)
        assert [p.agent_id for p in panes if p.has_class("-expanded")] == ["agent_02"]
        assert panes[0].query_one(CompactLine).region.height == 1

        sidebar = pilot.app.screen.query_one(VoteSidebar)
        leader_voters = sorted(a for a, t in votes.items() if t == "agent_01")
        grouped = [c for c in sidebar.query(Collapsible) if str(c.title).startswith("← ") and "," in str(c.title)]
        assert grouped and all(v in str(grouped[0].title) for v in leader_voters)
        assert "16 of 16 voted" in str(sidebar.query_one("#vote-count", Static).render())


async def test_nine_agents_or_fewer_keep_the_grid() -> None:
    app = MgtuiApp(config_path="fixture.yaml", engine_factory=fixture_factory("three_agents_one_turn.jsonl"))
    async with app.run_test(size=(160, 44)) as pilot:
        await wait_until(pilot, lambda: pilot.app.screen.control.ready)
        assert not pilot.app.screen.query_one("#agents").has_class("-compact")
        assert not any(p.has_class("-compact") for p in pilot.app.screen.query(AgentPane))


def test_sixteen_agents_snapshot_200x50(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=(200, 50), run_before=run_turn)


def test_sixteen_agents_snapshot_120x40(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=run_turn)
