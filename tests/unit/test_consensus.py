"""Pure vote bookkeeping: invalidation, consensus, tally and tie-break."""

from mgtui.engine.consensus import ConsensusLedger, StandingVote


def book() -> ConsensusLedger:
    return ConsensusLedger(order=["alpha", "beta", "gamma"])


def test_new_answer_clears_every_standing_vote() -> None:
    b = book()
    b.add_answer("alpha", "A1")
    b.cast(StandingVote("beta", "alpha", "agent1.1", "good"))
    b.cast(StandingVote("gamma", "alpha", "agent1.1", "good"))
    k, cleared = b.add_answer("beta", "B1")
    assert k == 1
    assert cleared == ["beta", "gamma"]
    assert b.votes == {}


def test_consensus_needs_a_vote_from_every_live_agent() -> None:
    b = book()
    b.add_answer("alpha", "A1")
    b.cast(StandingVote("alpha", "alpha", "agent1.1", ""))
    b.cast(StandingVote("beta", "alpha", "agent1.1", ""))
    assert not b.consensus_reached()
    b.drop("gamma")
    assert b.consensus_reached()


def test_tie_goes_to_the_agent_listed_first() -> None:
    b = book()
    b.add_answer("gamma", "C1")
    b.add_answer("beta", "B1")
    b.cast(StandingVote("alpha", "gamma", "agent3.1", ""))
    b.cast(StandingVote("beta", "beta", "agent2.1", ""))
    outcome = b.outcome()
    assert outcome is not None
    assert outcome.winner == "beta"
    assert outcome.tie and outcome.tied == ["beta", "gamma"]
    assert outcome.tally == {"beta": 1, "gamma": 1}


def test_no_votes_means_the_newest_answer_wins_on_timeout() -> None:
    b = book()
    b.add_answer("beta", "B1")
    b.add_answer("alpha", "A1")
    outcome = b.outcome("timeout_votes")
    assert outcome is not None and outcome.winner == "alpha" and outcome.how == "timeout_newest"


def test_dropped_agents_vote_no_longer_counts_but_its_answer_stays() -> None:
    b = book()
    b.add_answer("alpha", "A1")
    b.cast(StandingVote("alpha", "alpha", "agent1.1", ""))
    b.drop("alpha")
    assert b.tally() == {"alpha": 0}
    assert b.latest("alpha") == "A1"


def test_vote_for_an_agent_without_answer_is_refused() -> None:
    b = book()
    b.add_answer("alpha", "A1")
    try:
        b.cast(StandingVote("beta", "gamma", "agent3.1", ""))
    except ValueError as exc:
        assert "gamma" in str(exc)
    else:
        raise AssertionError("a vote for an agent with no answer was accepted")
