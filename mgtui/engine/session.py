"""A multi-turn session: history, the session log, and resume from an existing log."""

from __future__ import annotations

import asyncio
import inspect
import os
import re
import secrets as _secrets
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from mgtui.config.loader import LoadedConfig
from mgtui.config.models import ContextPath
from mgtui.engine import reducer_check
from mgtui.engine.events import SessionStarted, TextDelta, TurnFinished, TurnStarted, WritesDecided, WritesProposed
from mgtui.engine.human import HumanAction
from mgtui.engine.logwriter import Redactor, SessionLog, StreamRedactor, redact_config, url_passwords
from mgtui.engine.orchestrator import Orchestrator, ToolFactory, TurnOutcome
from mgtui.engine.turn_lock import SessionBusy, TurnLock, print_to_stderr  # noqa: F401 - SessionBusy: for callers
from mgtui.engine.turn_state import TurnState, fold_log
from mgtui.providers.litellm_access import ensure_providers, get_litellm
from mgtui.tools.factory import SessionTools, build_tool_factory
from mgtui.tools.staged_writes import StagedWrites

Sink = Callable[[Any], Any]
# Gets each event as the log wrote it: one redacted JSON line with its newline (the engine pipe).
LineSink = Callable[[str], None]
DEFAULT_LOG_ROOT = Path(".mgtui") / "logs"


@dataclass
class TurnResult:
    """One turn's outcome, read from the turn's `TurnState` (the API's `mgtui.Result` too).
    `final_answer` is None when no agent could finish (see `status`, `error`)."""

    final_answer: str | None
    winner: str | None  # config id of the winning agent
    votes: list[dict[str, str]]  # [{"agent", "target", "label", "reason"}] standing at the end
    answers: dict[str, str]  # config id -> latest answer
    session_id: str
    log_dir: str  # the session folder holding events.jsonl
    status: str  # ok | timeout | cancelled | failed
    usage: dict[str, dict[str, int]]  # config id -> {"prompt_tokens", "completion_tokens"}
    turn: int = 0
    error: str | None = None
    partial: dict[str, str] = field(default_factory=dict)  # unfinished text of agents cut off
    files_written: list[str] = field(default_factory=list)  # by the final presenter's tools
    dropped: list[dict[str, str]] = field(default_factory=list)  # [{agent, reason}]: who left the turn and why

    @classmethod
    def from_state(cls, state: TurnState, session_id: str, log_dir: str) -> TurnResult:
        return cls(
            final_answer=state.final_answer,
            winner=state.winner,
            votes=state.vote_rows(),
            answers=state.latest_answers(),
            session_id=session_id,
            log_dir=log_dir,
            status=state.status,
            usage={agent: dict(counts) for agent, counts in state.usage.items()},
            turn=state.turn,
            error=state.error,
            partial=dict(state.partial),
            files_written=list(state.files_written),
            dropped=state.drop_rows(),
        )

    @property
    def ok(self) -> bool:
        return self.final_answer is not None

    @property
    def total_usage(self) -> dict[str, int]:
        """The whole team's tokens, as one model's usage would read."""
        prompt = sum(u.get("prompt_tokens", 0) for u in self.usage.values())
        completion = sum(u.get("completion_tokens", 0) for u in self.usage.values())
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def new_session_id() -> str:
    return f"{datetime.now():%Y%m%d-%H%M%S}-{_secrets.token_hex(3)}"


_SECRET_ENV = re.compile(r"(API_KEY|_TOKEN|SECRET|PASSWORD|_KEY)$")


def _literal_secrets(loaded: LoadedConfig) -> set[str]:
    """Everything that must never be logged or shown: ${VAR} values, literal api keys and
    MCP env/header values, and key-like environment variables LiteLLM may read by itself."""
    found = set(loaded.secrets)
    for agent in loaded.config.agents:
        if agent.api_key:
            found.add(agent.api_key)
        found.update(url_passwords(agent.api_base or ""))
        for server in agent.mcp_servers:
            found.update(v for v in (*server.env.values(), *server.headers.values()) if len(v) >= 8)
    found.update(v for k, v in os.environ.items() if _SECRET_ENV.search(k.upper()) and len(v) >= 8)
    return found


