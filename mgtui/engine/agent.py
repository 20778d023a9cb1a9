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
from mgtui.engine import protocol
from mgtui.engine.events import AgentError
from mgtui.engine.streaming import Emit, ProviderFailed, StreamedReply, TextCoalescer, stream_completion


@dataclass(frozen=True)
class Decision:
    kind: Literal["answer", "vote"]
    content: str = ""
    target_anon: str = ""
    reason: str = ""
    text: str = ""  # what the model wrote beside the call


class AgentDropped(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class ToolExecutor(Protocol):
    """Ordinary (non-workflow) tools an agent may call within its run."""

    def specs(self) -> list[dict[str, Any]]: ...

    def handles(self, name: str) -> bool: ...

    async def execute(self, call_id: str, name: str, arguments: dict[str, Any]) -> str: ...


@dataclass
class RunState:
    """Mutable view of a run for the orchestrator (partial text on cancel)."""

    coalescers: list[TextCoalescer] = field(default_factory=list)
    transcript: str = ""
    inbox: list[dict[str, Any]] = field(default_factory=list)  # the user's hints for the next call

    @property
    def partial(self) -> str:
        current = self.coalescers[0].total if self.coalescers else ""
        return (self.transcript + current).strip()


class _Invalid(Exception):
    pass


def _parse_arguments(call: dict[str, Any]) -> dict[str, Any]:
    raw = call["function"].get("arguments") or "{}"
    try:
        args = json.loads(raw, strict=False)
    except json.JSONDecodeError as exc:
        raise _Invalid(f"The arguments of `{call['function']['name']}` are not valid JSON ({exc.msg}).") from None
    if not isinstance(args, dict):
        raise _Invalid(f"The arguments of `{call['function']['name']}` must be a JSON object.")
    return args


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
) -> Decision:
    """Run until a valid decision; raises AgentDropped when the agent cannot go on."""
    messages = list(messages)
    workflow = protocol.workflow_tools(vote_ids, can_answer)
    allowed = [t["function"]["name"] for t in workflow]
    extra = tools.specs() if tools else []
    failures = 0
    tool_calls_made = 0
    while True:
        offered = workflow + (extra if tool_calls_made < orchestrator.max_tool_calls_per_run else [])
        if state.inbox:  # hints sent during this run go into its next model call
            messages.extend(state.inbox)
            state.inbox.clear()
        try:
            reply = await stream_completion(
                agent=agent,
                messages=messages,
                tools=offered,
                orchestrator=orchestrator,
                emit=emit,
                phase="coordination",
                on_retry=lambda n: on_restart_attempt("retry", n + 1),
                coalescer_holder=state.coalescers,
            )
        except ProviderFailed as exc:
            raise AgentDropped("provider", str(exc)) from exc
        state.transcript += reply.text
        within_cap = tool_calls_made < orchestrator.max_tool_calls_per_run  # past it, tool calls are invalid output
        if tools and within_cap and reply.tool_calls and all(tools.handles(c["function"]["name"]) for c in reply.tool_calls):
            tool_calls_made += await run_tool_calls(tools, reply, messages)
            continue
        try:
            return validate_workflow_call(reply.tool_calls, vote_ids, can_answer)
        except _Invalid as exc:
            failures += 1
            problem = protocol.enforcement_message(str(exc), allowed)
            emit(AgentError(agent=agent.id, error=str(exc), fatal=False, kind="enforcement"))
            if failures >= orchestrator.max_attempts:
                raise AgentDropped("enforcement", f"no valid workflow call after {failures} attempts: {exc}") from None
            messages.append(_assistant_message(reply))
            if reply.tool_calls:
                for call in reply.tool_calls:
                    messages.append({"role": "tool", "tool_call_id": call["id"], "content": f"Error: {problem}"})
            else:
                messages.append({"role": "user", "content": problem})
            on_restart_attempt("enforce", failures + 1)
