"""Engine event -> Textual Message: the one adapter, used by the live engine and by replay.

Widgets never see raw events or the engine; they react to these messages. The event
classes are imported lazily so the first frame does not wait for pydantic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.message_pump import MessagePump

if TYPE_CHECKING:
    from mgtui.engine.events import AnyEvent


@dataclass
class EngineMessage(Message):
    """Base of every message made from an engine event."""

    turn: int


@dataclass
class SessionStarted(EngineMessage):
    session: str
    agents: list[dict[str, str]]  # [{"id", "model"}] in config order


@dataclass
class TurnStarted(EngineMessage):
    question: str
    anonymous_ids: dict[str, str] = field(default_factory=dict)
    attachments: list[dict[str, Any]] = field(default_factory=list)  # [{path, mode, bytes}]


@dataclass
class AgentStarted(EngineMessage):
    agent: str
    attempt: int
    round: int
    reason: str  # start, restart, retry, enforce, present
    vote_only: bool = False


@dataclass
class AgentText(EngineMessage):
    agent: str
    delta: str
    final: bool = False  # True while the winner presents the final answer
    reasoning: bool = False  # thinking tokens: shown dimmed in the agent's pane, never an answer


@dataclass
class ToolCallMsg(EngineMessage):
    agent: str
    call_id: str
    name: str
    arguments: Any


@dataclass
class ToolResultMsg(EngineMessage):
    agent: str
    call_id: str
    name: str
    result: Any
    error: str | None


@dataclass
class HookRan(EngineMessage):
    agent: str
    hook: str  # PreToolUse | PostToolUse
    tool: str
    outcome: str  # allow | deny | rewrite | append | failed
    detail: str


@dataclass
class AnswerPosted(EngineMessage):
    agent: str
    label: str
    content: str
    fallback: str | None = None  # text | forced | parsed: the model did not call the tool itself


@dataclass
class VoteCast(EngineMessage):
    agent: str
    target: str
    label: str
    reason: str
    fallback: str | None = None


@dataclass
class VoteIgnored(EngineMessage):
    agent: str
    target: str
    why: str


@dataclass
class VotesReset(EngineMessage):
    by: str
    cleared: list[str]


@dataclass
class AgentErrored(EngineMessage):
    agent: str
    error: str
    fatal: bool


@dataclass
class AgentStopped(EngineMessage):
    agent: str
    why: str


@dataclass
class UsageReported(EngineMessage):
    agent: str
    prompt_tokens: int
    completion_tokens: int


@dataclass
class ConsensusReached(EngineMessage):
    winner: str
    tally: dict[str, int]
    tie: bool
    tied: list[str]
    how: str
    by: str = "votes"  # "human" when the person picked the winner
    method: str = "consensus"  # or "council"
    aggregate_rank: dict[str, float] | None = None  # council: agent -> mean rank


@dataclass
class RankingPosted(EngineMessage):
    """Council mode: one reviewer's ranking (config ids, best first) with reasons."""

    agent: str
    order: list[str]
    reasons: dict[str, str]


@dataclass
class FinalStarted(EngineMessage):
    agent: str
    strategy: str


@dataclass
class FinalAnswer(EngineMessage):
    agent: str
    content: str
    files_written: list[str] = field(default_factory=list)  # files the presenter wrote (@path:w)


@dataclass
class TurnFinished(EngineMessage):
    status: str  # ok, timeout, cancelled, failed
    winner: str | None
    final_answer: str | None
    duration_s: float
    error: str | None
    usage: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass
class EngineNotice(EngineMessage):
    level: str
    text: str


@dataclass
class HintGiven(EngineMessage):
    """The person's note reached these agents (their next model call)."""

    text: str
    to: list[str]
    addressed: list[str] | None = None


@dataclass
class WritesProposedMsg(EngineMessage):
    """The presenter's changes to the user's files wait for review."""

    files: list[dict[str, Any]]


@dataclass
class WritesDecidedMsg(EngineMessage):
    applied: list[str]
    rejected: list[str]


# Messages about the engine process itself (not engine events).


@dataclass
class EngineReady(Message):
    session: str
    log_dir: str
    agents: list[dict[str, str]] = field(default_factory=list)  # [{"id", "model"}] in config order
    options: dict[str, Any] = field(default_factory=dict)  # orchestrator settings the UI needs: human, blind


@dataclass
class EngineError(Message):
    text: str


@dataclass
class EngineBusy(Message):
    text: str
    waiting: bool = False  # another process runs a turn of this session: ours waits, it was sent


