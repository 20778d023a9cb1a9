"""Council mode (orchestrator.coordination: council): three stages instead of voting rounds.

1. Every agent answers on its own (no peer answers visible) through `new_answer`.
2. Every agent ranks all answers, anonymised and shuffled per reviewer (its own included,
   not marked), through the `rank` tool; a bad ranking goes back as a tool error and after
   `max_attempts` the reviewer is dropped (its answer still counts).
3. The chairman (`orchestrator.chairman`, default the best-ranked answer's author) streams
   the final answer from all answers and rankings (the orchestrator's `_present`).

The orchestrator owns the agents, the queue and the turn; this module runs stages 1–2 on
them and says what stage 3 is told.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from mgtui.engine import council_prompts as prompts
from mgtui.engine import protocol, visibility
from mgtui.engine.agent import AgentDropped, Decision, RunState, run_agent
from mgtui.engine.consensus import Outcome
from mgtui.engine.events import AgentStarted, AnswerPosted, Consensus, Hint, Ranking, RunReason, SessionNotice
from mgtui.engine.hints import clean_hint, hint_message
from mgtui.engine.human import HUMAN, HumanAction, apply_human_action
from mgtui.engine.streaming import short_error

if TYPE_CHECKING:
    from mgtui.engine.orchestrator import AgentSlot, Orchestrator


@dataclass
class Aggregate:
    """Mean rank per answer's author (1 = best), first places, and who ranked."""

    mean: dict[str, float] = field(default_factory=dict)
    first_places: dict[str, int] = field(default_factory=dict)


def aggregate_rankings(authors: list[str], rankings: dict[str, list[str]]) -> Aggregate:
    """`rankings`: reviewer -> authors best first (each a permutation of `authors`)."""
    positions: dict[str, list[int]] = {a: [] for a in authors}
    first = {a: 0 for a in authors}
    for order in rankings.values():
        for place, author in enumerate(order, start=1):
            if author in positions:
                positions[author].append(place)
        if order and order[0] in first:
            first[order[0]] += 1
    mean = {a: round(sum(p) / len(p), 3) for a, p in positions.items() if p}
    return Aggregate(mean, first)


