"""One turn's state, folded from its events: the single reducer of engine events.

The engine's `ConsensusLedger` decides during a turn; everything that *reads* a turn (the
sidebar, the earlier-turns strip, `logs summary`, the API's result) folds the same events
into a `TurnState` instead of keeping its own bookkeeping. Pure data: no Textual, no LiteLLM,
nothing but the events module, so the UI process can use it before anything heavy loads.

    state = TurnState()
    for event in events:
        state.apply(event)

`fold(events)` does that for one turn; `fold_log(path)` gives one state per turn of a session
log (a line cut off by a killed process, or of a type this version does not know, is skipped).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mgtui.engine.events import (
    AgentError,
    AnswerPosted,
    AnyEvent,
    Consensus,
    FinalAnswer,
    Hint,
    Ranking,
    SessionStarted,
    TextDelta,
    TurnFinished,
    TurnStarted,
    Usage,
    VoteCast,
    VoteIgnored,
    VotesReset,
    WritesDecided,
    parse_event,
)
from mgtui.regular_file import read_regular_text

HUMAN = "human"  # the voter id of the person (engine/human.py)
RUNNING = "running"  # no turn_finished (yet)
INTERRUPTED = "interrupted"  # no turn_finished, and a later turn started


@dataclass
class Answer:
    label: str  # agentN.k
    content: str
    fallback: str | None = None  # the model did not call the tool itself (events.AnswerPosted)
    ts: str = ""  # when it was posted
    seq: int = 0  # its place among all the turn's answers (1 = first posted)


@dataclass
class Vote:
    voter: str  # config id, or "human"
    target: str
    label: str
    reason: str
    fallback: str | None = None


@dataclass
class IgnoredVote:
    voter: str
    target: str
    reason: str
    why: str


@dataclass
class HintNote:
    text: str
    to: list[str]  # config ids it reached
    addressed: list[str] | None  # the `@agent` ids the person named; None: everyone
    who: str = HUMAN


@dataclass
class AgentErrorNote:
    agent: str
    error: str
    fatal: bool
    kind: str


@dataclass
class SessionInfo:
    """What `session_started` said (the latest one: a config reload announces again)."""

    session: str = ""
    agents: list[dict[str, str]] = field(default_factory=list)  # [{id, model}] in config order
    config_path: str | None = None
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def agent_ids(self) -> list[str]:
        return [a.get("id", "") for a in self.agents]

    @property
    def models(self) -> dict[str, str]:
        return {a.get("id", ""): a.get("model", "?") for a in self.agents}


@dataclass
class TurnState:
    turn: int = 0
    session: str = ""
    question: str = ""  # as typed (attachments listed apart)
    attachments: list[dict[str, Any]] = field(default_factory=list)  # [{path, mode, bytes}]
    history_len: int = 0
    pid: int | None = None  # the engine's process (logs.liveness)
    anonymous_ids: dict[str, str] = field(default_factory=dict)  # config id -> agentN
    agents: list[str] = field(default_factory=list)  # config order (the tie-break order)
    models: dict[str, str] = field(default_factory=dict)  # config id -> model (session_started)
    names: dict[str, str] = field(default_factory=dict)  # blind mode: config id -> shown name (UI)
    answers: dict[str, list[Answer]] = field(default_factory=dict)  # agent -> every answer, in order
    votes: dict[str, Vote] = field(default_factory=dict)  # voter -> standing vote
    votes_ignored: list[IgnoredVote] = field(default_factory=list)
    resets: int = 0
    last_reset_by: str | None = None
    hints: list[HintNote] = field(default_factory=list)
    drops: dict[str, str] = field(default_factory=dict)  # agent -> why it left the turn, in drop order
    errors: list[AgentErrorNote] = field(default_factory=list)  # every agent_error, fatal or not
    rankings: dict[str, list[str]] = field(default_factory=dict)  # council: reviewer -> authors best first
    rank_reasons: dict[str, dict[str, str]] = field(default_factory=dict)  # reviewer -> author -> reason
    aggregate: dict[str, float] = field(default_factory=dict)  # the engine's mean ranks, once decided
    method: str = "consensus"  # "council" once a ranking or a council consensus is seen
    winner: str | None = None
    tally: dict[str, int] = field(default_factory=dict)  # as the consensus event gave it
    tie: bool = False
    tied: list[str] = field(default_factory=list)
    how: str = ""
    by: str = ""
    decided: bool = False  # a consensus event was seen
    presenter: str | None = None  # who wrote the final answer (council: the chairman)
    final_answer: str | None = None
    final_strategy: str = ""
    files_written: list[str] = field(default_factory=list)
    writes_applied: list[str] = field(default_factory=list)
    writes_rejected: list[str] = field(default_factory=list)
    status: str = RUNNING
    error: str | None = None
    duration_s: float = 0.0
    usage: dict[str, dict[str, int]] = field(default_factory=dict)  # agent -> {prompt_tokens, completion_tokens}
    partial: dict[str, str] = field(default_factory=dict)  # agent -> unfinished text at the end
    started_at: str = ""  # ts of turn_started
    last_at: str = ""  # ts of the latest event folded

    # folding ------------------------------------------------------------------------
    def apply(self, event: AnyEvent) -> None:
        """Fold one event into the state (events of other types are ignored)."""
        self.last_at = event.ts or self.last_at
        match event:
            case TextDelta():
                pass  # the bulk of a log, first so that it costs one check (partials come with the turn's end)
            case TurnStarted():
                self.turn, self.session, self.started_at = event.turn, event.session, event.ts
                self.question, self.history_len, self.pid = event.question, event.history_len, event.pid
                self.attachments = [dict(a) for a in event.attachments]
                if event.anonymous_ids:
                    self.anonymous_ids = dict(event.anonymous_ids)
                    self.agents = list(event.anonymous_ids)
            case AnswerPosted():
                self._see(event.agent)
                seq = sum(len(a) for a in self.answers.values()) + 1
                self.answers.setdefault(event.agent, []).append(Answer(event.label, event.content, event.fallback, event.ts, seq))
            case VoteCast():
                self._see(event.agent)
                self.votes[event.agent] = Vote(event.agent, event.target, event.label, event.reason, event.fallback)
            case VoteIgnored():
                self.votes_ignored.append(IgnoredVote(event.agent, event.target, event.reason, event.why))
            case VotesReset():
                # An empty `cleared` from the engine still means "all votes are gone".
                for voter in event.cleared or list(self.votes):
                    self.votes.pop(voter, None)
                self.resets += 1
                self.last_reset_by = event.by
            case AgentError():
                self._see(event.agent)
                self.errors.append(AgentErrorNote(event.agent, event.error, event.fatal, event.kind))
                if event.fatal:
                    self.drops[event.agent] = event.error
                    self.votes.pop(event.agent, None)
            case Ranking():
                self.method = "council"
                self.rankings[event.agent] = list(event.order)
                self.rank_reasons[event.agent] = dict(event.reasons)
            case Consensus():
                self.winner, self.tally, self.tie, self.tied = event.winner, dict(event.tally), event.tie, list(event.tied)
                self.how, self.by, self.method = event.how, event.by, event.method
                self.aggregate = dict(event.aggregate_rank or {})
                self.decided = True
            case FinalAnswer():
                self.presenter, self.final_answer, self.final_strategy = event.agent, event.content, event.strategy
                self.files_written = list(event.files_written)
            case Hint():
                self.hints.append(HintNote(event.text, list(event.to), None if event.addressed is None else list(event.addressed), event.who))
            case Usage():
                bucket = self.usage.setdefault(event.agent, {"prompt_tokens": 0, "completion_tokens": 0})
                bucket["prompt_tokens"] = bucket.get("prompt_tokens", 0) + event.prompt_tokens
                bucket["completion_tokens"] = bucket.get("completion_tokens", 0) + event.completion_tokens
            case TurnFinished():
                # The turn's own word on how it ended wins over what was folded on the way (a turn
                # that failed after its consensus has no winner); an "ok" without them is a
                # hand-written or older log: what was folded stands.
                self.status, self.error, self.duration_s = event.status, event.error, event.duration_s
                if event.winner is not None or event.status != "ok":
                    self.winner = event.winner
                if event.final_answer is not None or event.status != "ok":
                    self.final_answer = event.final_answer
                self.partial = dict(event.partial)
                if event.usage:
                    self.usage = {a: dict(u) for a, u in event.usage.items()}
            case WritesDecided():
                self.writes_applied, self.writes_rejected = list(event.applied), list(event.rejected)
            case _:
                pass

    def _see(self, agent: str) -> None:
        """An agent the turn did not list (a log without anonymous ids or roster)."""
        if agent != HUMAN and agent not in self.agents:
            self.agents.append(agent)

    # what the readers ask -------------------------------------------------------------
    @property
    def latest_label(self) -> dict[str, str]:
        """agent -> the label of its latest answer, in the order they first answered."""
        return {agent: answers[-1].label for agent, answers in self.answers.items() if answers}

    @property
    def finished(self) -> bool:
        return self.status not in (RUNNING, INTERRUPTED)

    @property
    def dropped(self) -> list[str]:
        """Agents that left the turn, in the order they left."""
        return list(self.drops)

    @property
    def drop_reasons(self) -> dict[str, str]:
        return {a: why for a, why in self.drops.items() if why}

    @property
    def live(self) -> list[str]:
        return [a for a in self.agents if a not in self.drops]

    @property
    def voted_count(self) -> int:
        return sum(1 for voter in self.votes if voter in self.agents and voter not in self.drops)  # not the person's

    @property
    def human_vote(self) -> Vote | None:
        return self.votes.get(HUMAN)

    def name(self, agent: str) -> str:
        return self.names.get(agent, "you" if agent == HUMAN else agent)

    def votes_for(self, agent: str) -> list[Vote]:
        return [v for v in self.votes.values() if v.target == agent]

    def latest(self, agent: str) -> str | None:
        answers = self.answers.get(agent)
        return answers[-1].content if answers else None

    def agents_with_answers(self) -> list[str]:
        """Config order, then any agent the roster did not name."""
        ordered = [a for a in self.agents if self.answers.get(a)]
        return ordered + [a for a in self.answers if a not in ordered and self.answers[a]]

    def latest_answers(self) -> dict[str, str]:
        """Agent -> its latest answer, in config order."""
        return {a: self.answers[a][-1].content for a in self.agents_with_answers()}

    def all_answers(self) -> list[tuple[str, Answer]]:
        """(agent, answer) for every answer posted, per agent in config order."""
        return [(a, answer) for a in self.agents_with_answers() for answer in self.answers[a]]

    def answers_in_order(self) -> list[tuple[str, Answer]]:
        """(agent, answer) for every answer, in the order they were posted."""
        return sorted(self.all_answers(), key=lambda pair: pair[1].seq)

    def standing_tally(self) -> dict[str, int]:
        """Votes per agent with an answer, counted from the standing votes now (the ledger's rule)."""
        counts = {a: 0 for a in self.agents_with_answers()}
        for vote in self.votes.values():
            counts[vote.target] = counts.get(vote.target, 0) + 1
        return counts

    def vote_rows(self) -> list[dict[str, str]]:
        """Standing votes as `TurnResult.votes` lists them."""
        return [{"agent": v.voter, "target": v.target, "label": v.label, "reason": v.reason} for v in self.votes.values()]

    def drop_rows(self) -> list[dict[str, str]]:
        """`[{agent, reason}]` in the order the agents left (`TurnResult.dropped`)."""
        return [{"agent": a, "reason": why} for a, why in self.drops.items()]

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

    def snapshot(self) -> TurnState:
        """A deep copy (a reactive sees later updates as changes)."""
        return copy.deepcopy(self)


def fold(events: Iterable[AnyEvent], state: TurnState | None = None) -> TurnState:
    """Fold one turn's events (into `state` when given)."""
    out = state if state is not None else TurnState()
    for event in events:
        out.apply(event)
    return out


@dataclass
class SessionFold:
    info: SessionInfo = field(default_factory=SessionInfo)
    turns: list[TurnState] = field(default_factory=list)
    events: int = 0  # events read (skipped lines not counted)
    skipped: int = 0  # lines that were not a known event (torn last line, newer types)


EventSource = str | Path | Iterable[AnyEvent | dict[str, Any] | str | bytes]


def _events(source: EventSource, fold_out: SessionFold) -> Iterable[AnyEvent]:
    items: Iterable[AnyEvent | dict[str, Any] | str | bytes]
    if isinstance(source, (str, Path)):
        try:
            # Lines end at "\n" only: splitlines() also breaks at U+2028, U+0085 and \x1c-\x1e, which
            # JSON leaves raw inside strings (a model's answer could hide its own events). No FIFO wait.
            items = read_regular_text(source, errors="replace").split("\n")
        except OSError:
            return
    else:
        items = source
    for item in items:
        if isinstance(item, (str, bytes, dict)):
            if isinstance(item, (str, bytes)) and not item.strip():
                continue
            try:
                yield parse_event(item)
            except (ValidationError, ValueError, json.JSONDecodeError):
                fold_out.skipped += 1  # a line cut off by a killed process, or a type we do not know
        else:
            yield item


Observer = Callable[[TurnState | None, AnyEvent], None]


def fold_session(source: EventSource, observe: Observer | None = None) -> SessionFold:
    """Every turn of a session log (a path to events.jsonl, or its events / lines / dicts).

    `observe(state, event)` sees each event after it was folded, with its turn's state (None
    for session-wide events): readers that count more than the state holds (timings, runs)
    follow the same turns without splitting the log again."""
    out = SessionFold()
    by_turn: dict[int, TurnState] = {}
    for event in _events(source, out):
        out.events += 1
        target: TurnState | None = None
        if isinstance(event, SessionStarted):
            out.info = SessionInfo(event.session, [dict(a) for a in event.agents], event.config_path, dict(event.config))
        elif isinstance(event, TurnStarted) or (event.turn > 0 and not out.turns):
            # A turn starts (or its start was lost: the log begins mid-turn).
            if out.turns and out.turns[-1].status == RUNNING:
                out.turns[-1].status = INTERRUPTED  # a later turn started: that one never ended
            target = TurnState(turn=event.turn, session=event.session, agents=out.info.agent_ids, models=out.info.models, started_at=event.ts)
            out.turns.append(target)
            by_turn[event.turn] = target
        else:
            target = by_turn.get(event.turn)
        if target is not None:
            target.apply(event)
        if observe is not None:
            observe(target, event)
    return out


def fold_log(source: EventSource) -> list[TurnState]:
    """One `TurnState` per turn of a session log, in order."""
    return fold_session(source).turns
