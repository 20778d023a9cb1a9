"""The report's numbers from the records: accuracy with Wilson intervals per system, tokens,
cost and wall time, the best member, and team vs best member as a paired comparison.

Pure (no I/O): the CLI, `report.md`, the chart and the app's Eval screen all use it.
An errored answer counts as wrong (it was paid for and gave nothing) and is counted apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mgtui.eval.stats import mcnemar_exact, wilson

TEAM, SINGLE, MAJORITY = "team", "single", "majority"


@dataclass
class SystemStats:
    name: str  # "team", an agent id, or "majority"
    kind: str
    n: int = 0
    correct: int = 0
    errors: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = 0.0  # None once any call's price is unknown (local models)
    wall_s: float = 0.0

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.n if self.n else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.correct, self.n) if self.n else None

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add(self, record: dict[str, Any]) -> None:
        self.n += 1
        self.correct += bool(record.get("correct"))
        self.errors += bool(record.get("error"))
        self.prompt_tokens += int(record.get("prompt_tokens") or 0)
        self.completion_tokens += int(record.get("completion_tokens") or 0)
        cost = record.get("cost")
        self.cost = None if self.cost is None or cost is None else self.cost + float(cost)
        self.wall_s += float(record.get("wall_s") or 0.0)

    def to_json(self) -> dict[str, Any]:
        low, high = self.interval or (None, None)
        return {
            "n": self.n, "correct": self.correct, "errors": self.errors, "accuracy": self.accuracy,
            "ci_low": low, "ci_high": high, "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens, "cost": "unknown" if self.cost is None else round(self.cost, 8),
            "wall_s": round(self.wall_s, 3),
        }


@dataclass(frozen=True)
class Disagreement:
    qid: str
    question: str
    gold: str | None
    team: str | None  # the canonical predictions
    best: str | None
    team_correct: bool
    best_correct: bool


@dataclass
class Comparison:
    """Team vs the best member on the questions both answered."""

    paired: int = 0
    team_only: int = 0  # team right, best member wrong
    best_only: int = 0
    delta: float | None = None
    p_value: float | None = None


@dataclass
class EvalSummary:
    suite: str
    score: str
    team: SystemStats
    singles: dict[str, SystemStats] = field(default_factory=dict)
    majority: SystemStats | None = None
    best_single: str | None = None
    comparison: Comparison = field(default_factory=Comparison)
    disagreements: list[Disagreement] = field(default_factory=list)

    @property
    def n(self) -> int:
        return self.team.n

    def systems(self) -> list[SystemStats]:
        """In report order: team, the members in config order, the majority."""
        return [self.team, *self.singles.values(), *([self.majority] if self.majority else [])]

    def to_json(self) -> dict[str, Any]:
        c = self.comparison
        return {
            "suite": self.suite, "n": self.n, "score": self.score, "team": self.team.to_json(),
            "singles": {k: v.to_json() for k, v in self.singles.items()},
            "majority": self.majority.to_json() if self.majority else None,
            "best_single": self.best_single,
            "team_vs_best": {"delta": c.delta, "p_value": c.p_value, "paired": c.paired,
                             "team_only": c.team_only, "best_only": c.best_only},
            "disagreements": [vars(d) for d in self.disagreements],
        }


def best_member(singles: dict[str, SystemStats]) -> str | None:
    """Highest accuracy; a tie goes to the member listed first in the config."""
    scored = [(s.accuracy, -i, name) for i, (name, s) in enumerate(singles.items()) if s.accuracy is not None]
    return max(scored)[2] if scored else None


def summarize(meta: dict[str, Any], records: Iterable[dict[str, Any]], order: Sequence[str] = ()) -> EvalSummary:
    """`order`: question ids in dataset order (questions finish out of order when run concurrently)."""
    agents = [str(a["id"]) for a in meta.get("team") or []]
    summary = EvalSummary(str(meta.get("suite") or meta.get("dataset") or "?"), str(meta.get("score") or "?"), SystemStats(TEAM, TEAM))
    by_question: dict[str, dict[str, dict[str, Any]]] = {}
    for record in records:
        kind, agent = record.get("system"), record.get("agent")
        if kind == TEAM:
            stats, slot = summary.team, TEAM
        elif kind == SINGLE and agent:
            stats = summary.singles.setdefault(agent, SystemStats(agent, SINGLE))
            slot = f"{SINGLE}:{agent}"
        elif kind == MAJORITY:
            summary.majority = summary.majority or SystemStats(MAJORITY, MAJORITY)
            stats, slot = summary.majority, MAJORITY
        else:
            continue
        stats.add(record)
        by_question.setdefault(str(record["qid"]), {})[slot] = record
    position = {name: i for i, name in enumerate(agents)}
    summary.singles = dict(sorted(summary.singles.items(), key=lambda kv: position.get(kv[0], len(position))))
    summary.best_single = best_member(summary.singles)
    if summary.best_single is not None:
        _compare(summary, by_question, f"{SINGLE}:{summary.best_single}")
    rank = {qid: i for i, qid in enumerate(order or by_question)}  # else the order results were written in
    summary.disagreements.sort(key=lambda d: (rank.get(d.qid, len(rank)), d.qid))
    return summary


def _compare(summary: EvalSummary, by_question: dict[str, dict[str, dict[str, Any]]], best_slot: str) -> None:
    c = summary.comparison
    team_right = best_right = 0
    for qid, slots in by_question.items():
        team, best = slots.get(TEAM), slots.get(best_slot)
        if team is None or best is None:
            continue
        c.paired += 1
        t, b = bool(team.get("correct")), bool(best.get("correct"))
        team_right, best_right = team_right + t, best_right + b
        c.team_only += t and not b
        c.best_only += b and not t
        if team.get("pred") != best.get("pred") or t != b:
            summary.disagreements.append(
                Disagreement(qid, str(team.get("question") or ""), team.get("gold"), team.get("pred"), best.get("pred"), t, b)
            )
    if c.paired:
        c.delta = (team_right - best_right) / c.paired
        c.p_value = mcnemar_exact(c.team_only, c.best_only)
