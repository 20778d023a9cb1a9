"""Runs the eval: per question the team's consensus (a normal, replayable session), each
member alone (one plain completion with its own model, temperature and system message),
and the members' majority vote. `concurrency` questions at a time.

Provider errors are retried exactly as in a turn (the engine's `stream_completion`, which
honours Retry-After). A failing question becomes error records, never a crash. `stop()`
cancels what runs; only questions that finished are handed to `on_question`.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mgtui.config.loader import LoadedConfig
from mgtui.config.models import AgentConfig
from mgtui.eval import scoring
from mgtui.eval.dataset import Question
from mgtui.eval.store import SESSIONS_DIR
from mgtui.eval.summary import MAJORITY, SINGLE, TEAM

MAX_ANSWER_CHARS = 20_000
MAX_QUESTION_CHARS = 2_000
OnQuestion = Callable[[list[dict[str, Any]]], None]


@dataclass
class EvalPlan:
    loaded: LoadedConfig
    mode: scoring.ScoreMode
    out: Path
    singles: bool = True
    concurrency: int = 2


def _cost(model: str, prompt_tokens: int, completion_tokens: int) -> float | None:
    from mgtui.logs.cost import litellm_cost  # noqa: PLC0415 - LiteLLM is imported by now

    return litellm_cost(model, prompt_tokens, completion_tokens)


def _short_error(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:300]}" if text else type(exc).__name__


class EvalRunner:
    def __init__(self, plan: EvalPlan, on_question: OnQuestion) -> None:
        self.plan = plan
        self.config = plan.loaded.config
        self.on_question = on_question
        self.stopping = False
        self._sessions: set[Any] = set()
        self._calls: set[asyncio.Task[Any]] = set()
        from mgtui.engine.logwriter import Redactor  # noqa: PLC0415 - engine-only, lazy
        from mgtui.engine.session import _literal_secrets  # noqa: PLC0415

        # Members' answers and provider errors are written to results.jsonl and the reports:
        # the same secrets as in a session log are redacted there (a key echoed by a server).
        self._redact = Redactor(_literal_secrets(plan.loaded))

    async def prepare(self) -> None:
        """Import LiteLLM and register the local provider off the loop; raises when a model
        cannot run at all (e.g. the local extra is missing), before any question starts."""
        from mgtui.providers.litellm_access import ensure_providers, get_litellm  # noqa: PLC0415

        await asyncio.to_thread(get_litellm)
        await asyncio.to_thread(ensure_providers, [a.model for a in self.config.agents])

    async def run(self, todo: list[Question]) -> None:
        pending = iter(todo)

        async def worker() -> None:
            for question in pending:  # one shared iterator: each question is taken once
                if self.stopping:
                    return
                records = await self.question(question)
                if records is not None:
                    self.on_question(records)

        await asyncio.gather(*(worker() for _ in range(max(1, self.plan.concurrency))))

    def stop(self) -> None:
        """Cancel running turns and calls; unfinished questions are not recorded."""
        self.stopping = True
        for session in list(self._sessions):
            session.cancel()
        for task in list(self._calls):
            task.cancel()

    # one question ---------------------------------------------------------------
    def _base(self, question: Question, system: str, agent: str | None = None, model: str | None = None) -> dict[str, Any]:
        return {
            "qid": question.id, "system": system, "agent": agent, "model": model,
            "question": question.question[:MAX_QUESTION_CHARS], "gold": scoring.gold(question, self.plan.mode),
            "answer": None, "pred": None, "correct": False, "error": None,
            "prompt_tokens": 0, "completion_tokens": 0, "cost": 0.0, "wall_s": 0.0,
            "ts": datetime.now(UTC).isoformat(timespec="seconds"),
        }

    def _score(self, record: dict[str, Any], answer: str | None, question: Question) -> None:
        record["answer"] = answer[:MAX_ANSWER_CHARS] if answer is not None else None
        record["pred"] = scoring.extract(answer, self.plan.mode, question)
        record["correct"] = record["pred"] is not None and record["pred"] == record["gold"]

    async def question(self, question: Question) -> list[dict[str, Any]] | None:
        """All systems' records for one question, or None when it was stopped midway."""
        prompt = scoring.prompt(question, self.plan.mode)
        records = [await self._team(question, prompt)]
        if self.stopping:
            return None
        if self.plan.singles:
            singles = []
            for agent in self.config.agents:
                try:
                    singles.append(await self._single(agent, question, prompt))
                except asyncio.CancelledError:
                    if self.stopping:
                        return None
                    raise
            records += singles
            records.append(self._majority(question, singles))
        return None if self.stopping else [self._redacted(r) for r in records]

    def _redacted(self, record: dict[str, Any]) -> dict[str, Any]:
        text = json.dumps(record, ensure_ascii=False)
        cleaned = self._redact(text)
        return record if cleaned == text else json.loads(cleaned)

    async def _team(self, question: Question, prompt: str) -> dict[str, Any]:
        from mgtui.engine.session import Session  # noqa: PLC0415

        record = self._base(question, TEAM)
        session = Session(self.plan.loaded, log_root=self.plan.out / SESSIONS_DIR)
        self._sessions.add(session)
        started = time.monotonic()
        try:
            result = await session.ask(prompt)
        except Exception as exc:  # noqa: BLE001 - one question failing must not end the eval
            record["error"] = _short_error(exc)
            return record
        finally:
            self._sessions.discard(session)
            record["wall_s"] = round(time.monotonic() - started, 3)
            await session.aclose()
        record["session"] = f"{SESSIONS_DIR}/{session.id}"
        record["winner"] = result.winner
        models = {a.id: a.model for a in self.config.agents}
        costs: list[float | None] = []
        for agent, usage in result.usage.items():
            p, c = int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))
            record["prompt_tokens"] += p
            record["completion_tokens"] += c
            costs.append(_cost(models.get(agent, "?"), p, c))
        record["cost"] = None if any(c is None for c in costs) else sum(c for c in costs if c is not None)
        if result.final_answer is None:
            record["error"] = f"no final answer ({result.status}{': ' + result.error if result.error else ''})"
        self._score(record, result.final_answer, question)
        return record

    async def _single(self, agent: AgentConfig, question: Question, prompt: str) -> dict[str, Any]:
        from mgtui.engine.streaming import ProviderFailed, stream_completion  # noqa: PLC0415

        record = self._base(question, SINGLE, agent.id, agent.model)
        messages = [{"role": "system", "content": agent.system_message}] if agent.system_message else []
        messages.append({"role": "user", "content": prompt})
        call = stream_completion(
            agent=agent, messages=messages, tools=None, orchestrator=self.config.orchestrator,
            emit=lambda _event: None, phase="final", on_retry=lambda _n: None, coalescer_holder=[],
        )
        task = asyncio.ensure_future(asyncio.wait_for(call, self.config.orchestrator.turn_timeout_seconds))
        self._calls.add(task)
        started = time.monotonic()
        try:
            reply = await task
        except (ProviderFailed, TimeoutError) as exc:
            record["error"] = _short_error(exc) if str(exc) else "timed out (turn_timeout_seconds)"
            return record
        except Exception as exc:  # noqa: BLE001
            record["error"] = _short_error(exc)
            return record
        finally:
            self._calls.discard(task)
            record["wall_s"] = round(time.monotonic() - started, 3)
        record["prompt_tokens"], record["completion_tokens"] = reply.prompt_tokens, reply.completion_tokens
        record["cost"] = _cost(agent.model, reply.prompt_tokens, reply.completion_tokens)
        self._score(record, reply.text, question)
        return record

    def _majority(self, question: Question, singles: list[dict[str, Any]]) -> dict[str, Any]:
        """No calls of its own: the members' answers, counted. Its tokens, cost and wall time
        are the members' (asked one after another here)."""
        record = self._base(question, MAJORITY)
        record["votes"] = {r["agent"]: r["pred"] for r in singles}
        record["pred"] = scoring.majority([r["pred"] for r in singles])
        record["correct"] = record["pred"] is not None and record["pred"] == record["gold"]
        record["prompt_tokens"] = sum(r["prompt_tokens"] for r in singles)
        record["completion_tokens"] = sum(r["completion_tokens"] for r in singles)
        costs = [r["cost"] for r in singles]
        record["cost"] = None if any(c is None for c in costs) else sum(costs)
        record["wall_s"] = round(sum(r["wall_s"] for r in singles), 3)
        if all(r["error"] for r in singles):
            record["error"] = "every member failed"
        return record
