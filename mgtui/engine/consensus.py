"""Pure vote bookkeeping for one turn: answers, standing votes, invalidation, tally, tie-break."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from itertools import count


@dataclass(frozen=True)
class StandingVote:
    voter: str
    target: str
    label: str
    reason: str


@dataclass(frozen=True)
class Outcome:
    winner: str
    tally: dict[str, int]
    tie: bool
    tied: list[str]
    how: str  # "votes" | "timeout_votes" | "timeout_newest"


@dataclass
class ConsensusLedger:
    """The engine's authority during a turn: who answered what, who votes for whom, and when
    the consensus rule is met (the UI and logs fold the same events with `TurnState`)."""

    order: list[str]  # config order: the tie-break
    live: set[str] = field(default_factory=set)
    answers: dict[str, list[str]] = field(default_factory=dict)
    votes: dict[str, StandingVote] = field(default_factory=dict)
    _answer_seq: dict[str, int] = field(default_factory=dict)  # agent -> when it last answered
    _clock: count[int] = field(default_factory=lambda: count(1))

    def __post_init__(self) -> None:
        if not self.live:
            self.live = set(self.order)

    # answers ----------------------------------------------------------------
    def add_answer(self, agent: str, content: str, keep: Collection[str] = ()) -> tuple[int, list[str]]:
        """Record an answer; standing votes are cleared but those of `keep` (voters who cannot
        see the answer under limited visibility). Returns (k, voters cleared)."""
        self.answers.setdefault(agent, []).append(content)
        self._answer_seq[agent] = next(self._clock)
        cleared = [v for v in self.order if v in self.votes and v not in keep] + [v for v in self.votes if v not in self.order]  # + the human
        for voter in cleared:
            del self.votes[voter]
        return len(self.answers[agent]), cleared

    def answer_count(self, agent: str) -> int:
        return len(self.answers.get(agent, []))

    def latest(self, agent: str) -> str | None:
        answers = self.answers.get(agent)
        return answers[-1] if answers else None

    def agents_with_answers(self) -> list[str]:
        return [a for a in self.order if self.answers.get(a)]

    # votes ------------------------------------------------------------------
    def cast(self, vote: StandingVote) -> None:
        if vote.target not in self.answers:
            raise ValueError(f"{vote.target} has no answer to vote for")
        self.votes[vote.voter] = vote

    def drop(self, agent: str) -> None:
        """An agent leaves the turn; its answers stay votable, its vote no longer counts."""
        self.live.discard(agent)
        self.votes.pop(agent, None)

    def consensus_reached(self) -> bool:
        return bool(self.live) and bool(self.answers) and all(a in self.votes for a in self.live)

    def tally(self) -> dict[str, int]:
        counts = {a: 0 for a in self.agents_with_answers()}
        for vote in self.votes.values():
            counts[vote.target] = counts.get(vote.target, 0) + 1
        return counts

    def reasons_for(self, agent: str) -> list[str]:
        return [f"{v.voter}: {v.reason}" for v in self.votes.values() if v.target == agent]

    # outcome ----------------------------------------------------------------
    def outcome(self, how: str = "votes") -> Outcome | None:
        """Most votes wins, ties go to the agent listed first; no votes -> newest answer."""
        tally = self.tally()
        if not tally:
            return None
        best = max(tally.values())
        if best > 0:
            tied = [a for a in self.order if tally.get(a) == best]
            return Outcome(tied[0], tally, len(tied) > 1, tied if len(tied) > 1 else [], how)
        newest = max(self._answer_seq, key=self._answer_seq.__getitem__)
        return Outcome(newest, tally, False, [], "timeout_newest" if how.startswith("timeout") else how)
