"""A multi-turn session: history, the session log, and resume from an existing log."""

from __future__ import annotations

import asyncio
import inspect
import secrets as _secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from mgtui.config.loader import LoadedConfig
from mgtui.engine.events import SessionStarted, parse_event
from mgtui.engine.logwriter import Redactor, SessionLog, redact_config
from mgtui.engine.orchestrator import Orchestrator, ToolFactory
from mgtui.providers.litellm_access import ensure_providers, get_litellm

Sink = Callable[[Any], Any]
DEFAULT_LOG_ROOT = Path(".mgtui") / "logs"


@dataclass
class TurnResult:
    final_answer: str | None
    winner: str | None
    votes: list[dict[str, str]]
    answers: dict[str, str]
    session_id: str
    log_dir: str
    status: str
    usage: dict[str, dict[str, int]]
    turn: int = 0
    error: str | None = None
    partial: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def new_session_id() -> str:
    return f"{datetime.now():%Y%m%d-%H%M%S}-{_secrets.token_hex(3)}"


def _literal_secrets(loaded: LoadedConfig) -> set[str]:
    """api keys written literally in the config are secrets too."""
    found = set(loaded.secrets)
    for agent in loaded.config.agents:
        if agent.api_key:
            found.add(agent.api_key)
    return found


class Session:
    def __init__(
        self,
        loaded: LoadedConfig,
        log_root: str | Path | None = None,
        session_id: str | None = None,
        sink: Sink | None = None,
        tool_factory: ToolFactory | None = None,
    ) -> None:
        self.loaded = loaded
        root = log_root or loaded.config.orchestrator.log_dir or DEFAULT_LOG_ROOT
        self.id = session_id or new_session_id()
        self.dir = Path(root) / self.id
        self.history: list[tuple[str, str]] = []
        self.turn = 0
        self._sinks: list[Sink] = [sink] if sink else []
        self._tool_factory = tool_factory
        self._redact = Redactor(_literal_secrets(loaded))
        self._log: SessionLog | None = None
        self._orchestrator: Orchestrator | None = None
        self._announced = False
        self._resumed = False

    # events -------------------------------------------------------------------
    def add_sink(self, sink: Sink) -> None:
        self._sinks.append(sink)

    def emit(self, event: Any) -> None:
        event.session = self.id
        if not isinstance(event, SessionStarted):
            event.turn = self.turn
        if self._log is None:
            self._log = SessionLog(self.dir, self._redact)
        self._log.write(event)
        for sink in self._sinks:
            result = sink(event)
            if inspect.isawaitable(result):
                asyncio.ensure_future(result)

    def redact(self, text: str) -> str:
        return self._redact(text)

    # turns --------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._orchestrator is not None

    async def prepare(self) -> None:
        """Import LiteLLM and register providers off the event loop (it takes seconds)."""
        await asyncio.to_thread(get_litellm)
        await asyncio.to_thread(ensure_providers, [a.model for a in self.loaded.config.agents])

    async def ask(self, question: str) -> TurnResult:
        if self._orchestrator is not None:
            raise RuntimeError("a turn is already running in this session")
        await self.prepare()
        config = self.loaded.config
        if not self._announced:
            self.emit(
                SessionStarted(
                    config=redact_config(self.loaded.raw or config.model_dump(exclude_defaults=True)),
                    agents=[{"id": a.id, "model": a.model} for a in config.agents],
                    config_path=self.loaded.path,
                    resumed=self._resumed,
                )
            )
            self._announced = True
        self.turn += 1
        orchestrator = Orchestrator(config, self.emit, self.history, self._tool_factory)
        self._orchestrator = orchestrator
        try:
            outcome = await orchestrator.run_turn(question)
        finally:
            self._orchestrator = None
        if outcome.final_answer:
            self.history.append((question, outcome.final_answer))
        elif outcome.answers or outcome.partial:
            self.history.append((question, _unfinished_summary(outcome.status, outcome.answers, outcome.partial)))
        return TurnResult(
            final_answer=outcome.final_answer,
            winner=outcome.winner,
            votes=[{"agent": v.voter, "target": v.target, "label": v.label, "reason": v.reason} for v in outcome.votes],
            answers=outcome.answers,
            session_id=self.id,
            log_dir=str(self.dir),
            status=outcome.status,
            usage=outcome.usage,
            turn=self.turn,
            error=outcome.error,
            partial=outcome.partial,
        )

    def cancel(self) -> bool:
        """Cancel the running turn (partial answers are kept); False if none runs."""
        if self._orchestrator is None:
            return False
        self._orchestrator.cancel()
        return True

    def close(self) -> None:
        if self._log is not None:
            self._log.close()

    def use_config(self, loaded: LoadedConfig) -> None:
        """Apply a new config from the next turn on (never mid-turn)."""
        self.loaded = loaded
        self._redact = Redactor(_literal_secrets(loaded) | set(self._redact._secrets))
        if self._log is not None:
            self._log._redact = self._redact
        self._announced = False

    # resume -------------------------------------------------------------------
    @classmethod
    def resume(cls, session_dir: str | Path, loaded: LoadedConfig, sink: Sink | None = None, tool_factory: ToolFactory | None = None) -> Session:
        folder = Path(session_dir)
        session = cls(loaded, log_root=folder.parent, session_id=folder.name, sink=sink, tool_factory=tool_factory)
        session.history, session.turn = history_from_log(folder / "events.jsonl")
        session._resumed = True
        return session


def _unfinished_summary(status: str, answers: dict[str, str], partial: dict[str, str]) -> str:
    """What the next turn learns of a turn that did not finish (cancelled, failed)."""
    parts = [f"[{status.upper()} turn: no final answer]"]
    for agent, text in answers.items():
        parts.append(f"{agent}'s latest answer: {text}")
    for agent, text in partial.items():
        if agent not in answers:
            parts.append(f"{agent}'s unfinished answer: {text[:2000]}")
    return "\n\n".join(parts)


def history_from_log(path: Path) -> tuple[list[tuple[str, str]], int]:
    """Rebuild (question, final answer) pairs and the last turn number from events.jsonl."""
    history: list[tuple[str, str]] = []
    questions: dict[int, str] = {}
    answers: dict[int, dict[str, str]] = {}
    last_turn = 0
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return history, 0
    for line in lines:
        try:
            event = parse_event(line)
        except ValueError:
            continue  # a line cut off by a killed process
        last_turn = max(last_turn, event.turn)
        if event.type == "turn_started":
            questions[event.turn] = event.question  # type: ignore[attr-defined]
        elif event.type == "answer":
            answers.setdefault(event.turn, {})[event.agent] = event.content  # type: ignore[attr-defined]
        elif event.type == "turn_finished" and event.turn in questions:
            final = event.final_answer  # type: ignore[attr-defined]
            if final:
                history.append((questions[event.turn], final))
            elif answers.get(event.turn) or event.partial:  # type: ignore[attr-defined]
                history.append((questions[event.turn], _unfinished_summary(event.status, answers.get(event.turn, {}), event.partial)))  # type: ignore[attr-defined]
    return history, last_turn
