"""The final presentation: the winner streams the final answer as plain text (no tools)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mgtui.config.models import AgentConfig, OrchestratorConfig
from mgtui.engine import protocol
from mgtui.engine.events import AgentError, AgentStarted
from mgtui.engine.streaming import Emit, ProviderFailed, TextCoalescer, stream_completion


@dataclass
class Presentation:
    content: str | None  # None: fall back to the winner's answer
    cancelled: bool = False
    timed_out: bool = False
    partial: str = ""


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
) -> Presentation:
    messages = protocol.presentation_messages(
        strategy=strategy,
        question=question,
        history=history,
        agent_system_message=agent.system_message,
        answers=answers,
        winner=agent.id,
        reasons=reasons,
    )
    holder: list[TextCoalescer] = []
    emit(AgentStarted(agent=agent.id, attempt=1, round=0, reason="present"))
    task = asyncio.create_task(
        stream_completion(
            agent=agent,
            messages=messages,
            tools=None,
            orchestrator=settings,
            emit=emit,
            phase="final",
            on_retry=lambda n: emit(AgentStarted(agent=agent.id, attempt=n + 1, round=0, reason="retry")),
            coalescer_holder=holder,
        ),
        name=f"present-{agent.id}",
    )

    def partial() -> str:
        return holder[0].total if holder else ""

    # Wait for the stream while still listening for a cancel on the orchestrator's queue.
    while not task.done():
        if cancelled():
            task.cancel()
            return Presentation(None, cancelled=True, partial=partial())
        getter = asyncio.ensure_future(queue.get())
        remaining = max(0.0, deadline - time.monotonic())
        done, _ = await asyncio.wait({task, getter}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
        if getter not in done:
            getter.cancel()
        if not done:
            task.cancel()
            emit(AgentError(agent=agent.id, error="turn timeout during the final presentation", fatal=False, kind="presentation"))
            return Presentation(None, timed_out=True, partial=partial())
    try:
        reply = task.result()
    except ProviderFailed as exc:
        emit(AgentError(agent=agent.id, error=f"presentation failed, using the winning answer: {exc}", fatal=False, kind="presentation"))
        return Presentation(None)
    text = reply.text.strip()
    return Presentation(text or None)
