"""Snapshots of the main screen, built with the production app and a recorded engine session."""

from __future__ import annotations

from textual.pilot import Pilot

from mgtui.tui import messages as m
from mgtui.tui.app import MgtuiApp
from tests.tui.engines import fixture_factory, load_fixture, settle, wait_until

FIXTURE = "three_agents_one_turn.jsonl"
WIDE = (160, 44)


def _index_after(kind: str, nth: int = 1, agent: str | None = None) -> int:
    """How many events to replay to include the nth event of `kind` (1-based)."""
    seen = 0
    for i, event in enumerate(load_fixture(FIXTURE)):
        if event.type == kind and (agent is None or getattr(event, "agent", None) == agent):
            seen += 1
            if seen == nth:
                return i + 1
    raise ValueError(f"fixture has fewer than {nth} {kind} events")


# The slowest agent (gamma) has streamed twice: all three panes are live.
MID_STREAM = _index_after("text", 2, agent="gamma")


def make_app(limit: int | None = None, theme: str | None = None) -> MgtuiApp:
    return MgtuiApp(config_path="fixture.yaml", engine_factory=fixture_factory(FIXTURE, limit), theme=theme)


def ask_and_settle(whole_turn: bool):
    async def run(pilot: Pilot) -> None:
        screen = pilot.app.screen
        await wait_until(pilot, lambda: screen.control.ready)
        screen.post_message(m.PromptSubmitted("At what temperature does water boil?"))
        await pilot.pause()
        if whole_turn:
            await wait_until(pilot, lambda: not screen.team.running)
        await settle(pilot)

    return run


async def _ready(pilot: Pilot) -> None:
    await wait_until(pilot, lambda: pilot.app.screen.control.ready)
    await settle(pilot)


class TestMainScreen:
    def test_empty_start(self, snap_compare) -> None:
        assert snap_compare(make_app(), terminal_size=WIDE, run_before=_ready)

    def test_three_agents_mid_stream(self, snap_compare) -> None:
        assert snap_compare(make_app(MID_STREAM), terminal_size=WIDE, run_before=ask_and_settle(False))

    def test_votes_and_a_reset(self, snap_compare) -> None:
        limit = _index_after("votes_reset", 1) + 1
        assert snap_compare(make_app(limit), terminal_size=WIDE, run_before=ask_and_settle(False))

    def test_final_answer(self, snap_compare) -> None:
        assert snap_compare(make_app(), terminal_size=WIDE, run_before=ask_and_settle(True))

    def test_narrow_80x24(self, snap_compare) -> None:
        assert snap_compare(make_app(MID_STREAM), terminal_size=(80, 24), run_before=ask_and_settle(False))

    def test_light_theme(self, snap_compare) -> None:
        assert snap_compare(make_app(theme="mgtui-light"), terminal_size=WIDE, run_before=ask_and_settle(True))


class TestHumanInTheTurn:
    def test_sidebar_with_a_human_vote(self, snap_compare) -> None:
        from mgtui.engine.events import Hint, VoteCast

        limit = _index_after("vote", 2) + 1

        async def run(pilot: Pilot) -> None:
            await ask_and_settle(False)(pilot)
            screen = pilot.app.screen
            m.post_event(screen, VoteCast(turn=1, agent="human", target="alpha", label="agent1.1", reason="clearest"))
            m.post_event(screen, Hint(turn=1, text="mention the pressure", to=["beta", "gamma"]))
            await settle(pilot)

        assert snap_compare(make_app(limit), terminal_size=WIDE, run_before=run)
