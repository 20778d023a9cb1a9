"""What happened in a session, counted from its events in one pass.

Per agent: answers, votes given/received, time to first answer, rounds, restarts, tokens,
errors and retries, tool calls. Per turn: the vote flow (who voted for whom, per round, a
round ending when a new answer arrives after votes were cast) and a timeline of marks and
agent runs for the chart. Cost is filled in afterwards by `apply_costs` so that this module
never needs LiteLLM.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from mgtui.engine.events import AnyEvent, typed_reason
from mgtui.logs.liveness import INTERRUPTED, turn_status

WORKFLOW_TOOLS = frozenset({"new_answer", "vote"})  # the protocol's own calls are not "tool use"


def run_kind(reason: str) -> str:
    """Normalise why a run started: the typed reason, or the free text of logs written before it."""
    kind, _label = typed_reason(reason)
    return kind if kind in ("start", "next", "restart", "retry", "enforce", "present") else "other"


def _seconds(ts: str) -> float:
    try:
        return datetime.fromisoformat(ts).timestamp()
    except ValueError:
        return 0.0


@dataclass
class AgentStats:
    agent: str
    model: str = "?"
    answers: int = 0
    votes_given: int = 0
    votes_received: int = 0
    votes_ignored: int = 0
    wins: int = 0
    runs: int = 0  # every agent_started: start, restart, retry, enforce, present
    rounds: int = 0  # highest round reached, summed over turns
    restarts: int = 0
    retries: int = 0
    errors: int = 0
    fatal_errors: int = 0
    tool_calls: int = 0
    tool_errors: int = 0
    tools: dict[str, int] = field(default_factory=dict)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    first_answer_s: list[float] = field(default_factory=list)  # one per turn it answered in
    cost_usd: float | None = None
    cost_known: bool = False
    fallbacks: int = 0  # answers/votes the engine took from text or forced (the model did not call the tool)

    @property
    def mean_first_answer_s(self) -> float | None:
        return sum(self.first_answer_s) / len(self.first_answer_s) if self.first_answer_s else None

    def add(self, other: AgentStats) -> None:
        """Accumulate one turn's numbers into the session totals."""
        for name in ("answers", "votes_given", "votes_received", "votes_ignored", "wins", "runs", "rounds",
                     "restarts", "retries", "errors", "fatal_errors", "tool_calls", "tool_errors",
                     "prompt_tokens", "completion_tokens", "fallbacks"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for tool, n in other.tools.items():
            self.tools[tool] = self.tools.get(tool, 0) + n
        self.first_answer_s.extend(other.first_answer_s)


@dataclass
class VoteRecord:
    voter: str
    target: str
    label: str
    reason: str
    t: float  # seconds since the turn started
    counted: bool = True  # False for a vote_ignored (cast on answers no longer current)


@dataclass
class VoteRound:
    index: int
    votes: list[VoteRecord] = field(default_factory=list)


@dataclass
class Mark:
    t: float
    agent: str | None  # None for turn-wide marks (consensus)
    kind: str  # answer, vote, vote_ignored, reset, error, tool, restart, retry, final, consensus, stopped
    label: str = ""


@dataclass
class Span:
    agent: str
    start: float
    end: float
    reason: str  # why the run started, normalised by run_kind


@dataclass
class AnswerRecord:
    agent: str
    label: str
    content: str
    t: float


@dataclass
class TurnSummary:
    turn: int
    question: str = ""
    status: str = "running"
    winner: str | None = None
    duration_s: float = 0.0
    tally: dict[str, int] = field(default_factory=dict)
    tie: bool = False
    how: str = ""
    final_answer: str = ""
    answers: list[AnswerRecord] = field(default_factory=list)
    rounds: list[VoteRound] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    agents: dict[str, AgentStats] = field(default_factory=dict)
    hints: list[str] = field(default_factory=list)  # what the person told the agents mid-turn
    attachments: list[dict[str, Any]] = field(default_factory=list)  # [{path, mode, bytes}] of @path


@dataclass
class SessionSummary:
    session: str = ""
    agents: list[dict[str, str]] = field(default_factory=list)
    turns: list[TurnSummary] = field(default_factory=list)
    totals: dict[str, AgentStats] = field(default_factory=dict)
    events: int = 0
    notices: list[str] = field(default_factory=list)

    def to_json(self, *, detail: bool = True) -> dict[str, Any]:
        data = asdict(self)
        for stats in data["totals"].values():
            stats["mean_first_answer_s"] = _mean(stats["first_answer_s"])
        if not detail:
            for turn in data["turns"]:
                for key in ("marks", "spans", "answers"):
                    turn.pop(key)
        return data


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


class _TurnBuilder:
    """Folds one turn's events into a TurnSummary."""

    def __init__(self, turn: int, t0: float, models: dict[str, str]) -> None:
        self.s = TurnSummary(turn=turn)
        self.t0, self.models = t0, models
        self.open_runs: dict[str, tuple[float, str]] = {}
        self.usage_seen: set[str] = set()

    def stats(self, agent: str) -> AgentStats:
        if agent not in self.s.agents:
            self.s.agents[agent] = AgentStats(agent=agent, model=self.models.get(agent, "?"))
        return self.s.agents[agent]

    def close_run(self, agent: str, t: float) -> None:
        run = self.open_runs.pop(agent, None)
        if run is not None:
            self.s.spans.append(Span(agent, run[0], t, run[1]))

    def current_round(self) -> VoteRound:
        if not self.s.rounds:
            self.s.rounds.append(VoteRound(1))
        return self.s.rounds[-1]

    def feed(self, e: AnyEvent, t: float) -> None:  # noqa: C901 - one branch per event type reads best
        s, kind, agent = self.s, e.type, getattr(e, "agent", None)
        if kind == "turn_started":
            s.question = e.question
            s.attachments = list(getattr(e, "attachments", None) or [])
        elif kind == "agent_started":
            st = self.stats(agent)
            st.runs += 1
            st.rounds = max(st.rounds, e.round)
            why = run_kind(e.reason)
            st.restarts += why == "restart"
            st.retries += why == "retry"
            self.close_run(agent, t)
            self.open_runs[agent] = (t, why)
            if why in ("restart", "retry"):
                s.marks.append(Mark(t, agent, why))
        elif kind == "answer":
            st = self.stats(agent)
            st.answers += 1
            st.fallbacks += getattr(e, "fallback", None) is not None
            if st.answers == 1:
                st.first_answer_s.append(round(t, 3))
            if s.rounds and s.rounds[-1].votes:
                s.rounds.append(VoteRound(len(s.rounds) + 1))  # a new answer opens a new vote round
            s.answers.append(AnswerRecord(agent, e.label, e.content, t))
            s.marks.append(Mark(t, agent, "answer", e.label))
            self.close_run(agent, t)
        elif kind in ("vote", "vote_ignored"):
            counted = kind == "vote"
            self.stats(agent).votes_given += counted
            self.stats(agent).votes_ignored += not counted
            self.stats(agent).fallbacks += counted and getattr(e, "fallback", None) is not None
            if counted:
                self.stats(e.target).votes_received += 1
            label = getattr(e, "label", "")
            self.current_round().votes.append(VoteRecord(agent, e.target, label, e.reason, t, counted))
            s.marks.append(Mark(t, agent, kind, label or e.target))
            self.close_run(agent, t)
        elif kind == "votes_reset":
            # Marked on the lanes of the agents whose votes were cleared: that is what they lost.
            s.marks.extend(Mark(t, voter, "reset", e.by) for voter in e.cleared)
        elif kind == "agent_error":
            st = self.stats(agent)
            st.errors += 1
            st.fatal_errors += e.fatal
            s.marks.append(Mark(t, agent, "error", e.kind or "error"))
            self.close_run(agent, t)
        elif kind == "agent_stopped":
            s.marks.append(Mark(t, agent, "stopped", e.why))
            self.close_run(agent, t)
        elif kind == "tool_call" and e.name not in WORKFLOW_TOOLS:
            st = self.stats(agent)
            st.tool_calls += 1
            st.tools[e.name] = st.tools.get(e.name, 0) + 1
            s.marks.append(Mark(t, agent, "tool", e.name))
        elif kind == "tool_result" and e.error and e.name not in WORKFLOW_TOOLS:
            self.stats(agent).tool_errors += 1
        elif kind == "usage":
            st = self.stats(agent)
            st.prompt_tokens += e.prompt_tokens
            st.completion_tokens += e.completion_tokens
            self.usage_seen.add(agent)
        elif kind == "consensus":
            s.winner, s.tally, s.tie, s.how = e.winner, dict(e.tally), e.tie, e.how
            s.marks.append(Mark(t, None, "consensus", e.winner))
        elif kind == "hint":
            s.hints.append(e.text)
            s.marks.append(Mark(t, None, "hint", e.text[:40]))
        elif kind == "final_answer":
            s.final_answer = e.content
            s.marks.append(Mark(t, agent, "final"))
            self.close_run(agent, t)
        elif kind == "turn_finished":
            self.finish(e, t)

    def finish(self, e: AnyEvent, t: float) -> None:
        s = self.s
        s.status, s.duration_s = e.status, e.duration_s or round(t, 3)
        s.winner = e.winner or s.winner
        s.final_answer = e.final_answer or s.final_answer
        # Per-call usage events are the detail; the turn's totals cover agents that had none.
        for agent, usage in e.usage.items():
            if agent not in self.usage_seen:
                st = self.stats(agent)
                st.prompt_tokens += int(usage.get("prompt_tokens", 0))
                st.completion_tokens += int(usage.get("completion_tokens", 0))
        self.close_all(t)

    def close_all(self, t: float) -> None:
        for agent in list(self.open_runs):
            self.close_run(agent, t)
        if self.s.winner:
            self.stats(self.s.winner).wins = 1
        if not self.s.duration_s:
            self.s.duration_s = round(t, 3)


def summarize(events: Iterable[AnyEvent], notices: Iterable[str] = ()) -> SessionSummary:
    """Count everything in one pass over the events."""
    out = SessionSummary(notices=list(notices))
    models: dict[str, str] = {}
    pid: int | None = None  # the process of the latest turn
    builder: _TurnBuilder | None = None
    last_t = 0.0
    for e in events:
        out.events += 1
        out.session = out.session or e.session
        t_abs = _seconds(e.ts)
        if e.type == "session_started":
            out.agents = list(e.agents)
            models.update({a.get("id", ""): a.get("model", "?") for a in e.agents})
            continue
        if e.type == "turn_started" or (builder is None and e.turn):
            if builder is not None:
                builder.close_all(last_t - builder.t0)
                if builder.s.status == "running":
                    builder.s.status = INTERRUPTED  # a later turn started: this one never ended
            builder = _TurnBuilder(e.turn, t_abs, models)
            out.turns.append(builder.s)
            pid = getattr(e, "pid", None)
        if builder is None:
            continue  # notices before any turn
        last_t = t_abs
        builder.feed(e, round(max(0.0, t_abs - builder.t0), 3))
    if builder is not None and builder.s.status == "running":
        builder.close_all(last_t - builder.t0)
        builder.s.status = turn_status("running", pid)  # killed engine: interrupted, not running
    for a in out.agents:
        out.totals[a["id"]] = AgentStats(agent=a["id"], model=a.get("model", "?"))
    for turn in out.turns:
        for agent, stats in turn.agents.items():
            out.totals.setdefault(agent, AgentStats(agent=agent, model=stats.model)).add(stats)
    return out


CostFn = Callable[[str, int, int], float | None]


def apply_costs(summary: SessionSummary, cost: CostFn) -> None:
    """Fill in cost per agent; `cost` returns None when the model's price is unknown."""
    for stats in summary.totals.values():
        value = cost(stats.model, stats.prompt_tokens, stats.completion_tokens)
        stats.cost_usd, stats.cost_known = (value, True) if value is not None else (None, False)
