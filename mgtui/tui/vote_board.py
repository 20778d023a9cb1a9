"""The vote sidebar's data: plain state built from engine messages, no widgets.

The screen owns one `VoteBoard` per turn, updates it from messages and hands the
sidebar a copy; the sidebar only renders it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field


@dataclass
class Vote:
    voter: str
    target: str
    label: str
    reason: str


@dataclass
class VoteBoard:
    agents: list[str] = field(default_factory=list)  # config order (the tie-break order)
    latest_label: dict[str, str] = field(default_factory=dict)  # agent -> latest answer label
    votes: dict[str, Vote] = field(default_factory=dict)  # voter -> standing vote
    dropped: set[str] = field(default_factory=set)
    drop_reasons: dict[str, str] = field(default_factory=dict)  # agent -> why it left the turn (one line)
    resets: int = 0
    last_reset_by: str | None = None
    winner: str | None = None
    tally: dict[str, int] = field(default_factory=dict)
    tie: bool = False
    tied: list[str] = field(default_factory=list)
    how: str = ""
    names: dict[str, str] = field(default_factory=dict)  # blind mode: config id -> shown name
    method: str = "consensus"
    rankings: dict[str, list[str]] = field(default_factory=dict)  # council: reviewer -> authors best first
    rank_reasons: dict[str, dict[str, str]] = field(default_factory=dict)  # reviewer -> author -> reason
    aggregate: dict[str, float] = field(default_factory=dict)  # the engine's mean ranks, once decided

    def name(self, agent: str) -> str:
        return self.names.get(agent, "you" if agent == "human" else agent)

    @property
    def live(self) -> list[str]:
        return [a for a in self.agents if a not in self.dropped]

    @property
    def voted_count(self) -> int:
        return sum(1 for voter in self.votes if voter in self.agents and voter not in self.dropped)  # not the person's

    @property
    def human_vote(self) -> Vote | None:
        return self.votes.get("human")

    def votes_for(self, agent: str) -> list[Vote]:
        return [v for v in self.votes.values() if v.target == agent]

    def answer(self, agent: str, label: str) -> None:
        self.latest_label[agent] = label

    def vote(self, voter: str, target: str, label: str, reason: str) -> None:
        self.votes[voter] = Vote(voter, target, label, reason)

    def reset(self, by: str, cleared: list[str]) -> None:
        # An empty `cleared` from the engine still means "all votes are gone".
        for voter in cleared or list(self.votes):
            self.votes.pop(voter, None)
        self.resets += 1
        self.last_reset_by = by

    def drop(self, agent: str, reason: str = "") -> None:
        self.dropped.add(agent)
        if reason:
            self.drop_reasons[agent] = reason
        self.votes.pop(agent, None)

    def decide(
        self, winner: str, tally: dict[str, int], tie: bool, tied: list[str], how: str, method: str = "consensus", aggregate: dict[str, float] | None = None
    ) -> None:
        self.winner, self.tally, self.tie, self.tied, self.how = winner, dict(tally), tie, list(tied), how
        self.method, self.aggregate = method, dict(aggregate or {})

    def rank(self, reviewer: str, order: list[str], reasons: dict[str, str]) -> None:
        self.method = "council"
        self.rankings[reviewer] = list(order)
        self.rank_reasons[reviewer] = dict(reasons)

    def mean_ranks(self) -> list[tuple[str, float, int]]:
        """(author, mean rank, rankings counted), best first: the engine's numbers once it
        decided, else computed from the rankings so far (ties: config order)."""
        places: dict[str, list[int]] = {}
        for order in self.rankings.values():
            for place, author in enumerate(order, start=1):
                places.setdefault(author, []).append(place)
        mean = self.aggregate or {a: round(sum(p) / len(p), 3) for a, p in places.items()}
        position = {a: i for i, a in enumerate(self.agents)}
        rows = [(a, m, len(places.get(a, []))) for a, m in mean.items()]
        return sorted(rows, key=lambda r: (r[1], position.get(r[0], len(position))))

    def snapshot(self) -> VoteBoard:
        """A copy for the sidebar's reactive, so later updates are seen as changes."""
        return copy.deepcopy(self)
