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

from mgtui.engine.events import (
    AgentError,
    AgentStarted,
    AgentStopped,
    AnswerPosted,
    AnyEvent,
    Consensus,
    FinalAnswer,
    Hint,
    Ranking,
    SessionStarted,
    TextDelta,
    ToolCall,
    ToolResult,
    TurnFinished,
    Usage,
    VoteCast,
    VoteIgnored,
    VotesReset,
    typed_reason,
)
from mgtui.engine.turn_state import INTERRUPTED, RUNNING, TurnState, fold_session
from mgtui.logs.liveness import turn_status

WORKFLOW_TOOLS = frozenset({"new_answer", "vote"})  # the protocol's own calls are not "tool use"


def run_kind(reason: str) -> str:
    """Normalise why a run started: the typed reason, or the free text of logs written before it
    ("new answer agent2.1" is a restart); "rank" is council's stage 2 (each agent ranks the answers)."""
    kind, _label = typed_reason(reason)
    return kind if kind in ("start", "next", "restart", "retry", "enforce", "present", "rank") else "other"


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
    rankings: int = 0  # council: rankings it gave
    first_places: int = 0  # council: reviewers that ranked its answer best

    @property
    def mean_first_answer_s(self) -> float | None:
        return round(sum(self.first_answer_s) / len(self.first_answer_s), 3) if self.first_answer_s else None

    def add(self, other: AgentStats) -> None:
        """Accumulate one turn's numbers into the session totals."""
        for name in ("answers", "votes_given", "votes_received", "votes_ignored", "wins", "runs", "rounds",
                     "restarts", "retries", "errors", "fatal_errors", "tool_calls", "tool_errors",
                     "prompt_tokens", "completion_tokens", "fallbacks", "rankings", "first_places"):
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
    kind: str  # answer, vote, vote_ignored, ranking, reset, error, tool, restart, retry, final, consensus, stopped, hint
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
    """One turn: its facts are the turn's `TurnState` (question, status, winner, tally, answers,
    final answer, hints, attachments, rankings); this adds what only the summary counts:
    per-agent numbers, the vote rounds and the timeline."""

    turn: int
    state: TurnState = field(default_factory=TurnState)
    rounds: list[VoteRound] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    agents: dict[str, AgentStats] = field(default_factory=dict)

    @property
    def duration_s(self) -> float:
        """As the turn reported it; else from its first to its last event (cut off or running)."""
        if self.state.duration_s:
            return self.state.duration_s
        return round(max(0.0, _seconds(self.state.last_at) - _seconds(self.state.started_at)), 3) if self.state.started_at else 0.0

    @property
    def answers(self) -> list[AnswerRecord]:
        t0 = _seconds(self.state.started_at)
        return [AnswerRecord(agent, a.label, a.content, round(max(0.0, _seconds(a.ts) - t0), 3) if a.ts else 0.0)
                for agent, a in self.state.answers_in_order()]

    def to_json(self, *, detail: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "turn": self.turn, "question": self.state.question, "status": self.state.status, "winner": self.state.winner,
            "duration_s": self.duration_s, "tally": dict(self.state.tally), "tie": self.state.tie, "how": self.state.how,
            "method": self.state.method, "final_answer": self.state.final_answer or "",
            "rounds": [asdict(r) for r in self.rounds], "agents": {a: asdict(s) for a, s in self.agents.items()},
            "hints": [h.text for h in self.state.hints], "attachments": self.state.attachments,
        }
        if self.state.method == "council":
            data["rankings"], data["aggregate_rank"] = dict(self.state.rankings), dict(self.state.aggregate)
        if detail:
            data["answers"] = [asdict(a) for a in self.answers]
            data["marks"], data["spans"] = [asdict(m) for m in self.marks], [asdict(sp) for sp in self.spans]
        return data


@dataclass
class SessionSummary:
    session: str = ""
    agents: list[dict[str, str]] = field(default_factory=list)
    turns: list[TurnSummary] = field(default_factory=list)
    totals: dict[str, AgentStats] = field(default_factory=dict)
    events: int = 0
    notices: list[str] = field(default_factory=list)

    def to_json(self, *, detail: bool = True) -> dict[str, Any]:
        totals = {a: {**asdict(s), "mean_first_answer_s": s.mean_first_answer_s} for a, s in self.totals.items()}
        return {"session": self.session, "agents": [dict(a) for a in self.agents], "turns": [t.to_json(detail=detail) for t in self.turns],
                "totals": totals, "events": self.events, "notices": list(self.notices)}


