"""Typed engine events: the one data format shared by the log, the TUI, replay and the API.

Every event is plain JSON-serialisable data. `events.jsonl` holds one per line; the engine
service streams the same lines to the TUI process. Agent events carry the *config* id of the
agent, never its anonymous id.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _Event(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str
    ts: str = Field(default_factory=utc_now)
    session: str = ""
    turn: int = 0


class _AgentEvent(_Event):
    agent: str


class SessionStarted(_Event):
    type: Literal["session_started"] = "session_started"
    config: dict[str, Any]
    agents: list[dict[str, str]]  # [{"id": ..., "model": ...}] in config order
    config_path: str | None = None
    resumed: bool = False  # the session continues an earlier log (Session.resume)


class TurnStarted(_Event):
    type: Literal["turn_started"] = "turn_started"
    question: str
    history_len: int
    anonymous_ids: dict[str, str] = Field(default_factory=dict)  # config id -> agentN
    # `question` is what the person typed; the files attached with `@path` are listed here
    # (the agents get their contents as well): [{path, mode: read|write, bytes}]
    attachments: list[dict[str, Any]] = Field(default_factory=list)
    pid: int | None = None  # the engine's process: a turn without turn_finished whose pid is gone was interrupted


# Why a run started: "start" (turn began), "next" (next round after its own answer), "restart"
# (another agent's new answer, `after_label`), "hint" (a note from the person), "stale" (its vote
# was on old answers), "user" (the person restarted it), "retry" (provider error), "enforce"
# (invalid output sent back), "rank" (council review), "present" (final), "other" (old logs).
RunReason = Literal["start", "next", "restart", "hint", "stale", "user", "retry", "enforce", "rank", "present", "other"]
RUN_REASONS: frozenset[str] = frozenset(get_args(RunReason))
_REASON_TEXT = {"next": "next round", "hint": "hint from the user", "stale": "vote on stale answers", "user": "restarted by the user"}
_LEGACY_REASONS = {text: reason for reason, text in _REASON_TEXT.items()}


def run_text(reason: str, after_label: str | None = None) -> str:
    """How a run's reason reads in a pane or a log line ("new answer agent2.1")."""
    if reason == "restart" and after_label:
        return f"new answer {after_label}"
    return _REASON_TEXT.get(reason, reason)


def typed_reason(text: str) -> tuple[str, str | None]:
    """(reason, after_label) of a reason as logs before the typed field wrote it."""
    if text in RUN_REASONS:
        return text, None
    if text.startswith("new answer"):  # the one place old free text is read: logs before the Literal
        return "restart", text.removeprefix("new answer").strip() or None
    return _LEGACY_REASONS.get(text, "other"), None


class AgentStarted(_AgentEvent):
    type: Literal["agent_started"] = "agent_started"
    attempt: int = 1
    round: int = 1
    reason: RunReason = "start"
    after_label: str | None = None  # "restart": the new answer that made this run start again
    vote_only: bool = False

    @model_validator(mode="before")
    @classmethod
    def _old_reason(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("reason"), str) and data["reason"] not in RUN_REASONS:
            reason, label = typed_reason(data["reason"])
            data = {**data, "reason": reason, "after_label": data.get("after_label") or label}
        return data


class TextDelta(_AgentEvent):
    type: Literal["text"] = "text"
    delta: str
    # "reasoning": thinking tokens (reasoning_content, <think> blocks), never part of an answer
    phase: Literal["coordination", "final", "reasoning"] = "coordination"


class ToolCall(_AgentEvent):
    type: Literal["tool_call"] = "tool_call"
    call_id: str = ""
    name: str
    arguments: Any = None


class ToolResult(_AgentEvent):
    type: Literal["tool_result"] = "tool_result"
    call_id: str = ""
    name: str
    result: Any = None
    error: str | None = None
    duration_s: float | None = None


class HookRun(_AgentEvent):
    """A PreToolUse / PostToolUse hook ran on a tool call."""

    type: Literal["hook_run"] = "hook_run"
    hook: str  # "PreToolUse" | "PostToolUse"
    handler: str  # module:function
    tool: str
    call_id: str = ""
    outcome: str  # allow | deny | rewrite | append | failed
    detail: str = ""  # deny reason, rewritten arguments, appended text or the failure
    duration_s: float | None = None
    output: str = ""  # what the hook printed (stdout and stderr), first 64 KiB with a truncation note


class AnswerPosted(_AgentEvent):
    type: Literal["answer"] = "answer"
    label: str
    content: str
    answer_index: int = 1  # k of agentN.k
    # set when the model did not call the tool itself: "text" (its plain text was taken)
    fallback: Literal["text", "forced", "parsed"] | None = None


class VoteCast(_AgentEvent):
    type: Literal["vote"] = "vote"
    target: str
    label: str
    reason: str = ""
    # set when the model did not call the tool itself: "forced" (asked again with a named
    # tool_choice) or "parsed" (read from its text, e.g. "vote agent2: reason")
    fallback: Literal["text", "forced", "parsed"] | None = None


class VoteIgnored(_AgentEvent):
    """A vote made on answers that are no longer current: it does not count."""

    type: Literal["vote_ignored"] = "vote_ignored"
    target: str
    reason: str = ""
    why: str = ""