@dataclass
class EngineDied(Message):
    returncode: int | None
    stderr_tail: str


@dataclass
class HintSubmitted(Message):
    """Enter during a turn: steer it with this text (`@agent …` names one agent)."""

    text: str


@dataclass
class PromptSubmitted(Message):
    """The user submitted a question (posted by the prompt bar)."""

    text: str  # what the agents get: the typed text plus any attached @path blocks
    typed: str = ""  # exactly what the user typed (for history and display)
    write_paths: list[str] = field(default_factory=list)  # absolute paths marked @path:w
    attachments: list[dict[str, Any]] = field(default_factory=list)  # [{path, mode, bytes}] for the log
    notices: list[str] = field(default_factory=list)  # attachment notices already shown to the user


def event_to_message(event: AnyEvent) -> Message | None:
    """Translate one parsed engine event; None for events the UI does not show."""
    from mgtui.engine import events as ev

    t = event.turn
    match event:
        case ev.SessionStarted(session=session, agents=agents):
            return SessionStarted(t, session, agents)
        case ev.TurnStarted(question=question, anonymous_ids=anon):
            return TurnStarted(t, question, anon, list(getattr(event, "attachments", None) or []))
        case ev.AgentStarted(agent=a, attempt=attempt, round=rnd, reason=reason, vote_only=vote_only):
            return AgentStarted(t, a, attempt, rnd, reason, vote_only)
        case ev.TextDelta(agent=a, delta=delta, phase=phase):
            return AgentText(t, a, delta, phase == "final", phase == "reasoning")
        case ev.ToolCall(agent=a, call_id=cid, name=name, arguments=args):
            return ToolCallMsg(t, a, cid, name, args)
        case ev.ToolResult(agent=a, call_id=cid, name=name, result=result, error=error):
            return ToolResultMsg(t, a, cid, name, result, error)
        case ev.HookRun(agent=a, hook=hook, tool=tool, outcome=outcome, detail=detail):
            return HookRan(t, a, hook, tool, outcome, detail)
        case ev.AnswerPosted(agent=a, label=label, content=content):
            return AnswerPosted(t, a, label, content, getattr(event, "fallback", None))
        case ev.VoteCast(agent=a, target=target, label=label, reason=reason):
            return VoteCast(t, a, target, label, reason, getattr(event, "fallback", None))
        case ev.VoteIgnored(agent=a, target=target, why=why):
            return VoteIgnored(t, a, target, why)
        case ev.VotesReset(by=by, cleared=cleared):
            return VotesReset(t, by, cleared)
        case ev.AgentError(agent=a, error=error, fatal=fatal):
            return AgentErrored(t, a, error, fatal)
        case ev.AgentStopped(agent=a, why=why):
            return AgentStopped(t, a, why)
        case ev.Usage(agent=a, prompt_tokens=p, completion_tokens=c):
            return UsageReported(t, a, p, c)
        case ev.Consensus(winner=winner, tally=tally, tie=tie, tied=tied, how=how):
            return ConsensusReached(t, winner, tally, tie, tied, how, getattr(event, "by", "votes"), getattr(event, "method", "consensus"), getattr(event, "aggregate_rank", None))
        case ev.Ranking(agent=a, order=order, reasons=reasons):
            return RankingPosted(t, a, list(order), dict(reasons))
        case ev.Hint(text=text, to=to, addressed=addressed):
            return HintGiven(t, text, list(to), addressed)
        case ev.WritesProposed(files=files):
            return WritesProposedMsg(t, list(files))
        case ev.WritesDecided(applied=applied, rejected=rejected):
            return WritesDecidedMsg(t, list(applied), list(rejected))
        case ev.FinalStarted(agent=a, strategy=strategy):
            return FinalStarted(t, a, strategy)
        case ev.FinalAnswer(agent=a, content=content, files_written=written):
            return FinalAnswer(t, a, content, list(written))
        case ev.TurnFinished(status=status, winner=winner, final_answer=final, duration_s=dur, error=err, usage=usage):
            return TurnFinished(t, status, winner, final, dur, err, usage)
        case ev.SessionNotice(level=level, message=text):
            return EngineNotice(t, level, text)
    return None


def post_event(target: MessagePump, event: AnyEvent) -> bool:
    """Post the message for `event` to `target`; False if the UI ignores this event.

    Every engine or log text enters the screen here, so controls are made visible here once
    (a vote reason, a file name or a provider error is drawn by many widgets)."""
    from mgtui.terminal_text import safe_model

    message = event_to_message(safe_model(event))
    if message is None:
        return False
    return target.post_message(message)
