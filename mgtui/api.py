"""The Python API: run the team as if it were one model.

    import mgtui
    result = mgtui.run("What is 2+2?", models=["openai/gpt-4o-mini", "anthropic/claude-haiku-4-5"])
    print(result.final_answer)

    async with mgtui.Session("@local") as team:          # multi-turn
        async for event in team.stream("Plan a trip"):   # typed engine events
            ...
        print(team.last_result.final_answer)
        again = await team.ask("Make it cheaper")

Every run writes the usual session log (`<log_dir>/<session-id>/events.jsonl`).
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

from mgtui.api_inputs import ConfigSpec, HistorySpec, ModelSpec, load_team, normalize_history
from mgtui.config.loader import LoadedConfig
from mgtui.engine.events import AnyEvent
from mgtui.engine.session import Session as EngineSession
from mgtui.engine.session import TurnResult

Result = TurnResult
"""One turn's outcome (`final_answer, winner, votes, answers, session_id, log_dir, status, usage,
turn, error, partial, files_written, dropped`, `ok`, `total_usage`): the engine's own result,
read from the turn's events (`mgtui/engine/turn_state.py`)."""


class Session:
    """A multi-turn conversation with one team; each `ask` sees the earlier turns' answers."""

    def __init__(
        self,
        config: ConfigSpec = None,
        *,
        models: Sequence[ModelSpec] | None = None,
        history: HistorySpec = None,
        log_dir: str | Path | None = None,
        session_id: str | None = None,
    ) -> None:
        self._engine = EngineSession(load_team(config, models), log_root=log_dir, session_id=session_id, sink=self._on_event)
        self._engine.history = normalize_history(history)
        self._listeners: list[Callable[[AnyEvent], None]] = []
        self.last_result: Result | None = None

    @property
    def id(self) -> str:
        return self._engine.id

    @property
    def log_dir(self) -> str:
        return str(self._engine.dir)

    @property
    def history(self) -> list[tuple[str, str]]:
        return list(self._engine.history)

    @property
    def config(self) -> LoadedConfig:
        return self._engine.loaded

    def redact(self, text: str) -> str:
        """`text` with every secret the session knows masked, as the log writes it."""
        return self._engine.redact(text)

    def _on_event(self, event: AnyEvent) -> None:
        for listener in list(self._listeners):
            listener(event)

    async def ask(self, question: str) -> Result:
        """Run one turn and return its result (the log is written as it happens)."""
        self.last_result = await self._engine.ask(question)
        return self.last_result

    async def stream(self, question: str) -> AsyncIterator[AnyEvent]:
        """Run one turn, yielding its typed events; the last one is `turn_finished`.

        Closing the iterator early (`contextlib.aclosing`, or when it is garbage collected)
        cancels the turn. `last_result` holds the result afterwards.
        """
        loop = asyncio.get_running_loop()
        loop_thread = threading.get_ident()
        queue: asyncio.Queue[AnyEvent] = asyncio.Queue()

        def listener(event: AnyEvent) -> None:
            if threading.get_ident() == loop_thread:
                queue.put_nowait(event)  # in order, and queued before the turn task can finish
            else:
                loop.call_soon_threadsafe(queue.put_nowait, event)

        self._listeners.append(listener)
        task = asyncio.create_task(self.ask(question))
        try:
            while True:
                if queue.empty() and task.done():
                    task.result()  # re-raises what stopped the turn before it finished
                    return
                getter = asyncio.ensure_future(queue.get())
                await asyncio.wait({getter, task}, return_when=asyncio.FIRST_COMPLETED)
                if not getter.done():
                    getter.cancel()
                    continue
                event = getter.result()
                yield event
                if event.type == "turn_finished":
                    await task
                    return
        finally:
            self._listeners.remove(listener)
            await self.stop(task)

    def cancel(self) -> bool:
        """Cancel the running turn (partial answers are kept); False if none runs (yet)."""
        return self._engine.cancel()

    async def stop(self, turn: asyncio.Task[Any]) -> None:
        """Cancel the turn running in the task `turn` (from `ask`) at whatever stage, and wait."""
        if turn.done():
            return
        if not self.cancel():
            turn.cancel()  # still starting (LiteLLM import): there is no orchestrator to tell yet
        await asyncio.gather(turn, return_exceptions=True)

    def close(self) -> None:
        self._engine.close()

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


async def arun(
    question: str,
    *,
    config: ConfigSpec = None,
    models: Sequence[ModelSpec] | None = None,
    history: HistorySpec = None,
    log_dir: str | Path | None = None,
) -> Result:
    """Ask the team one question. `config`: path, `@NAME`, dict or MgtuiConfig (default:
    discovery); `models`: one agent per model string (replacing the config's agents);
    `history`: earlier (question, answer) pairs or OpenAI-style messages."""
    with Session(config, models=models, history=history, log_dir=log_dir) as session:
        return await session.ask(question)


def run(
    question: str,
    *,
    config: ConfigSpec = None,
    models: Sequence[ModelSpec] | None = None,
    history: HistorySpec = None,
    log_dir: str | Path | None = None,
) -> Result:
    """`arun` for synchronous callers (any thread without a running event loop)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(arun(question, config=config, models=models, history=history, log_dir=log_dir))
    raise RuntimeError("mgtui.run() cannot block inside a running event loop; use `await mgtui.arun(...)` there")


_PIECE = re.compile(r"\S+\s*|\s+")


def answer_chunks(text: str, size: int = 48) -> list[str]:
    """The final answer cut at word boundaries into pieces of about `size` characters,
    for streaming it to clients that expect deltas."""
    chunks: list[str] = []
    current = ""
    for piece in _PIECE.findall(text):
        if current and len(current) + len(piece) > size:
            chunks.append(current)
            current = ""
        current += piece
    if current:
        chunks.append(current)
    return chunks
