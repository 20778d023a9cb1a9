"""One agent run: stream, run ordinary tools, and insist on exactly one valid workflow call.

Invalid output goes back to the model as a tool error (or a user nudge when it called no
tool); after `max_attempts` failures the agent is dropped from the turn.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from mgtui.config.models import AgentConfig, OrchestratorConfig
from mgtui.engine import fallbacks, protocol
from mgtui.engine.events import AgentError
from mgtui.engine.streaming import Emit, ProviderFailed, StreamedReply, TextCoalescer, stream_completion
from mgtui.engine.utf8 import utf8_safe_data


@dataclass(frozen=True)
class Decision:
    kind: Literal["answer", "vote"]
    content: str = ""
    target_anon: str = ""
    reason: str = ""
    text: str = ""  # what the model wrote beside the call
    fallback: str | None = None  # "text" | "forced" | "parsed": the model did not call the tool itself


TEXT_NUDGES = 1  # nudges for a reply in plain text before the fallbacks


class AgentDropped(Exception):
    def __init__(self, kind: str, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.detail = detail  # the provider's full text, for the log


class ToolExecutor(Protocol):
    """Ordinary (non-workflow) tools an agent may call within its run."""

    def specs(self) -> list[dict[str, Any]]: ...

    def handles(self, name: str) -> bool: ...

    async def execute(self, call_id: str, name: str, arguments: dict[str, Any]) -> str: ...


@dataclass
class RunState:
    """Mutable view of a run for the orchestrator (partial text on cancel)."""

    coalescers: list[TextCoalescer] = field(default_factory=list)
    transcripts: list[str] = field(default_factory=list)  # text of the finished replies
    inbox: list[dict[str, Any]] = field(default_factory=list)  # the user's hints for the next call

    @property
    def transcript(self) -> str:
        return "".join(self.transcripts)

    @property
    def drafting_answer(self) -> bool:
        """Its current reply is writing a new_answer call: an answer is about to land."""
        return bool(self.coalescers) and self.coalescers[0].drafting_answer

    @property
    def partial(self) -> str:
        current = self.coalescers[0].total if self.coalescers else ""
        return (self.transcript + current).strip()


class _Invalid(Exception):
    pass


InvalidCall = _Invalid  # raised by custom validators (council's rank) to send the reason back


MAX_ARGUMENT_DEPTH = 64


def json_depth(value: Any) -> int:
    """How deeply lists and objects nest in parsed JSON (iterative: no recursion to exhaust)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def parse_arguments(call: dict[str, Any]) -> dict[str, Any]:
    """A call's JSON arguments as an object, or InvalidCall."""
    return _parse_arguments(call)


def _parse_arguments(call: dict[str, Any]) -> dict[str, Any]:
    raw = call["function"].get("arguments") or "{}"
    try:
        args = json.loads(raw, strict=False)
    except json.JSONDecodeError as exc:
        raise _Invalid(f"The arguments of `{call['function']['name']}` are not valid JSON ({exc.msg}).") from None
    except RecursionError:  # json's decoder recurses per nesting level
        args = None
    if args is not None and json_depth(args) > MAX_ARGUMENT_DEPTH:
        args = None
    if args is None and raw.lstrip().startswith(("{", "[")):
        # The log (pydantic) cannot serialise data nested past a few hundred levels: such a call
        # failed the whole run. No tool takes arguments nested this deep.
        raise _Invalid(f"The arguments of `{call['function']['name']}` are nested deeper than {MAX_ARGUMENT_DEPTH} levels.")
    if not isinstance(args, dict):
        raise _Invalid(f"The arguments of `{call['function']['name']}` must be a JSON object.")
    return utf8_safe_data(args)  # type: ignore[no-any-return]  # "\ud83d" escapes parse to lone surrogates


def validate_workflow_call(calls: Sequence[dict[str, Any]], vote_ids: Sequence[str], can_answer: bool) -> Decision:
    """Exactly one workflow call with valid arguments, or _Invalid with the reason."""
    names = [c["function"]["name"] for c in calls]
    workflow = [c for c in calls if c["function"]["name"] in protocol.WORKFLOW_TOOLS]
    if not calls:
        raise _Invalid("You did not call a tool.")
    if len(workflow) != 1:
        if not workflow:
            raise _Invalid(f"Unknown tool(s): {', '.join(names)}.")
        raise _Invalid(f"Call exactly one workflow tool per reply; you called {', '.join(names)}.")
    call = workflow[0]
    args = _parse_arguments(call)
    if call["function"]["name"] == protocol.NEW_ANSWER:
        if not can_answer:
            raise _Invalid("You have reached the maximum number of answers; you can only `vote`.")
        content = args.get("content")
        if not isinstance(content, str) or not content.strip():
            raise _Invalid("`new_answer` needs a non-empty string `content`.")
        return Decision("answer", content=content.strip())
    if not vote_ids:
        raise _Invalid("Cannot vote when no answers exist. Use `new_answer`.")
    target = args.get("agent_id")
    if target not in vote_ids:
        raise _Invalid(f"Invalid agent_id '{target}'. Valid agents: {', '.join(vote_ids)}.")
    reason = args.get("reason", "")
    return Decision("vote", target_anon=str(target), reason=str(reason).strip()[: protocol.REASON_MAX_CHARS])


