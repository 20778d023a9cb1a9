"""TurnState: the one reducer of engine events, on recorded logs and on hand-made turns."""

from __future__ import annotations

from pathlib import Path

from mgtui.engine.events import (
    AgentError,
    AnswerPosted,
    Consensus,
    FinalAnswer,
    Hint,
    Ranking,
    TextDelta,
    TurnFinished,
    TurnStarted,
    Usage,
    VoteCast,
    VoteIgnored,
    VotesReset,
)
from mgtui.engine.turn_state import INTERRUPTED, TurnState, fold, fold_log, fold_session

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FINAL = (
    "## Boiling point\n\nWater boils at **100 °C** at sea level (1 atm).\n\n- Lower pressure → lower boiling point\n"
    "- At 3,000 m it is about *90 °C*\n\nIn short: **100 °C**, less when higher up."
)


def _one(name: str) -> TurnState:
    turns = fold_log(FIXTURES / name)
    assert len(turns) == 1
    return turns[0]


# recorded sessions ----------------------------------------------------------------------
def test_three_agents_turn() -> None:
    s = _one("three_agents_one_turn.jsonl")
    assert (s.turn, s.session, s.question, s.status) == (1, "20261125-143904-743e07", "At what temperature does water boil?", "ok")
    assert s.agents == ["alpha", "beta", "gamma"] and s.live == ["alpha", "beta", "gamma"]
    assert s.anonymous_ids == {"alpha": "agent1", "beta": "agent2", "gamma": "agent3"}
    assert s.models == {"alpha": "openai/alpha", "beta": "openai/beta", "gamma": "openai/gamma"}
    assert s.latest_label == {"alpha": "agent1.1", "beta": "agent2.1", "gamma": "agent3.1"}
    assert [a.label for a in s.answers["beta"]] == ["agent2.1"]
    assert (s.latest("beta") or "").startswith("Water boils at 100 °C (212 °F)") and s.latest("nobody") is None
    assert list(s.latest_answers()) == ["alpha", "beta", "gamma"]
    assert s.vote_rows() == [
        {"agent": "alpha", "target": "alpha", "label": "agent1.1", "reason": "Clear, with the altitude caveat and a table-free summary."},
        {"agent": "beta", "target": "alpha", "label": "agent1.1", "reason": "agent1 is the most complete and well formatted."},
        {"agent": "gamma", "target": "alpha", "label": "agent1.1", "reason": "Best structure; mine is too terse."},
    ]
    assert (s.resets, s.last_reset_by) == (2, "gamma")
    assert s.voted_count == 3 and s.human_vote is None
    assert [v.voter for v in s.votes_for("alpha")] == ["alpha", "beta", "gamma"] and s.votes_for("beta") == []
    assert (s.winner, s.tally, s.tie, s.tied, s.how, s.by, s.method) == ("alpha", {"alpha": 3, "beta": 0, "gamma": 0}, False, [], "votes", "votes", "consensus")
    assert s.standing_tally() == s.tally
    assert (s.presenter, s.final_answer, s.final_strategy) == ("alpha", FINAL, "winner_present")
    assert s.duration_s == 5.301 and s.error is None and s.partial == {} and s.drops == {}
    assert s.usage == {
        "alpha": {"prompt_tokens": 1280, "completion_tokens": 290},
        "beta": {"prompt_tokens": 485, "completion_tokens": 134},
        "gamma": {"prompt_tokens": 485, "completion_tokens": 93},
    }
    assert s.finished and s.mean_ranks() == []


def test_two_turns_one_state_each() -> None:
    session = fold_session(FIXTURES / "three_agents_two_turns.jsonl")
    assert session.info.agent_ids == ["alpha", "beta", "gamma"] and session.info.session == "20261125-143914-7f43c0"
    assert (session.events, session.skipped) == (169, 0)
    first, second = session.turns
    assert (first.turn, first.history_len, second.turn, second.history_len) == (1, 0, 2, 1)
    assert second.question == "And on top of Everest?" and second.status == "ok"
    assert second.usage["alpha"] == {"prompt_tokens": 1658, "completion_tokens": 290}  # per turn, not summed over turns
    assert (first.duration_s, second.duration_s) == (5.361, 4.744)


def test_council_turn() -> None:
    s = _one("council_one_turn.jsonl")
    assert s.method == "council" and s.agents == ["skeptic", "pragmatist", "scholar"]
    assert s.rankings == {
        "scholar": ["skeptic", "pragmatist", "scholar"],
        "pragmatist": ["pragmatist", "scholar", "skeptic"],
        "skeptic": ["pragmatist", "skeptic", "scholar"],
    }
    assert s.rank_reasons["scholar"]["skeptic"] == "clearest (agent1)"
    assert s.aggregate == {"skeptic": 2.0, "pragmatist": 1.333, "scholar": 2.667}
    assert s.mean_ranks() == [("pragmatist", 1.333, 3), ("skeptic", 2.0, 3), ("scholar", 2.667, 3)]
    assert (s.winner, s.tally, s.how, s.presenter) == ("pragmatist", {"skeptic": 1, "pragmatist": 2, "scholar": 0}, "ranking", "pragmatist")
    assert s.votes == {} and s.voted_count == 0 and s.resets == 0
    assert s.final_answer == "Water boils at 100 °C at sea level; less at altitude." and s.duration_s == 4.238