class Council:
    def __init__(self, orch: Orchestrator) -> None:
        self.orch = orch
        self.rankings: dict[str, list[str]] = {}  # reviewer -> authors, best first (config ids)
        self.reasons: dict[str, dict[str, str]] = {}  # reviewer -> author -> reason
        self.aggregate = Aggregate()
        self._rng = random.Random()
        self.decided: Outcome | None = None  # the person picked the winner (decide)

    # stage runner -------------------------------------------------------------------
    def _begin(self, slot: AgentSlot, round_: int, reason: RunReason) -> int:
        slot.run_id += 1
        slot.round = round_
        slot.seen_version = self.orch.version
        slot.state = RunState()
        self.orch.emit(AgentStarted(agent=slot.cfg.id, attempt=1, round=round_, reason=reason))
        return slot.run_id

    async def _collect(self, waiting: set[str], deadline: float, on_result: Any) -> str:
        """Feed each live agent's result to `on_result` until none is missing:
        "ok", "timeout" or "cancelled"."""
        from mgtui.engine.orchestrator import _CANCEL

        orch = self.orch
        while waiting:
            if orch._cancelled:
                return "cancelled"
            try:
                item = await asyncio.wait_for(orch._queue.get(), timeout=max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                return "timeout"
            if item is _CANCEL:
                continue
            if isinstance(item, HumanAction):
                if self._human(item, waiting):
                    return "ok"
                continue
            agent_id, run_id, result = item
            slot = orch.slots[agent_id]
            if run_id != slot.run_id:
                continue
            slot.pending = False
            waiting.discard(agent_id)
            if isinstance(result, AgentDropped):
                orch._on_dropped(slot, result)
            else:
                on_result(slot, result)
        return "cancelled" if orch._cancelled else "ok"

    # the person in the turn -------------------------------------------------------------
    def _human(self, action: HumanAction, waiting: set[str]) -> bool:
        """A hint reaches the agents still working (and their later stages); drop leaves the
        council; decide ends it with the person's pick (True). Votes and restarts have no
        meaning between the stages and are refused."""
        orch = self.orch
        if action.kind == "hint":
            self._hint(action.text, list(action.to) if action.to else None)
        elif action.kind == "drop":
            apply_human_action(orch, action)
            if action.agent not in orch.book.live:
                waiting.discard(action.agent)
        elif action.kind == "decide":
            if orch.book.answer_count(action.agent) == 0:
                orch.emit(SessionNotice(level="warning", message=f"cannot pick {action.agent}: it has no answer yet"))
                return False
            self.aggregate = aggregate_rankings(orch.book.agents_with_answers(), self.rankings)
            self.decided = Outcome(action.agent, dict(self.aggregate.first_places), False, [], HUMAN)
            return True
        else:
            what = "your vote was not counted" if action.kind == "vote" else f"cannot restart {action.agent}"
            orch.emit(SessionNotice(level="warning", message=f"{what}: not available in council mode"))
        return False

    def _hint(self, text: str, addressed: list[str] | None) -> None:
        orch = self.orch
        unknown = [a for a in addressed or [] if a not in orch.slots]
        if unknown or not text.strip():
            orch.emit(SessionNotice(level="warning", message=f"hint not sent: no agent {', '.join(unknown)}" if unknown else "hint not sent: it is empty"))
            return
        text = clean_hint(text)
        reached = [a for a in orch.book.order if a in orch.book.live and (addressed is None or a in addressed)]
        for agent in reached:
            slot = orch.slots[agent]
            if slot.running or slot.pending:
                slot.state.inbox.append(hint_message(text))  # its next model call carries it
        orch.hints.add(text, reached)  # later stages' prompts carry it too
        orch.emit(Hint(text=text, to=reached, addressed=addressed))

    # stage 1 --------------------------------------------------------------------------
    def _start_answer(self, slot: AgentSlot) -> None:
        orch = self.orch
        run_id = self._begin(slot, 1, "start")
        messages = [*prompts.answer_messages(orch.question, orch.history, slot.cfg.system_message), *orch.hints.messages_for(slot.cfg.id)]
        slot.task = asyncio.create_task(orch._run(slot, run_id, messages, [], True), name=f"council-answer-{slot.cfg.id}")

    def _on_answer(self, slot: AgentSlot, result: Decision) -> None:
        if result.kind != "answer":  # cannot happen: stage 1 offers only new_answer
            return
        k, _cleared = self.orch.book.add_answer(slot.cfg.id, result.content)
        self.orch.version += 1
        self.orch.emit(AnswerPosted(agent=slot.cfg.id, label=protocol.answer_label(slot.anon, k), content=result.content, answer_index=k))

    # stage 2 --------------------------------------------------------------------------
    def _start_rank(self, slot: AgentSlot, authors: list[str]) -> None:
        orch = self.orch
        shown = list(authors)
        self._rng.shuffle(shown)  # per reviewer: position bias averages out over the council
        ids = [orch.slots[a].anon for a in shown]
        limit = orch.settings.max_answer_chars
        texts = [(orch.slots[a].anon, visibility.bounded(orch.book.latest(a) or "", limit)) for a in shown]
        messages = [*prompts.rank_messages(orch.question, orch.history, slot.cfg.system_message, texts), *orch.hints.messages_for(slot.cfg.id)]
        run_id = self._begin(slot, 2, "rank")
        slot.task = asyncio.create_task(self._rank_run(slot, run_id, messages, ids), name=f"council-rank-{slot.cfg.id}")

    async def _rank_run(self, slot: AgentSlot, run_id: int, messages: list[dict[str, Any]], ids: list[str]) -> None:
        orch = self.orch

        def on_attempt(reason: str, attempt: int) -> None:
            orch.emit(AgentStarted(agent=slot.cfg.id, attempt=attempt, round=2, reason=cast(RunReason, reason)))

        result: Any
        try:
            result = await run_agent(
                agent=slot.cfg,
                orchestrator=orch.settings,
                messages=messages,
                vote_ids=ids,
                can_answer=False,
                emit=orch.emit,
                state=slot.state,
                on_restart_attempt=on_attempt,
                workflow=[prompts.rank_tool(ids)],
                validate=lambda calls: prompts.validate_rank(calls, ids),
            )
        except asyncio.CancelledError:
            return
        except AgentDropped as exc:
            result = exc
        except Exception as exc:  # a bug drops one reviewer, not the turn
            result = AgentDropped("internal", short_error(exc))
        slot.pending = True
        orch._queue.put_nowait((slot.cfg.id, run_id, result))

    def _on_ranking(self, slot: AgentSlot, result: prompts.RankDecision) -> None:
        by_anon = self.orch.by_anon
        order = [by_anon[a] for a in result.order]
        reasons = {by_anon[a]: r for a, r in result.reasons.items()}
        self.rankings[slot.cfg.id] = order
        self.reasons[slot.cfg.id] = reasons
        self.orch.emit(Ranking(agent=slot.cfg.id, order=order, reasons=reasons))

    # the stages -----------------------------------------------------------------------
    def _live(self) -> list[AgentSlot]:
        return [s for a, s in self.orch.slots.items() if a in self.orch.book.live]

    async def coordinate(self, deadline: float) -> tuple[str, Outcome | None, str | None]:
        """Stages 1 and 2; the orchestrator presents stage 3 with `chairman_messages`."""
        orch = self.orch
        for slot in self._live():
            self._start_answer(slot)
        status = await self._collect({s.cfg.id for s in self._live()}, deadline, self._on_answer)
        if self.decided is not None:
            return "ok", self.decided, None
        authors = orch.book.agents_with_answers()
        if status == "cancelled":
            return "cancelled", None, None
        if not authors:
            return ("timeout" if status == "timeout" else "failed"), None, "no agent answered" if status != "timeout" else "turn timed out before any answer"
        if status == "timeout":
            return "timeout", self._outcome(authors, "timeout_newest"), None
        if len(authors) > 1 and self._live():
            for slot in self._live():
                self._start_rank(slot, authors)
            status = await self._collect({s.cfg.id for s in self._live()}, deadline, self._on_ranking)
            if self.decided is not None:
                return "ok", self.decided, None
            if status == "cancelled":
                return "cancelled", None, None
        how = "ranking" if self.rankings else "unranked"
        return status, self._outcome(authors, f"timeout_{how}" if status == "timeout" else how), None

    def _outcome(self, authors: list[str], how: str) -> Outcome:
        """Best mean rank wins (ties: config order); without rankings, the first answer posted."""
        self.aggregate = aggregate_rankings(authors, self.rankings)
        mean = self.aggregate.mean
        if mean:
            best = min(mean.values())
            tied = [a for a in authors if mean.get(a) == best]
        else:
            posted = self.orch.book._answer_seq
            tied = [min(authors, key=lambda a: posted.get(a, 0))]
        return Outcome(tied[0], dict(self.aggregate.first_places), len(tied) > 1, tied if len(tied) > 1 else [], how)

    # stage 3 --------------------------------------------------------------------------
    def consensus_event(self, outcome: Outcome) -> Consensus:
        return Consensus(
            winner=outcome.winner,
            tally=outcome.tally,
            tie=outcome.tie,
            tied=outcome.tied,
            how=outcome.how,
            method="council",
            aggregate_rank=dict(self.aggregate.mean),
        )

    def chairman(self, outcome: Outcome) -> str:
        return self.orch.settings.chairman or outcome.winner

    def chairman_messages(self, outcome: Outcome) -> list[dict[str, Any]]:
        orch = self.orch
        mean = self.aggregate.mean
        authors = sorted(orch.book.agents_with_answers(), key=lambda a: (mean.get(a, float("inf")), orch.book.order.index(a)))
        anon = {a: orch.slots[a].anon for a in orch.slots}
        limit = orch.settings.max_answer_chars
        chair = self.chairman(outcome)
        texts = {a: orch.book.latest(a) or "" for a in authors}
        answers = [(anon[a], texts[a] if a == chair else visibility.bounded(texts[a], limit)) for a in authors]
        rankings = [
            ([anon[a] for a in order], {anon[a]: r for a, r in self.reasons.get(reviewer, {}).items()})
            for reviewer, order in self.rankings.items()
        ]
        return prompts.chairman_messages(
            question=orch.question,
            history=orch.history,
            agent_system_message=orch.slots[chair].cfg.system_message,
            answers=answers,
            aggregate={anon[a]: m for a, m in mean.items()},
            rankings=rankings,
        )