def _assistant_message(reply: StreamedReply) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
    if reply.tool_calls:
        message["tool_calls"] = reply.tool_calls
    return message


async def run_tool_calls(tools: ToolExecutor, reply: StreamedReply, messages: list[dict[str, Any]]) -> int:
    """Run a reply's ordinary tool calls, appending the assistant message and each result
    to `messages` (calls `tools` does not handle get an error result); returns the count."""
    messages.append(_assistant_message(reply))
    for call in reply.tool_calls:
        name = call["function"]["name"]
        try:
            if not tools.handles(name):
                raise _Invalid(f"Unknown tool '{name}'.")
            result = await tools.execute(call["id"], name, _parse_arguments(call))
        except _Invalid as exc:
            result = f"Error: {exc}"
        messages.append({"role": "tool", "tool_call_id": call["id"], "content": result})
    return len(reply.tool_calls)


async def run_agent(
    *,
    agent: AgentConfig,
    orchestrator: OrchestratorConfig,
    messages: list[dict[str, Any]],
    vote_ids: Sequence[str],
    can_answer: bool,
    emit: Emit,
    state: RunState,
    on_restart_attempt: Callable[[str, int], None],
    tools: ToolExecutor | None = None,
    has_answer: bool = False,
    workflow: list[dict[str, Any]] | None = None,
    validate: Callable[[Sequence[dict[str, Any]]], Any] | None = None,
) -> Decision:
    """Run until a valid decision; raises AgentDropped when the agent cannot go on.

    Invalid output is sent back (a tool error, or a nudge after plain text) up to
    `max_attempts` times; an agent whose last reply was plain text is then not dropped but
    given the fallbacks (its text as its answer, a forced vote, a vote read from its text).
    `workflow` + `validate` replace new_answer/vote (council's `rank`): `validate` gets the
    reply's tool calls and returns the decision or raises InvalidCall with the reason."""
    messages = list(messages)
    workflow = workflow if workflow is not None else protocol.workflow_tools(vote_ids, can_answer)
    allowed = [t["function"]["name"] for t in workflow]
    extra = tools.specs() if tools else []
    failures = 0
    tool_calls_made = 0
    texts: list[str] = []  # non-empty text of replies without a workflow call (for the fallbacks)

    async def stream(offered: list[dict[str, Any]], tool_choice: Any = None) -> StreamedReply:
        if state.inbox:  # hints sent during this run go into its next model call
            messages.extend(state.inbox)
            state.inbox.clear()
        try:
            return await stream_completion(
                agent=agent,
                messages=messages,
                tools=offered,
                orchestrator=orchestrator,
                emit=emit,
                phase="coordination",
                on_retry=lambda n: on_restart_attempt("retry", n + 1),
                coalescer_holder=state.coalescers,
                tool_choice=tool_choice,
            )
        except ProviderFailed as exc:
            raise AgentDropped("provider", str(exc), exc.detail) from exc

    while True:
        offered = workflow + (extra if tool_calls_made < orchestrator.max_tool_calls_per_run else [])
        reply = await stream(offered)
        state.transcripts.append(reply.text)
        within_cap = tool_calls_made < orchestrator.max_tool_calls_per_run  # past it, tool calls are invalid output
        if tools and within_cap and reply.tool_calls and all(tools.handles(c["function"]["name"]) for c in reply.tool_calls):
            tool_calls_made += await run_tool_calls(tools, reply, messages)
            continue
        try:
            if validate is not None:
                return validate(reply.tool_calls)  # type: ignore[no-any-return]
            return validate_workflow_call(reply.tool_calls, vote_ids, can_answer)
        except _Invalid as exc:
            failures += 1
            problem = protocol.enforcement_message(str(exc), allowed)
            emit(AgentError(agent=agent.id, error=str(exc), fatal=False, kind="enforcement"))
            if not reply.tool_calls and reply.text.strip():
                texts.append(reply.text.strip())
            text_only = not reply.tool_calls
            # Plain text gets one nudge (a model that ignored it once rarely obeys a second time;
            # on a local server each try costs seconds), then the fallbacks instead of a drop.
            if failures >= (min(orchestrator.max_attempts, TEXT_NUDGES + 1) if text_only else orchestrator.max_attempts):
                if text_only:  # it wrote text (or nothing): never dropped for that alone
                    messages.append(_assistant_message(reply))
                    if validate is None:
                        decision = await _fall_back(agent, messages, texts, vote_ids, can_answer and not has_answer, stream, on_restart_attempt, failures)
                    else:  # a stage's own tool (council's `rank`): a vote or an answer means nothing there
                        decision = await _force_own_tool(agent, messages, workflow, validate, stream, on_restart_attempt, failures)
                    if decision is not None:
                        return decision
                raise AgentDropped("enforcement", f"no valid workflow call after {failures} attempts: {exc}") from None
            messages.append(_assistant_message(reply))
            if reply.tool_calls:
                for call in reply.tool_calls:
                    messages.append({"role": "tool", "tool_call_id": call["id"], "content": f"Error: {problem}"})
            else:
                messages.append({"role": "user", "content": problem})
            on_restart_attempt("enforce", failures + 1)