class _TurnBuilder:
    """Counts what a turn's state does not hold: per-agent numbers, vote rounds, timeline."""

    def __init__(self, state: TurnState, t0: float, models: dict[str, str]) -> None:
        self.s = TurnSummary(turn=state.turn, state=state)
        self.t0, self.models = t0, models
        self.open_runs: dict[str, tuple[float, str]] = {}
        self.usage_seen: set[str] = set()
        self.last_t = 0.0

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
        s = self.s
        self.last_t = t
        match e:
            case TextDelta():
                pass  # the bulk of a log: one check
            case AgentStarted():
                st = self.stats(e.agent)
                st.runs += 1
                st.rounds = max(st.rounds, e.round)
                why = run_kind(e.reason)
                st.restarts += why == "restart"
                st.retries += why == "retry"
                self.close_run(e.agent, t)
                self.open_runs[e.agent] = (t, why)
                if why in ("restart", "retry"):
                    s.marks.append(Mark(t, e.agent, why))
            case AnswerPosted():
                st = self.stats(e.agent)
                st.answers += 1
                st.fallbacks += e.fallback is not None
                if st.answers == 1:
                    st.first_answer_s.append(round(t, 3))
                if s.rounds and s.rounds[-1].votes:
                    s.rounds.append(VoteRound(len(s.rounds) + 1))  # a new answer opens a new vote round
                s.marks.append(Mark(t, e.agent, "answer", e.label))
                self.close_run(e.agent, t)
            case VoteCast() | VoteIgnored():
                counted = isinstance(e, VoteCast)
                voter = self.stats(e.agent)
                voter.votes_given += counted
                voter.votes_ignored += not counted
                label = e.label if isinstance(e, VoteCast) else ""
                if isinstance(e, VoteCast):
                    voter.fallbacks += e.fallback is not None
                    self.stats(e.target).votes_received += 1
                self.current_round().votes.append(VoteRecord(e.agent, e.target, label, e.reason, t, counted))
                s.marks.append(Mark(t, e.agent, e.type, label or e.target))
                self.close_run(e.agent, t)
            case Ranking():
                self.stats(e.agent).rankings += 1
                if e.order:
                    self.stats(e.order[0]).first_places += 1
                s.marks.append(Mark(t, e.agent, "ranking", " > ".join(e.order)))
                self.close_run(e.agent, t)
            case VotesReset():
                # Marked on the lanes of the agents whose votes were cleared: that is what they lost.
                s.marks.extend(Mark(t, voter, "reset", e.by) for voter in e.cleared)
            case AgentError():
                st = self.stats(e.agent)
                st.errors += 1
                st.fatal_errors += e.fatal
                s.marks.append(Mark(t, e.agent, "error", e.kind or "error"))
                self.close_run(e.agent, t)
            case AgentStopped():
                s.marks.append(Mark(t, e.agent, "stopped", e.why))
                self.close_run(e.agent, t)
            case ToolCall() if e.name not in WORKFLOW_TOOLS:
                st = self.stats(e.agent)
                st.tool_calls += 1
                st.tools[e.name] = st.tools.get(e.name, 0) + 1
                s.marks.append(Mark(t, e.agent, "tool", e.name))
            case ToolResult() if e.error and e.name not in WORKFLOW_TOOLS:
                self.stats(e.agent).tool_errors += 1
            case Usage():
                st = self.stats(e.agent)
                st.prompt_tokens += e.prompt_tokens
                st.completion_tokens += e.completion_tokens
                self.usage_seen.add(e.agent)
            case Consensus():
                s.marks.append(Mark(t, None, "consensus", e.winner))
            case Hint():
                s.marks.append(Mark(t, None, "hint", e.text[:40]))
            case FinalAnswer():
                s.marks.append(Mark(t, e.agent, "final"))
                self.close_run(e.agent, t)
            case TurnFinished():
                self.finish(e, t)
            case _:
                pass

    def finish(self, e: TurnFinished, t: float) -> None:
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
        if self.s.state.winner:
            self.stats(self.s.state.winner).wins = 1


def summarize(events: Iterable[AnyEvent], notices: Iterable[str] = ()) -> SessionSummary:
    """Count everything in one pass over the events (the turns are `fold_session`'s)."""
    out = SessionSummary(notices=list(notices))
    models: dict[str, str] = {}
    builders: dict[int, _TurnBuilder] = {}  # id(state) -> its builder

    def observe(state: TurnState | None, e: AnyEvent) -> None:
        out.session = out.session or e.session
        if isinstance(e, SessionStarted):
            out.agents = list(e.agents)
            models.update({a.get("id", ""): a.get("model", "?") for a in e.agents})
        if state is None:
            return  # notices before any turn
        builder = builders.get(id(state))
        if builder is None:
            builder = builders[id(state)] = _TurnBuilder(state, _seconds(state.started_at or e.ts), models)
            out.turns.append(builder.s)
        builder.feed(e, round(max(0.0, _seconds(e.ts) - builder.t0), 3))

    folded = fold_session(events, observe)
    out.events = folded.events
    for turn in out.turns:
        builder = builders[id(turn.state)]
        if turn.state.status in (RUNNING, INTERRUPTED):  # fold_session marked earlier unfinished turns
            builder.close_all(builder.last_t)
            if turn.state.status == RUNNING:  # the last turn: running, or its engine was killed
                turn.state.status = turn_status(RUNNING, turn.state.pid)
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