def test_sixteen_agents_turn() -> None:
    s = _one("sixteen_agents_one_turn.jsonl")
    assert len(s.agents) == 16 and s.agents[0] == "agent_01" and s.agents[-1] == "agent_16"
    assert s.anonymous_ids["agent_10"] == "agent10"
    assert len(s.answers) == 16 and s.latest_label["agent_16"] == "agent16.1"
    assert s.voted_count == 16 and len(s.live) == 16
    assert s.winner == "agent_01" and s.tally["agent_01"] == 3 and s.tally["agent_15"] == 0
    assert s.standing_tally() == s.tally  # the consensus tally is the standing votes' count
    assert sorted(v.voter for v in s.votes_for("agent_01")) == ["agent_01", "agent_02", "agent_16"]


def test_imperfect_models_fallbacks() -> None:
    s = _one("imperfect_models_one_turn.jsonl")
    assert [a.fallback for a in s.answers["alpha"]] == ["text"]
    assert s.answers["beta"][0].fallback is None
    assert s.votes["gamma"].fallback == "parsed" and s.votes["beta"].fallback is None
    assert s.winner == "alpha" and s.status == "ok"


def test_torn_and_unknown_lines_are_skipped(tmp_path: Path) -> None:
    lines = (FIXTURES / "three_agents_two_turns.jsonl").read_text(encoding="utf-8").splitlines()
    cut = next(i for i, line in enumerate(lines) if '"turn_finished"' in line and '"turn":2' in line)
    torn = [*lines[:3], '{"type":"from_the_future","turn":1}', "not json", *lines[3:cut], lines[cut][:40]]
    log = tmp_path / "events.jsonl"
    log.write_text("\n".join(torn), encoding="utf-8")
    session = fold_session(log)
    assert session.skipped == 3
    first, second = session.turns
    assert first.status == "ok" and first.winner == "alpha"
    assert second.status == "running" and not second.finished  # killed before turn_finished
    assert second.decided and second.winner == "alpha" and second.final_answer == FINAL  # from consensus / final_answer


def test_turn_without_end_followed_by_another_is_interrupted() -> None:
    events = [
        TurnStarted(turn=1, question="one", history_len=0, anonymous_ids={"a": "agent1"}),
        AnswerPosted(turn=1, agent="a", label="agent1.1", content="x"),
        TurnStarted(turn=2, question="two", history_len=1, anonymous_ids={"a": "agent1"}),
        TurnFinished(turn=2, status="cancelled"),
    ]
    first, second = fold_log(events)
    assert (first.status, second.status) == (INTERRUPTED, "cancelled")
    assert first.latest_answers() == {"a": "x"} and second.answers == {}


def test_missing_log_folds_to_nothing(tmp_path: Path) -> None:
    assert fold_log(tmp_path / "nope.jsonl") == []


def test_dicts_and_lines_fold_like_events() -> None:
    lines = (FIXTURES / "three_agents_one_turn.jsonl").read_text(encoding="utf-8").splitlines()
    assert fold_log(lines) == fold_log(FIXTURES / "three_agents_one_turn.jsonl")


# unit cases -------------------------------------------------------------------------
def _started(*agents: str) -> TurnState:
    return fold([TurnStarted(turn=1, question="q", history_len=0, anonymous_ids={a: f"agent{i}" for i, a in enumerate(agents, 1)})])


def test_reset_clears_the_named_votes_or_all() -> None:
    s = _started("a", "b", "c")
    fold(
        [
            AnswerPosted(agent="a", label="agent1.1", content="A"),
            VoteCast(agent="b", target="a", label="agent1.1", reason="good"),
            VoteCast(agent="c", target="a", label="agent1.1", reason="fine"),
            VotesReset(by="human", cleared=["b"]),
        ],
        s,
    )
    assert list(s.votes) == ["c"] and (s.resets, s.last_reset_by) == (1, "human")
    s.apply(AnswerPosted(agent="b", label="agent2.1", content="B"))
    s.apply(VotesReset(by="b", cleared=[]))  # empty: every vote is gone
    assert s.votes == {} and (s.resets, s.last_reset_by) == (2, "b")
    assert s.standing_tally() == {"a": 0, "b": 0}