class Session:
    def __init__(
        self,
        loaded: LoadedConfig,
        log_root: str | Path | None = None,
        session_id: str | None = None,
        sink: Sink | None = None,
        tool_factory: ToolFactory | None = None,
        line_sink: LineSink | None = None,
    ) -> None:
        self.loaded = loaded
        root = log_root or loaded.config.orchestrator.log_dir or DEFAULT_LOG_ROOT
        self.id = session_id or new_session_id()
        self.dir = Path(root) / self.id
        self.history: list[tuple[str, str]] = []
        self.turn = 0
        self._sinks: list[Sink] = [sink] if sink else []
        self._line_sinks: list[LineSink] = [line_sink] if line_sink else []
        self.turn_context_paths: list[ContextPath] = []  # `@path` / `@path:w` of the running turn
        # Without an explicit factory the session builds its own from the config (MCP, files, custom tools).
        self._auto_tools = tool_factory is None
        self._background: set[asyncio.Future[Any]] = set()  # sink and shutdown tasks, referenced until done
        self._tool_factory: ToolFactory | None = tool_factory if tool_factory is not None else build_tool_factory(loaded, self)
        self._redact = Redactor(_literal_secrets(loaded))
        self._streams = StreamRedactor(self._redact)  # keys split across text deltas
        self._log: SessionLog | None = None
        self._orchestrator: Orchestrator | None = None
        self._starting = False  # ask() is importing LiteLLM / starting tools (seconds)
        self._cancel_pending = False  # cancel() came while starting: applies once the turn exists
        self._announced = False
        self._resumed = False
        # The TUI reviews the presenter's writes to the user's files before they happen.
        self.review_writes = False
        self.staged_writes = StagedWrites()
        self._turn_lock = TurnLock(self.dir)
        self._log_seen = 0  # size of events.jsonl as this process last knew it
        # Told once when another process holds the session's turn lock (the service sends it to the UI).
        self.on_busy: Callable[[str], None] = print_to_stderr
        # The running (or last) turn folded from the events as emitted: the turn's result is read from it.
        self.turn_state: TurnState | None = None
        self._check_reducer = reducer_check.enabled()

    # events -------------------------------------------------------------------
    def add_sink(self, sink: Sink) -> None:
        self._sinks.append(sink)

    def add_line_sink(self, sink: LineSink) -> None:
        """`sink(line)` for each event: the log's own redacted line, not serialised again."""
        self._line_sinks.append(sink)

    def emit(self, event: Any) -> None:
        event.session = self.id
        if not isinstance(event, SessionStarted):
            event.turn = self.turn
        if isinstance(event, TurnStarted):
            event.pid = os.getpid()  # lets `logs list` tell a killed turn from a running one
        for ready in self._release(event):
            self._dispatch(ready)

    def _release(self, event: Any) -> list[Any]:
        """Text deltas pass through the stream redactor; any other event of an agent (or of the
        turn) first releases what that agent's streams held back, so order and text are kept."""
        agent = getattr(event, "agent", None)
        phase = getattr(event, "phase", None) if isinstance(event, TextDelta) else None
        out: list[Any] = []
        for key in self._streams.pending_keys():
            if (agent is None or key[0] == agent) and key != (agent, phase):
                tail = self._streams.flush(key)
                if tail:
                    out.append(TextDelta(agent=key[0], delta=tail, phase=key[1], session=self.id, turn=event.turn))
        if isinstance(event, TextDelta):
            event.delta = self._streams.feed((event.agent, event.phase), event.delta)
            if not event.delta:
                return out  # wholly held back: it may be the start of a key
        out.append(event)
        return out

    def _release_all(self) -> None:
        """Write what the streams still hold (a turn that ended without turn_finished)."""
        for agent, phase in self._streams.pending_keys():
            tail = self._streams.flush((agent, phase))
            if tail:
                self._dispatch(TextDelta(agent=agent, delta=tail, phase=phase, session=self.id, turn=self.turn))

    def _dispatch(self, event: Any) -> None:
        if self._log is None:
            self._log = SessionLog(self.dir, self._redact)
        line, event = self._log.write(event)  # serialised and redacted once, before anyone else sees it
        self._fold(event)
        for line_sink in self._line_sinks:
            line_sink(line)
        for sink in self._sinks:
            result = sink(event)
            if inspect.isawaitable(result):
                task = asyncio.ensure_future(result)
                self._background.add(task)  # an unreferenced task may be collected before it runs
                task.add_done_callback(self._background.discard)

    def _fold(self, event: Any) -> None:
        if isinstance(event, TurnStarted):
            self.turn_state = TurnState(models={a.id: a.model for a in self.loaded.config.agents})
        if self.turn_state is None:
            return
        self.turn_state.apply(event)
        if self._check_reducer and self._orchestrator is not None:
            reducer_check.after_event(self.turn_state, event, self._orchestrator.book, self._redact)

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

    async def ask(
        self,
        question: str,
        context_paths: Sequence[ContextPath | dict[str, Any]] | None = None,
        *,
        typed: str | None = None,
        attachments: Sequence[dict[str, Any]] = (),
    ) -> TurnResult:
        """Run one turn; `context_paths` (from `@path` / `@path:w`) are added for this turn only."""
        if self._orchestrator is not None or self._starting:
            raise RuntimeError("a turn is already running in this session")
        self._starting, self._cancel_pending = True, False
        try:
            self.turn_context_paths = [p if isinstance(p, ContextPath) else ContextPath.model_validate(p) for p in context_paths or ()]
            await self.prepare()
            await self._prepare_tools()
            await self._lock_turn()
        except BaseException:
            self._turn_lock.release()
            raise
        finally:
            self._starting = False
        try:
            return await self._ask_locked(question, typed, attachments)
        finally:
            self._log_seen = self._log_size()  # what this process has read or written itself
            self._turn_lock.release()

    async def _lock_turn(self) -> None:
        """Wait for the session's turn lock, then catch up with turns another process added."""
        wait = self.loaded.config.orchestrator.turn_timeout_seconds + 60
        await self._turn_lock.acquire(wait, self.on_busy, lambda: self._cancel_pending)
        if self._log_size() == self._log_seen:
            return  # nobody else wrote to this session (the common case: no re-read)
        history, turn = history_from_log(self.dir / "events.jsonl")
        if turn > self.turn:
            self.history, self.turn = history, turn
            if self._log is not None:
                self._log.reload_index()

    def _log_size(self) -> int:
        try:
            return (self.dir / "events.jsonl").stat().st_size
        except OSError:
            return 0

    async def _ask_locked(self, question: str, typed: str | None = None, attachments: Sequence[dict[str, Any]] = ()) -> TurnResult:
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
        self.staged_writes = StagedWrites()  # proposals not decided by now are dropped
        problem = _not_utf8(question)
        if problem:  # bytes argv could not decode (surrogate escapes): no model sees it, the log says why
            shown = typed if typed is not None else question
            self.emit(TurnStarted(question=_repaired(shown), history_len=len(self.history), attachments=[dict(a) for a in attachments]))
            self.emit(TurnFinished(status="failed", error=problem))
            return self._result()
        orchestrator = Orchestrator(config, self.emit, self.history, self._tool_factory)
        self._orchestrator = orchestrator
        if typed is not None:  # the log keeps the question as typed, the attachments apart
            orchestrator.typed_question, orchestrator.attachments = typed, [dict(a) for a in attachments]
        if self._cancel_pending:
            orchestrator.cancel()
        try:
            outcome = await orchestrator.run_turn(question)
            if self._check_reducer:
                self._check_turn(orchestrator, outcome)
        except reducer_check.ReducerMismatch:
            raise  # the readers' reducer drifted from the engine: a bug to see, not a failed turn
        except Exception as exc:  # a bug in the turn: log it as a failed turn, keep the session usable
            error = f"{type(exc).__name__}: {exc}"
            self.emit(TurnFinished(status="failed", usage=orchestrator.usage, error=error))
            outcome = TurnOutcome("failed", None, None, [], {}, orchestrator.usage, error=error)
        finally:
            self._orchestrator = None
        if self.staged_writes.files:
            self.emit(WritesProposed(files=await asyncio.to_thread(self.staged_writes.proposals)))
        if outcome.final_answer:
            self.history.append((question, outcome.final_answer))
        elif outcome.answers or outcome.partial:
            self.history.append((question, _unfinished_summary(outcome.status, outcome.answers, outcome.partial)))
        return self._result()

    def _result(self) -> TurnResult:
        state = self.turn_state if self.turn_state is not None and self.turn_state.turn == self.turn else TurnState(turn=self.turn)
        return TurnResult.from_state(state, self.id, str(self.dir))

    def _check_turn(self, orchestrator: Orchestrator, outcome: TurnOutcome) -> None:
        """MGTUI_CHECK_REDUCER: the turn as folded from its events is the engine's turn."""
        assert self.turn_state is not None
        where = f"turn {self.turn} end"
        reducer_check.check_ledger(self.turn_state, orchestrator.book, self._redact, where)
        engine = {
            "final_answer": outcome.final_answer,
            "winner": outcome.winner,
            "votes": [{"agent": v.voter, "target": v.target, "label": v.label, "reason": v.reason} for v in outcome.votes],
            "answers": outcome.answers,
            "status": outcome.status,
            "usage": outcome.usage,
            "error": outcome.error,
            "partial": outcome.partial,
            "dropped": outcome.dropped,
            "files_written": outcome.files_written if outcome.status == "ok" else [],  # only a presented answer lists them
        }
        mine = TurnResult.from_state(self.turn_state, self.id, str(self.dir)).to_dict()
        if outcome.status != "ok":
            mine["files_written"] = []
        reducer_check.check_result({k: mine[k] for k in engine}, engine, self._redact, where)

    async def _prepare_tools(self) -> None:
        """Build the session's tools when this turn first needs them; start MCP servers once."""
        if self._auto_tools and self._tool_factory is None and self.turn_context_paths:
            self._tool_factory = build_tool_factory(self.loaded, self, self.turn_context_paths)
        if isinstance(self._tool_factory, SessionTools):
            await self._tool_factory.start()

    def cancel(self) -> bool:
        """Cancel the running turn (partial answers are kept); False if none runs."""
        if self._orchestrator is None:
            self._cancel_pending = self._starting
            return self._starting
        self._orchestrator.cancel()
        return True

    async def apply_writes(self, accept: Sequence[str]) -> tuple[list[str], list[str]]:
        """Write the accepted proposed files, drop the others; emits `writes_decided`."""
        applied, rejected = await asyncio.to_thread(self.staged_writes.apply, list(accept))
        if applied or rejected:
            self.emit(WritesDecided(applied=applied, rejected=rejected))
        return applied, rejected

    # the person in the turn (engine/human.py) ---------------------------------------
    def _human(self, action: HumanAction) -> bool:
        if self._orchestrator is None:
            return False
        self._orchestrator.human(action)
        return True

    def hint(self, text: str, to: Sequence[str] | str | None = None) -> bool:
        """Steer the running turn: every agent still working (or only `to`, config ids) gets
        `text` in its next model call. False when no turn is running."""
        recipients = (to,) if isinstance(to, str) else (tuple(to) if to else None)
        return self._human(HumanAction("hint", text=text, to=recipients))

    def human_vote(self, target: str, reason: str = "") -> bool:
        """Cast (or move) the person's vote; counted when `orchestrator.human` is `voter`."""
        return self._human(HumanAction("vote", agent=target, text=reason))

    def decide(self, winner: str) -> bool:
        """End the coordination now with `winner`'s latest answer; it presents the final answer."""
        return self._human(HumanAction("decide", agent=winner))

    def drop_agent(self, agent: str) -> bool:
        """Take `agent` out of the rest of this turn."""
        return self._human(HumanAction("drop", agent=agent))

    def restart_agent(self, agent: str) -> bool:
        """Start `agent`'s run again on the current answers."""
        return self._human(HumanAction("restart", agent=agent))

    def close(self) -> None:
        """Close the log; MCP servers are stopped in the background (`aclose` waits for them)."""
        self._release_all()
        if self._log is not None:
            self._log.close()
        if isinstance(self._tool_factory, SessionTools):
            self._stop_tools_later(self._tool_factory)

    async def aclose(self) -> None:
        """Stop the session's MCP servers, then close the log."""
        if isinstance(self._tool_factory, SessionTools):
            await self._tool_factory.aclose()
        self._release_all()
        if self._log is not None:
            self._log.close()

    def use_config(self, loaded: LoadedConfig) -> None:
        """Apply a new config from the next turn on (never mid-turn)."""
        self.loaded = loaded
        self._redact = Redactor(_literal_secrets(loaded) | self._redact.secrets)
        self._streams.redactor = self._redact
        if self._log is not None:
            self._log.set_redactor(self._redact)
        self._announced = False
        if self._auto_tools:
            self._retire_tools()
            self._tool_factory = build_tool_factory(loaded, self)

    def _retire_tools(self) -> None:
        """Stop the old config's tools in the background and drop their event sink."""
        old = self._tool_factory
        if isinstance(old, SessionTools):
            self._sinks.remove(old.on_event)
            self._stop_tools_later(old)

    def _stop_tools_later(self, tools: SessionTools) -> None:
        try:
            task = asyncio.get_running_loop().create_task(tools.aclose())
        except RuntimeError:
            return  # no loop: servers only ever run inside one, and die with the process
        self._background.add(task)  # keep a reference until it is done
        task.add_done_callback(self._background.discard)

    # resume -------------------------------------------------------------------
    @classmethod
    def resume(cls, session_dir: str | Path, loaded: LoadedConfig, sink: Sink | None = None, tool_factory: ToolFactory | None = None,
               line_sink: LineSink | None = None) -> Session:
        folder = Path(session_dir)
        session = cls(loaded, log_root=folder.parent, session_id=folder.name, sink=sink, tool_factory=tool_factory, line_sink=line_sink)
        session._log_seen = session._log_size()
        session.history, session.turn = history_from_log(folder / "events.jsonl")
        session._resumed = True
        return session


def _not_utf8(text: str) -> str | None:
    """Why `text` cannot be sent or logged (lone surrogates, e.g. from undecodable argv bytes)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        char = text[exc.start]
        shown = f"byte 0x{ord(char) - 0xDC00:02x}" if 0xDC80 <= ord(char) <= 0xDCFF else f"U+{ord(char):04X}"
        return f"the question is not valid UTF-8 text ({shown} at character {exc.start + 1}); nothing was sent to the models"
    return None


def _repaired(text: str) -> str:
    return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)


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
    turns = fold_log(path)  # a line cut off by a killed process is skipped
    for state in turns:
        if not state.finished:
            continue  # interrupted: nothing the next turn can build on
        if state.final_answer:
            history.append((state.question, state.final_answer))
        elif state.answers or state.partial:
            history.append((state.question, _unfinished_summary(state.status, state.latest_answers(), state.partial)))
    return history, max((t.turn for t in turns), default=0)
