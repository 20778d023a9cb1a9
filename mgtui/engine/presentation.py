"""The final presentation: the winner streams the final answer as plain text.

No workflow tools. When the presenter has ordinary tools for the "final" phase (e.g. a
`write` context path), it may call them first, through the same loop as `run_agent`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mgtui.config.models import AgentConfig, OrchestratorConfig
from mgtui.engine import protocol
from mgtui.engine.agent import ToolExecutor, run_tool_calls
from mgtui.engine.events import AgentError, AgentStarted
from mgtui.engine.streaming import Emit, ProviderFailed, StreamedReply, TextCoalescer, short_error, stream_completion

TOOLS_NOTE = (
    "You may first use your tools (for example to write files into the writable project paths); "
    "then reply with the final answer as text, mentioning any files you wrote."
)


@dataclass
class Presentation:
    content: str | None  # None: fall back to the winner's answer
    cancelled: bool = False
    timed_out: bool = False
    partial: str = ""
    files_written: list[str] = field(default_factory=list)


async def present_final_answer(
    *,
    agent: AgentConfig,
    settings: OrchestratorConfig,
    strategy: str,
    question: str,
    history: Sequence[tuple[str, str]],
    answers: dict[str, str],
    reasons: Sequence[str],
    emit: Emit,
    cancelled: Callable[[], bool],
    queue: asyncio.Queue[Any],
    deadline: float,
    tools: ToolExecutor | None = None,
    messages: list[dict[str, Any]] | None = None,
) -> Presentation:
    """`messages` replaces the usual presentation prompt (council's chairman brings its own)."""
    if messages is None:
        messages = protocol.presentation_messages(
            strategy=strategy,
            question=question,
            history=history,
            agent_system_message=agent.system_message,
            answers=answers,
            winner=agent.id,
            reasons=reasons,
        )
    else:
        messages = list(messages)
    assert messages is not None
    if tools is not None:
        messages[0] = {**messages[0], "content": messages[0]["content"] + "\n\n" + TOOLS_NOTE}
    holder: list[TextCoalescer] = []
    emit(AgentStarted(agent=agent.id, attempt=1, round=0, reason="present"))

    async def stream(offered: list[dict[str, Any]] | None) -> StreamedReply:
        return await stream_completion(
            agent=agent,
            messages=messages,
            tools=offered,
            orchestrator=settings,
            emit=emit,
            phase="final",
            on_retry=lambda n: emit(AgentStarted(agent=agent.id, attempt=n + 1, round=0, reason="retry")),
            coalescer_holder=holder,
        )

    async def present() -> StreamedReply:
        made, texts = 0, []
        while True:
            offered = tools.specs() if tools and made < settings.max_tool_calls_per_run else None
            reply = await stream(offered or None)
            texts.append(reply.text)
            if not (offered and reply.tool_calls):
                # The answer is the text after the last tool call; earlier text only if that is empty.
                reply.text = reply.text if reply.text.strip() else "\n\n".join(t.strip() for t in texts if t.strip())
                return reply
            made += await run_tool_calls(tools, reply, messages)  # type: ignore[arg-type]

    task = asyncio.create_task(present(), name=f"present-{agent.id}")

    def partial() -> str:
        return holder[0].total if holder else ""

    # Wait for the stream while still listening for a cancel on the orchestrator's queue.
    getter: asyncio.Future[Any] | None = None
    try:
        while not task.done():
            if cancelled():
                return Presentation(None, cancelled=True, partial=partial())
            getter = asyncio.ensure_future(queue.get())
            remaining = max(0.0, deadline - time.monotonic())
            done, _ = await asyncio.wait({task, getter}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
            if not done:
                emit(AgentError(agent=agent.id, error="turn timeout during the final presentation", fatal=False, kind="presentation"))
                return Presentation(None, timed_out=True, partial=partial())
    finally:
        # Whatever ends the wait (cancel, timeout, the turn itself cancelled), nothing is left running.
        for pending in (task, getter):
            if pending is not None and not pending.done():
                pending.cancel()
        await asyncio.gather(*(t for t in (task, getter) if t is not None), return_exceptions=True)
    try:
        reply = task.result()
    except Exception as exc:  # provider gave up, or a tool broke: the winning answer still stands
        reason = str(exc) if isinstance(exc, ProviderFailed) else short_error(exc)
        emit(AgentError(agent=agent.id, error=f"presentation failed, using the winning answer: {reason}", fatal=False, kind="presentation"))
        return Presentation(None)
    text = reply.text.strip()
    written = list(getattr(tools, "files_written", []))  # an optional extra of the executor
    return Presentation(text or None, files_written=written)
