"""The vote sidebar's state, rebuilt from a recorded turn."""

from __future__ import annotations

from mgtui.engine import events as ev
from mgtui.tui.vote_board import VoteBoard
from tests.tui.engines import load_fixture


def test_board_from_recorded_turn_matches_the_engine_tally() -> None:
    events = load_fixture("three_agents_one_turn.jsonl")
    board = VoteBoard(agents=[a["id"] for a in events[0].agents])  # type: ignore[attr-defined]
    for event in events:
        match event:
            case ev.AnswerPosted(agent=a, label=label):
                board.answer(a, label)
            case ev.VoteCast(agent=a, target=t, label=label, reason=reason):
                board.vote(a, t, label, reason)
            case ev.VotesReset(by=by, cleared=cleared):
                board.reset(by, cleared)
            case ev.Consensus(winner=w, tally=tally, tie=tie, tied=tied, how=how):
                # Standing votes at consensus are exactly the engine's tally.
                assert {a: len(board.votes_for(a)) for a in board.agents} == tally
                board.decide(w, tally, tie, tied, how)
    assert board.voted_count == len(board.live) == 3
    assert board.winner == "alpha"


def test_reset_clears_votes_and_drop_removes_a_voter() -> None:
    board = VoteBoard(agents=["a", "b", "c"])
    board.answer("a", "agent1.1")
    board.vote("b", "a", "agent1.1", "good")
    board.vote("c", "a", "agent1.1", "fine")
    board.reset("b", ["c"])
    assert list(board.votes) == ["b"] and board.resets == 1 and board.last_reset_by == "b"
    board.reset("a", [])  # no list: everything goes
    assert board.votes == {}
    board.vote("c", "a", "agent1.1", "again")
    board.drop("c")
    assert board.voted_count == 0 and board.live == ["a", "b"]
    snap = board.snapshot()
    board.answer("b", "agent2.1")
    assert "b" not in snap.latest_label