async def _force_own_tool(
    agent: AgentConfig,
    messages: list[dict[str, Any]],
    workflow: list[dict[str, Any]],
    validate: Callable[[Sequence[dict[str, Any]]], Any],
    stream: Callable[..., Any],
    on_restart_attempt: Callable[[str, int], None],
    failures: int,
) -> Any | None:
    """The nudges are used up: ask once more naming the stage's one tool (a local model obeys
    the grammar a named tool_choice imposes); None when that fails too (the agent is dropped)."""
    request = fallbacks.forced_request(agent, workflow[0]) if len(workflow) == 1 else None
    if request is None:
        return None
    messages.append({"role": "user", "content": fallbacks.force_message(workflow[0]["function"]["name"])})
    on_restart_attempt("enforce", failures + 1)
    reply = await stream(*request)
    try:
        return validate(reply.tool_calls)
    except _Invalid:
        return None


async def _fall_back(
    agent: AgentConfig,
    messages: list[dict[str, Any]],
    texts: list[str],
    vote_ids: Sequence[str],
    may_answer_with_text: bool,
    stream: Callable[..., Any],
    on_restart_attempt: Callable[[str, int], None],
    failures: int,
) -> Decision | None:
    """The nudges are used up and the model keeps writing text: take its text as its first
    answer, or ask once more naming one tool, or read a vote from its text; None if all fail."""
    stated = fallbacks.stated_vote(texts[-1], vote_ids) if texts else None
    if stated is not None:  # "vote agent2: ..." is a vote, not an answer about the question
        return Decision("vote", target_anon=stated[0], reason=stated[1], fallback=fallbacks.PARSED)
    if may_answer_with_text and texts:
        return Decision("answer", content=texts[-1][: protocol.ANSWER_MAX_CHARS], fallback=fallbacks.TEXT)
    tool = protocol.vote_tool(vote_ids) if vote_ids else (protocol.new_answer_tool() if may_answer_with_text else None)
    request = fallbacks.forced_request(agent, tool) if tool is not None else None
    if tool is not None and request is not None:
        messages.append({"role": "user", "content": fallbacks.force_message(tool["function"]["name"])})
        on_restart_attempt("enforce", failures + 1)
        reply = await stream(*request)
        try:
            decision = validate_workflow_call(reply.tool_calls, vote_ids, tool["function"]["name"] == protocol.NEW_ANSWER)
            return Decision(decision.kind, decision.content, decision.target_anon, decision.reason, fallback=fallbacks.FORCED)
        except _Invalid:
            if not reply.tool_calls and reply.text.strip():
                texts.append(reply.text.strip())
            salvaged = fallbacks.salvage_vote(reply.tool_calls, vote_ids)  # e.g. cut by max_tokens mid reason
            if salvaged is not None:
                return Decision("vote", target_anon=salvaged[0], reason=salvaged[1], fallback=fallbacks.FORCED)
    for text in reversed(texts):
        parsed = fallbacks.parse_text_vote(text, vote_ids)
        if parsed is not None:
            return Decision("vote", target_anon=parsed[0], reason=parsed[1], fallback=fallbacks.PARSED)
    return None
