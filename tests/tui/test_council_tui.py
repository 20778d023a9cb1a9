"""Council mode on the main screen: the aggregate ranking table and each reviewer's order,
from a turn the real engine recorded (tests/support/record_fixtures.py)."""

from __future__ import annotations

from textual.widgets import Collapsible, Static

from mgtui.engine.events import Consensus, Ranking
from mgtui.engine.turn_state import TurnState
from mgtui.tui import messages as m
from mgtui.tui.app import MgtuiApp
from mgtui.tui.widgets.vote_sidebar import VoteSidebar
from tests.tui.engines import fixture_factory, load_fixture, settle, wait_until

COUNCIL = "council_one_turn.jsonl"


def make_app() -> MgtuiApp:
    return MgtuiApp(config_path="fixture.yaml", engine_factory=fixture_factory(COUNCIL))


async def run_turn(pilot) -> None:
    screen = pilot.app.screen
    await wait_until(pilot, lambda: screen.control.ready)
    screen.post_message(m.PromptSubmitted("At what temperature does water boil?"))
    await pilot.pause()
    await wait_until(pilot, lambda: not screen.team.running)
    await settle(pilot)


def test_board_mean_ranks_follow_the_rankings_then_the_engine() -> None:
    board = TurnState(agents=["a", "b", "c"])
    board.apply(Ranking(agent="a", order=["b", "a", "c"]))
    board.apply(Ranking(agent="b", order=["b", "c", "a"]))
    assert board.method == "council"
    assert board.mean_ranks() == [("b", 1.0, 2), ("a", 2.5, 2), ("c", 2.5, 2)]  # tie: config order
    board.apply(Consensus(winner="b", tally={"b": 2}, how="ranking", method="council", aggregate_rank={"b": 1.0, "c": 2.0, "a": 3.0}))
    assert [row[0] for row in board.mean_ranks()] == ["b", "c", "a"]


async def test_the_sidebar_shows_the_aggregate_ranking_and_each_reviewers_order() -> None:
    events = load_fixture(COUNCIL)
    consensus = next(e for e in events if e.type == "consensus")
    rankings = {e.agent: e for e in events if e.type == "ranking"}
    app = make_app()
    async with app.run_test(size=(160, 44)) as pilot:
        await run_turn(pilot)
        sidebar = pilot.app.screen.query_one(VoteSidebar)
        best = min(consensus.aggregate_rank, key=consensus.aggregate_rank.get)
        first_row = str(sidebar.query_one("#rank-1", Static).render())
        assert best in first_row and f"{consensus.aggregate_rank[best]:.2f}" in first_row
        assert len(sidebar.query(".vs-rank")) == 3
        assert "3 of 3 ranked" in str(sidebar.query_one("#vote-count", Static).render())
        reviewers = list(sidebar.query(Collapsible))
        assert [c.title for c in reviewers] == [f"{a}: {' > '.join(e.order)}" for a, e in rankings.items()]
        reviewers[0].collapsed = False
        await settle(pilot)
        shown = " ".join(str(s.render()) for s in reviewers[0].query(Static))
        first = next(iter(rankings.values()))
        assert all(reason in shown for reason in first.reasons.values())
        assert "best ranked: " + consensus.winner in str(sidebar.query_one("#vote-winner", Static).render())


def test_council_snapshot(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=(160, 44), run_before=run_turn)