def test_drop_removes_the_vote_and_the_agent_from_live() -> None:
    s = _started("a", "b", "c")
    s.apply(AnswerPosted(agent="a", label="agent1.1", content="A"))
    s.apply(VoteCast(agent="b", target="a", label="agent1.1", reason="r"))
    s.apply(AgentError(agent="c", error="rate limited", fatal=False, kind="provider"))
    assert s.live == ["a", "b", "c"] and s.drops == {}  # a retried error does not drop
    s.apply(AgentError(agent="b", error="dropped by the user", fatal=True, kind="human"))
    assert s.live == ["a", "c"] and s.dropped == ["b"] and s.drop_reasons == {"b": "dropped by the user"}
    assert s.votes == {} and s.voted_count == 0
    assert s.drop_rows() == [{"agent": "b", "reason": "dropped by the user"}]
    assert [(e.agent, e.fatal) for e in s.errors] == [("c", False), ("b", True)]


def test_human_vote_counts_in_the_tally_not_in_voted_count() -> None:
    s = _started("a", "b")
    s.apply(AnswerPosted(agent="b", label="agent2.1", content="B"))
    s.apply(VoteCast(agent="human", target="b", label="agent2.1", reason="chosen by the user"))
    s.apply(VoteCast(agent="a", target="b", label="agent2.1", reason="r"))
    assert s.human_vote is not None and s.human_vote.target == "b"
    assert s.voted_count == 1 and s.standing_tally() == {"b": 2}
    assert s.agents == ["a", "b"]  # the person is no agent
    assert s.name("human") == "you" and s.name("a") == "a"
    s.apply(VoteIgnored(agent="a", target="b", reason="r", why="answers changed since it started"))
    assert [(v.voter, v.why) for v in s.votes_ignored] == [("a", "answers changed since it started")]


def test_council_mean_ranks_before_and_after_the_decision() -> None:
    s = _started("x", "y", "z")
    s.apply(Ranking(agent="x", order=["y", "x", "z"]))
    s.apply(Ranking(agent="y", order=["x", "y", "z"], reasons={"x": "best"}))
    assert s.method == "council"
    assert s.mean_ranks() == [("x", 1.5, 2), ("y", 1.5, 2), ("z", 3.0, 2)]  # tie: config order
    s.apply(Consensus(winner="y", tally={"x": 1, "y": 1, "z": 0}, how="ranking", method="council", aggregate_rank={"y": 1.0, "x": 2.0, "z": 3.0}))
    assert s.mean_ranks() == [("y", 1.0, 2), ("x", 2.0, 2), ("z", 3.0, 2)]  # the engine's numbers win
    assert s.rank_reasons["y"] == {"x": "best"} and s.decided


def test_end_of_turn_and_ignored_events() -> None:
    s = _started("a")
    s.apply(TextDelta(agent="a", delta="thinking"))
    s.apply(Usage(agent="a", prompt_tokens=5, completion_tokens=2))
    s.apply(Usage(agent="a", prompt_tokens=1, completion_tokens=1))
    assert s.usage == {"a": {"prompt_tokens": 6, "completion_tokens": 3}}
    s.apply(Hint(text="be brief", to=["a"], addressed=None))
    s.apply(FinalAnswer(agent="a", content="done", files_written=["out.txt"]))
    s.apply(TurnFinished(status="timeout", winner="a", final_answer="done", partial={"b": "half"}, duration_s=1.5, error="late"))
    assert [h.text for h in s.hints] == ["be brief"] and s.hints[0].addressed is None
    assert (s.status, s.winner, s.final_answer, s.partial, s.duration_s, s.error) == ("timeout", "a", "done", {"b": "half"}, 1.5, "late")
    assert s.files_written == ["out.txt"] and s.usage == {"a": {"prompt_tokens": 6, "completion_tokens": 3}}  # no totals: kept


def test_snapshot_is_independent() -> None:
    s = _started("a")
    copy = s.snapshot()
    s.apply(AnswerPosted(agent="a", label="agent1.1", content="A"))
    assert copy.answers == {} and copy != s


def test_a_log_that_begins_mid_turn_still_folds_that_turn() -> None:
    lines = (FIXTURES / "three_agents_one_turn.jsonl").read_text(encoding="utf-8").splitlines()
    head_lost = [line for line in lines if '"turn_started"' not in line]
    (state,) = fold_log(head_lost)
    assert state.turn == 1 and state.question == "" and state.winner == "alpha" and state.status == "ok"
    assert state.agents == ["alpha", "beta", "gamma"]  # from session_started


def test_observer_sees_every_event_with_its_turn() -> None:
    seen: list[tuple[int | None, str]] = []
    session = fold_session(FIXTURES / "three_agents_two_turns.jsonl", lambda state, e: seen.append((state.turn if state else None, e.type)))
    assert len(seen) == session.events == 169
    assert seen[0] == (None, "session_started") and seen[-1] == (2, "turn_finished")
    assert {t for t, _ in seen} == {None, 1, 2}
