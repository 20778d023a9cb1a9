"""Runs one turn of the protocol (architecture.md §3): parallel agents, answers, votes,
invalidation, consensus, limits, cancellation and the final presentation."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from mgtui.config.models import AgentConfig, MgtuiConfig
from mgtui.engine import protocol, visibility
from mgtui.engine.agent import AgentDropped, Decision, RunState, ToolExecutor, run_agent
from mgtui.engine.consensus import ConsensusLedger, Outcome, StandingVote
from mgtui.engine.events import (
    AgentError,
    AgentStarted,
    AgentStopped,
    AnswerPosted,
    Consensus,
    FinalAnswer,
    FinalStarted,
    RunReason,
    TurnFinished,
    TurnStarted,
    Usage,
    VoteCast,
    VoteIgnored,
    VotesReset,
    run_text,
)
from mgtui.engine.hints import TurnHints
from mgtui.engine.human import HumanAction, apply_human_action, unread_hint
from mgtui.engine.presentation import present_final_answer
from mgtui.engine.streaming import Emit, short_error
from mgtui.providers.litellm_access import missing_credentials

ToolFactory = Callable[[AgentConfig, str], ToolExecutor | None]  # (agent, phase) -> tools


@dataclass
class AgentSlot:
    cfg: AgentConfig
    anon: str
    task: asyncio.Task[None] | None = None
    run_id: int = 0
    round: int = 0
    seen_version: int = -1
    pending: bool = False  # its run finished and the result waits in the queue
    state: RunState = field(default_factory=RunState)

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()


@dataclass
class TurnOutcome:
    status: str  # ok | timeout | cancelled | failed
    winner: str | None
    final_answer: str | None
    votes: list[StandingVote]
    answers: dict[str, str]
    usage: dict[str, dict[str, int]]
    partial: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    duration_s: float = 0.0
    files_written: list[str] = field(default_factory=list)
    dropped: list[dict[str, str]] = field(default_factory=list)  # [{agent, reason}]


_CANCEL = object()
# Deferred restarts wait while an answer an agent would see is being written (its run would be
# stale on arrival); they re-check this often, and wait no longer than the cap in all.
RESTART_RECHECK_SECONDS = 0.05
RESTART_WAIT_MAX_SECONDS = 5.0


class Orchestrator:
    """One turn. Create a new instance per turn; `cancel()` may be called from any task."""

    def __init__(
        self,
        config: MgtuiConfig,
        emit: Emit,
        history: Sequence[tuple[str, str]] = (),
        tool_factory: ToolFactory | None = None,
    ) -> None:
        self.config = config
        self.settings = config.orchestrator
        self.history = list(history)
        self._tool_factory = tool_factory
        self._emit_out = emit
        anon = protocol.anonymous_ids([a.id for a in config.agents])
        self.slots = {a.id: AgentSlot(a, anon[a.id]) for a in config.agents}
        self.by_anon = {s.anon: s.cfg.id for s in self.slots.values()}
        self.book = ConsensusLedger(order=[a.id for a in config.agents])
        self.version = 0  # bumps on every new answer: runs that saw an older version are stale
        self.usage: dict[str, dict[str, int]] = {a.id: {"prompt_tokens": 0, "completion_tokens": 0} for a in config.agents}
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._deferred: dict[str, tuple[RunReason, str | None]] = {}  # agent -> (reason, after_label) of its restart once the queue is drained
        self._deferred_since = 0.0  # when the oldest deferred restart was asked for
        self._stopping: set[asyncio.Task[None]] = set()  # cancelled runs still unwinding
        self._cancelled = False
        self.question = ""
        self.files_written: list[str] = []  # by the final presenter's tools
        self.dropped: list[dict[str, str]] = []  # [{agent, reason}] in the order they were dropped
        self.hints = TurnHints()  # the person's notes during this turn (engine/hints.py)
        self.typed_question: str | None = None  # as typed, when attachments were added to `question`
        self.attachments: list[dict[str, Any]] = []  # [{path, mode, bytes}] for turn_started

    # plumbing -----------------------------------------------------------------
    def emit(self, event: Any) -> None:
        if isinstance(event, Usage):
            bucket = self.usage.setdefault(event.agent, {"prompt_tokens": 0, "completion_tokens": 0})
            bucket["prompt_tokens"] += event.prompt_tokens
            bucket["completion_tokens"] += event.completion_tokens
        self._emit_out(event)

    def cancel(self) -> None:
        self._cancelled = True
        self._queue.put_nowait(_CANCEL)

    def human(self, action: HumanAction) -> None:
        """The person acts on the running turn (hint, vote, decide, drop, restart): queued, so it
        is handled between agent results (engine/human.py)."""
        self._queue.put_nowait(action)

    def deferred_agents(self) -> set[str]:
        return set(self._deferred)

    def restart_later(self, slot: AgentSlot, reason: RunReason) -> None:
        self._schedule_run(slot, reason)

    def cancel_run(self, slot: AgentSlot, why: str, *, restart: bool = False) -> None:
        """Stop a run and make any result it already queued stale."""
        self._stop(slot, why, restart=restart)
        self._deferred.pop(slot.cfg.id, None)
        slot.pending = False
        slot.run_id += 1

    def _seen_by(self, reader: str) -> set[str]:
        """Agents whose answers `reader` may read and vote for now (visibility)."""
        s = self.settings
        return visibility.visible_to(self.book.order, reader, s.visibility, s.visibility_k, visibility.leader(self.book.tally(), self.book.order))

    def _visible_answers(self, reader: str | None = None) -> list[protocol.VisibleAnswer]:
        """Answers `reader` may read and vote for (visibility), peers' bounded in length."""
        s = self.settings
        seen = self._seen_by(reader) if reader else None
        out = []
        for agent_id in self.book.agents_with_answers():
            if seen is not None and agent_id not in seen:
                continue
            slot = self.slots[agent_id]
            k = self.book.answer_count(agent_id)
            content = self.book.latest(agent_id) or ""
            if agent_id != reader:  # its own answer always whole
                content = visibility.bounded(content, s.max_answer_chars)
            out.append(protocol.VisibleAnswer(slot.anon, protocol.answer_label(slot.anon, k), content))
        return out

    def _stop(self, slot: AgentSlot, why: str, *, restart: bool = False) -> None:
        if slot.running:
            assert slot.task is not None
            slot.task.cancel()
            # The slot is free at once (its next run may start before this task has unwound);
            # the task is still awaited when the turn ends.
            self._stopping.add(slot.task)
            slot.task.add_done_callback(self._stopping.discard)
            slot.task = None
            self.emit(AgentStopped(agent=slot.cfg.id, why=why, restart=restart, partial=slot.state.partial))

    # runs ---------------------------------------------------------------------
    def _start_run(self, slot: AgentSlot, reason: RunReason, after_label: str | None = None) -> None:
        self._stop(slot, f"restarted: {run_text(reason, after_label)}", restart=True)
        slot.run_id += 1
        slot.round += 1
        slot.seen_version = self.version
        slot.state = RunState()
        answers = self._visible_answers(slot.cfg.id)
        vote_ids = [a.anon_id for a in answers]
        can_answer = self.book.answer_count(slot.cfg.id) < self.settings.max_new_answers_per_agent
        messages = [
            {"role": "system", "content": protocol.system_message(slot.cfg.system_message, not can_answer)},
            *protocol.history_messages(self.history),
            {"role": "user", "content": protocol.coordination_user_message(self.question, answers, slot.anon)},
            *self.hints.messages_for(slot.cfg.id),
        ]
        self.emit(AgentStarted(agent=slot.cfg.id, attempt=1, round=slot.round, reason=reason, after_label=after_label, vote_only=not can_answer))
        slot.task = asyncio.create_task(self._run(slot, slot.run_id, messages, vote_ids, can_answer), name=f"agent-{slot.cfg.id}")

    def _schedule_run(self, slot: AgentSlot, reason: RunReason, after_label: str | None = None) -> None:
        """Stop stale work now; start the new run once the queue is drained, so answers that
        arrive together cause one restart per agent instead of one per answer."""
        self._stop(slot, f"restarted: {run_text(reason, after_label)}", restart=True)
        if not self._deferred:
            self._deferred_since = time.monotonic()
        self._deferred[slot.cfg.id] = (reason, after_label)

    def _start_deferred(self) -> None:
        deferred, self._deferred = self._deferred, {}
        for agent_id in self.book.order:
            slot = self.slots[agent_id]
            if agent_id in deferred and agent_id in self.book.live and not slot.pending and not slot.running:
                self._start_run(slot, *deferred[agent_id])

    def _answer_coming(self) -> bool:
        """Whether a running agent is writing a new answer that a deferred agent would see:
        starting that agent now would only make a run that is stale when the answer lands."""
        writers = [s.cfg.id for s in self.slots.values() if s.running and s.state.drafting_answer]
        if not writers:
            return False
        if self.settings.visibility == "all":
            return True
        return any(w in self._seen_by(reader) for reader in self._deferred for w in writers)

    async def _next_result(self, deadline: float) -> Any:
        """The next queue item. Deferred restarts begin as soon as the queue is drained and no
        answer they would see is being written; raises TimeoutError at the turn deadline."""
        while self._deferred:
            if not self._queue.empty():
                return self._queue.get_nowait()
            waited = time.monotonic() - self._deferred_since
            if waited >= RESTART_WAIT_MAX_SECONDS or not self._answer_coming():
                self._start_deferred()
                break
            recheck = min(RESTART_RECHECK_SECONDS, max(0.0, deadline - time.monotonic()))
            try:
                return await asyncio.wait_for(self._queue.get(), timeout=recheck)
            except TimeoutError:
                if time.monotonic() >= deadline:
                    raise
        return await asyncio.wait_for(self._queue.get(), timeout=max(0.0, deadline - time.monotonic()))

    async def _run(self, slot: AgentSlot, run_id: int, messages: list[dict[str, Any]], vote_ids: list[str], can_answer: bool) -> None:
        def on_attempt(reason: str, attempt: int) -> None:
            self.emit(AgentStarted(agent=slot.cfg.id, attempt=attempt, round=slot.round, reason=cast(RunReason, reason), vote_only=not can_answer))

        result: Decision | AgentDropped
        try:
            tools = self._tool_factory(slot.cfg, "coordination") if self._tool_factory else None
            result = await run_agent(
                agent=slot.cfg,
                orchestrator=self.settings,
                messages=messages,
                vote_ids=vote_ids,
                can_answer=can_answer,
                emit=self.emit,
                state=slot.state,
                on_restart_attempt=on_attempt,
                tools=tools,
                has_answer=self.book.answer_count(slot.cfg.id) > 0,
            )
        except asyncio.CancelledError:
            return
        except AgentDropped as exc:
            result = exc
        except Exception as exc:  # a bug must drop one agent, not the turn
            result = AgentDropped("internal", short_error(exc))
        if run_id == slot.run_id:  # a replaced run that finished anyway must not hold the slot
            slot.pending = True
        self._queue.put_nowait((slot.cfg.id, run_id, result))

    # decisions ----------------------------------------------------------------
    def _on_answer(self, slot: AgentSlot, content: str, fallback: str | None = None) -> None:
        # Who can see this answer (and so has a vote and a run it makes stale): with `ring` /
        # `neighbours`, only the author's peers, those who voted for it, and everyone when the
        # author leads. The others keep their votes and runs: the answer is not in their view.
        author = slot.cfg.id
        concerned = {
            a for a in self.book.order
            if a != author and (author in self._seen_by(a) or getattr(self.book.votes.get(a), "target", None) == author)
        }
        unconcerned = [a for a in self.book.order if a != author and a not in concerned]
        k, cleared = self.book.add_answer(author, content, keep=unconcerned)
        self.version += 1
        for agent_id in unconcerned:  # their view did not change: their current run is not stale
            if self.slots[agent_id].seen_version == self.version - 1:
                self.slots[agent_id].seen_version = self.version
        label = protocol.answer_label(slot.anon, k)
        self.emit(AnswerPosted(agent=author, label=label, content=content, answer_index=k, fallback=fallback))  # type: ignore[arg-type]
        if cleared:
            self.emit(VotesReset(by=author, cleared=cleared))
        for other in self.slots.values():
            if other is slot or other.cfg.id not in self.book.live or other.cfg.id not in concerned:
                continue
            if other.pending:
                continue  # its finished result is handled next: answers count, stale votes restart it
            if other.running and self.book.answer_count(other.cfg.id) == 0:
                continue  # first answers are allowed to finish
            self._schedule_run(other, "restart", label)
        self._schedule_run(slot, "next")

    def _on_vote(self, slot: AgentSlot, decision: Decision) -> None:
        target = self.by_anon[decision.target_anon]
        if unread_hint(slot):
            self.emit(VoteIgnored(agent=slot.cfg.id, target=target, reason=decision.reason, why="a hint from the user arrived"))
            self._schedule_run(slot, "hint")
            return
        if slot.seen_version != self.version:
            self.emit(VoteIgnored(agent=slot.cfg.id, target=target, reason=decision.reason, why="answers changed since it started"))
            self._schedule_run(slot, "stale")
            return
        label = protocol.answer_label(decision.target_anon, self.book.answer_count(target))
        self.book.cast(StandingVote(slot.cfg.id, target, label, decision.reason))
        self.emit(VoteCast(agent=slot.cfg.id, target=target, label=label, reason=decision.reason, fallback=decision.fallback))  # type: ignore[arg-type]

    def _on_dropped(self, slot: AgentSlot, exc: AgentDropped) -> None:
        self.book.drop(slot.cfg.id)
        self.dropped.append({"agent": slot.cfg.id, "reason": str(exc)})
        self.emit(AgentError(agent=slot.cfg.id, error=str(exc), fatal=True, kind=exc.kind, detail=exc.detail))

    # the turn -----------------------------------------------------------------
    async def run_turn(self, question: str) -> TurnOutcome:
        try:
            return await self._turn(question)
        finally:
            await self._reap()

    async def _reap(self) -> None:
        """Cancel and await every agent task, however the turn ended (even if it was cancelled)."""
        tasks = [s.task for s in self.slots.values() if s.task is not None and not s.task.done()] + list(self._stopping)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _turn(self, question: str) -> TurnOutcome:
        self.question = question
        started = time.monotonic()
        self.emit(TurnStarted(question=self.typed_question or question, history_len=len(self.history),
                              anonymous_ids={k: s.anon for k, s in self.slots.items()}, attachments=self.attachments))
        council = None
        if self.settings.coordination == "council":
            from mgtui.engine.council import Council  # stages 1-2 live in their own module

            council = Council(self)
        for slot in self.slots.values():
            missing = missing_credentials(slot.cfg.model, slot.cfg.api_key, slot.cfg.api_base)
            if missing:
                needs = f"{slot.cfg.model} needs {' or '.join(missing)}"
                self._on_dropped(slot, AgentDropped("config", f"{needs}: set it in the environment or give api_key in the config"))
            elif council is None:
                self._start_run(slot, "start")
        if council is not None:
            status, outcome, error = await council.coordinate(started + self.settings.turn_timeout_seconds)
        else:
            status, outcome, error = await self._coordinate(started + self.settings.turn_timeout_seconds)
        partial: dict[str, str] = {}
        for slot in self.slots.values():
            if slot.running:
                if slot.state.partial:
                    partial[slot.cfg.id] = slot.state.partial
                self._stop(slot, {"ok": "consensus reached"}.get(status, status))
        final: str | None = None
        if outcome is not None:
            by = "human" if outcome.how == "human" else ("timeout" if status == "timeout" else "votes")
            if council is not None:
                event = council.consensus_event(outcome)
                event.by = by
                self.emit(event)
                presenter, messages = council.chairman(outcome), council.chairman_messages(outcome)
            else:
                self.emit(Consensus(winner=outcome.winner, tally=outcome.tally, tie=outcome.tie, tied=outcome.tied, how=outcome.how, by=by))
                presenter, messages = outcome.winner, None
            final, status, presenter_partial = await self._present(outcome, status, started, presenter, messages)
            if presenter_partial:
                partial[presenter] = presenter_partial
        result = TurnOutcome(
            status=status,
            winner=outcome.winner if outcome else None,
            final_answer=final,
            votes=list(self.book.votes.values()),
            answers={a: self.book.latest(a) or "" for a in self.book.agents_with_answers()},
            usage=self.usage,
            partial=partial,
            error=error,
            duration_s=round(time.monotonic() - started, 3),
            files_written=self.files_written,
            dropped=self.dropped,
        )
        self.emit(
            TurnFinished(
                status=status,  # type: ignore[arg-type]
                usage=self.usage,
                winner=result.winner,
                final_answer=final,
                partial=partial,
                duration_s=result.duration_s,
                error=error,
            )
        )
        return result

    async def _coordinate(self, deadline: float) -> tuple[str, Outcome | None, str | None]:
        while True:
            if self._cancelled:
                return "cancelled", None, None
            if self.book.consensus_reached():
                return "ok", self.book.outcome("votes"), None
            if not self.book.live:
                return "failed", None, "no live agent left"
            try:
                item = await self._next_result(deadline)
            except TimeoutError:
                outcome = self.book.outcome("timeout_votes")
                return "timeout", outcome, None if outcome else "turn timed out before any answer"
            if item is _CANCEL:
                continue
            if isinstance(item, HumanAction):
                decided = apply_human_action(self, item)
                if decided is not None:
                    return "ok", decided, None
                continue
            agent_id, run_id, result = item
            slot = self.slots[agent_id]
            if run_id == slot.run_id:
                slot.pending = False
            if run_id != slot.run_id or agent_id not in self.book.live:
                continue  # a result of a run that was replaced
            if isinstance(result, AgentDropped):
                self._on_dropped(slot, result)
            elif result.kind == "answer":
                self._on_answer(slot, result.content, result.fallback)
            else:
                self._on_vote(slot, result)

    async def _present(
        self, outcome: Outcome, status: str, started: float, presenter: str | None = None, messages: list[dict[str, Any]] | None = None
    ) -> tuple[str | None, str, str]:
        """Final answer: reuse on timeout or winner_reuse; otherwise a streamed presentation
        by `presenter` (default the winner; council's chairman brings its own `messages`)."""
        winner = self.slots[presenter or outcome.winner]
        fallback = self.book.latest(outcome.winner) or ""
        strategy = self.settings.final_answer_strategy
        if status != "ok" or strategy == "winner_reuse":
            self.emit(FinalAnswer(agent=outcome.winner, content=fallback, strategy="winner_reuse"))
            return fallback, status, ""
        self.emit(FinalStarted(agent=winner.cfg.id, strategy=strategy))
        answers = {a: self.book.latest(a) or "" for a in self.book.agents_with_answers()}
        deadline = started + self.settings.turn_timeout_seconds
        try:
            tools = self._tool_factory(winner.cfg, "final") if self._tool_factory else None
        except Exception as exc:  # the presenter's tools failed to build: present without them
            self.emit(AgentError(agent=winner.cfg.id, error=f"tools unavailable for the presentation: {short_error(exc)}", fatal=False, kind="presentation"))
            tools = None
        result = await present_final_answer(
            agent=winner.cfg,
            settings=self.settings,
            strategy=strategy,
            question=self.question,
            history=self.history,
            answers=answers,
            reasons=self.book.reasons_for(outcome.winner),
            emit=self.emit,
            cancelled=lambda: self._cancelled,
            queue=self._queue,
            deadline=deadline,
            tools=tools,
            messages=messages,
        )
        self.files_written = result.files_written
        if result.cancelled:
            return None, "cancelled", result.partial
        if result.content is None:
            self.emit(FinalAnswer(agent=outcome.winner, content=fallback, strategy="winner_reuse"))
            return fallback, "timeout" if result.timed_out else status, ""
        self.emit(FinalAnswer(agent=winner.cfg.id, content=result.content, strategy=strategy, files_written=result.files_written))
        return result.content, status, ""