class VotesReset(_Event):
    type: Literal["votes_reset"] = "votes_reset"
    by: str
    cleared: list[str] = Field(default_factory=list)  # voters whose votes were cleared


class AgentError(_AgentEvent):
    type: Literal["agent_error"] = "agent_error"
    error: str
    fatal: bool = False
    kind: str = ""  # "provider", "enforcement", "presentation", ...
    retry_in: float | None = None
    detail: str = ""  # the provider's full text (`error` is one readable line)


class AgentStopped(_AgentEvent):
    """An agent's run ended without a decision: cancelled (restart/consensus/timeout)."""

    type: Literal["agent_stopped"] = "agent_stopped"
    why: str = ""
    restart: bool = False  # a new run follows at once (its separator line says why)
    partial: str = ""

    @model_validator(mode="before")
    @classmethod
    def _old_restart(cls, data: Any) -> Any:
        # Logs before the typed field said so only in `why` ("restarted: …").
        if isinstance(data, dict) and "restart" not in data and str(data.get("why", "")).startswith("restarted"):
            data = {**data, "restart": True}
        return data


class Usage(_AgentEvent):
    type: Literal["usage"] = "usage"
    prompt_tokens: int = 0
    completion_tokens: int = 0


class Ranking(_AgentEvent):
    """Council mode: one reviewer's ranking of the anonymised answers (config ids, best first)."""

    type: Literal["ranking"] = "ranking"
    order: list[str]
    reasons: dict[str, str] = Field(default_factory=dict)  # answer's author -> why it is placed there


class Consensus(_Event):
    type: Literal["consensus"] = "consensus"
    winner: str
    tally: dict[str, int]
    tie: bool = False
    tied: list[str] = Field(default_factory=list)
    how: str = "votes"  # "votes", "timeout_votes", "timeout_newest", "single", "human"
    by: str = "votes"  # who decided: "votes", "human" (the person picked it), "timeout"
    method: str = "consensus"  # "consensus" (votes) or "council" (peer ranking)
    aggregate_rank: dict[str, float] | None = None  # council: agent -> mean rank of its answer (1 = best)


class FinalStarted(_AgentEvent):
    type: Literal["final_started"] = "final_started"
    strategy: str


class FinalAnswer(_AgentEvent):
    type: Literal["final_answer"] = "final_answer"
    content: str
    strategy: str = "winner_present"
    files_written: list[str] = Field(default_factory=list)  # paths the presenter's tools wrote


class TurnFinished(_Event):
    type: Literal["turn_finished"] = "turn_finished"
    status: Literal["ok", "timeout", "cancelled", "failed"]
    usage: dict[str, dict[str, int]] = Field(default_factory=dict)
    winner: str | None = None
    final_answer: str | None = None
    partial: dict[str, str] = Field(default_factory=dict)  # agent -> unfinished text
    duration_s: float = 0.0
    error: str | None = None


class SessionNotice(_Event):
    """Out-of-band information for people: config reloaded, engine restarted, ..."""

    type: Literal["notice"] = "notice"
    level: Literal["info", "warning", "error"] = "info"
    message: str


class WritesProposed(_Event):
    """The presenter's changes to the user's files wait for review (TUI): one diff per file."""

    type: Literal["writes_proposed"] = "writes_proposed"
    files: list[dict[str, Any]] = Field(default_factory=list)  # [{path, diff, bytes, new}]


class WritesDecided(_Event):
    """What the person accepted (written to disk) and rejected of the proposed changes."""

    type: Literal["writes_decided"] = "writes_decided"
    applied: list[str] = Field(default_factory=list)
    rejected: list[str] = Field(default_factory=list)


class Hint(_Event):
    """The person steered a running turn: `text` goes to the agents in `to` (their next call)."""

    type: Literal["hint"] = "hint"
    who: str = "human"
    text: str
    to: list[str] = Field(default_factory=list)  # config ids it reached (or will at their next run)
    addressed: list[str] | None = None  # `@agent` ids the person named; None: everyone


Event = Annotated[
    SessionStarted
    | TurnStarted
    | AgentStarted
    | TextDelta
    | ToolCall
    | ToolResult
    | HookRun
    | AnswerPosted
    | VoteCast
    | VoteIgnored
    | VotesReset
    | AgentError
    | AgentStopped
    | Usage
    | Consensus
    | Ranking
    | FinalStarted
    | FinalAnswer
    | TurnFinished
    | SessionNotice
    | Hint
    | WritesProposed
    | WritesDecided,
    Field(discriminator="type"),
]

_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
EVENT_CLASSES: tuple[type[_Event], ...] = get_args(get_args(Event)[0])
EVENT_TYPES: frozenset[str] = frozenset(c.model_fields["type"].default for c in EVENT_CLASSES)


def parse_event(data: dict[str, Any] | str | bytes) -> Event:
    """Validate one event from a dict or a JSON line (raises pydantic.ValidationError)."""
    if isinstance(data, (str, bytes)):
        return _ADAPTER.validate_json(data)
    return _ADAPTER.validate_python(data)


def event_to_json(event: _Event) -> str:
    return event.model_dump_json(exclude_none=False)


AnyEvent = _Event
