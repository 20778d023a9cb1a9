"""Realistic session logs for tests and benchmarks, generated from a seed.

A generated turn follows the protocol: every agent streams and posts a first answer (some
after a provider error and a retry, some after a tool call); then the agents are restarted
to vote; sometimes an agent posts an improved answer instead, which resets the votes and
restarts the voters; when every live agent has a standing vote the most-voted agent (ties
to the first in config order) presents the final answer. The folder gets `events.jsonl`
and, unless told otherwise, the `session.json` index the engine writes.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mgtui.engine import events as ev

MODELS = ("openai/gpt-4o-mini", "anthropic/claude-haiku-4-5", "local/smollm2", "gemini/gemini-2.5-flash")
QUESTIONS = (
    "What is the capital of France?",
    "Explain the CAP theorem in two sentences.",
    "Write a haiku about consensus.",
    "How do I reverse a linked list in Python?",
    "Summarise @README.md in three bullet points.",
    "Which is faster for lookups, a list or a set?",
)
WORDS = ["the", "a", "answer", "consensus", "agent", "vote", "better", "because", "clearly", "data", "set", "list", "fast", "slow", "first"]


@dataclass
class _Clock:
    now: datetime

    def tick(self, rng: random.Random, lo: float = 0.05, hi: float = 0.6) -> str:
        self.now += timedelta(seconds=rng.uniform(lo, hi))
        return self.ts()

    def ts(self) -> str:
        return self.now.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class _Writer:
    session: str
    clock: _Clock
    rng: random.Random
    lines: list[str] = field(default_factory=list)

    def emit(self, event: ev.AnyEvent, *, lo: float = 0.05, hi: float = 0.6) -> ev.AnyEvent:
        event.ts = self.clock.tick(self.rng, lo, hi)
        event.session = self.session
        self.lines.append(ev.event_to_json(event))
        return event


def session_id_for(when: datetime, rng: random.Random) -> str:
    return when.strftime("%Y%m%d-%H%M%S-") + f"{rng.getrandbits(24):06x}"


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _stream(w: _Writer, turn: int, agent: str, chunks: int, phase: str = "coordination") -> None:
    for _ in range(chunks):
        w.emit(ev.TextDelta(agent=agent, turn=turn, delta=_text(w.rng, 6) + " ", phase=phase), lo=0.02, hi=0.2)


def _turn(w: _Writer, turn: int, question: str, agents: list[str], chunks: int) -> dict[str, Any]:
    rng = w.rng
    anon = {a: f"agent{i + 1}" for i, a in enumerate(agents)}
    started = w.emit(ev.TurnStarted(turn=turn, question=question, history_len=2 * (turn - 1), anonymous_ids=anon))
    usage = {a: {"prompt_tokens": 0, "completion_tokens": 0} for a in agents}
    answers: dict[str, int] = {a: 0 for a in agents}
    votes: dict[str, str] = {}

    def run_usage(agent: str) -> None:
        p, c = rng.randint(200, 900), rng.randint(20, 300)
        usage[agent]["prompt_tokens"] += p
        usage[agent]["completion_tokens"] += c
        w.emit(ev.Usage(agent=agent, turn=turn, prompt_tokens=p, completion_tokens=c), lo=0.0, hi=0.01)

    def post_answer(agent: str) -> None:
        answers[agent] += 1
        label = f"{anon[agent]}.{answers[agent]}"
        w.emit(ev.AnswerPosted(agent=agent, turn=turn, label=label, content=_text(rng, 30), answer_index=answers[agent]))
        run_usage(agent)
        if votes:
            cleared = sorted(votes)
            votes.clear()
            w.emit(ev.VotesReset(turn=turn, by=agent, cleared=cleared), lo=0.0, hi=0.01)

    # Round 1: everybody answers (with the odd provider error and tool call).
    for agent in agents:
        w.emit(ev.AgentStarted(agent=agent, turn=turn, round=1, reason="start"), lo=0.0, hi=0.02)
    for agent in agents:
        if rng.random() < 0.15:
            w.emit(ev.AgentError(agent=agent, turn=turn, error="RateLimitError: 429 Too Many Requests", kind="provider", retry_in=1.0))
            w.emit(ev.AgentStarted(agent=agent, turn=turn, attempt=2, round=1, reason="retry"), lo=1.0, hi=1.2)
        if rng.random() < 0.3:
            call = f"call_{rng.getrandbits(32):08x}"
            w.emit(ev.ToolCall(agent=agent, turn=turn, call_id=call, name="read_file", arguments={"path": "README.md"}))
            failed = rng.random() < 0.2
            w.emit(ev.ToolResult(agent=agent, turn=turn, call_id=call, name="read_file", result=None if failed else "# mgtui …",
                                 error="file not found" if failed else None, duration_s=0.01))
        _stream(w, turn, agent, chunks)
        post_answer(agent)

    # Voting rounds: restarted agents vote; sometimes one improves its answer instead.
    round_no, improvements = 2, 0
    pending = list(agents)
    while pending:
        for agent in pending:
            w.emit(ev.AgentStarted(agent=agent, turn=turn, round=round_no, reason="restart"), lo=0.0, hi=0.05)
        improver = rng.choice(pending) if improvements < 2 and rng.random() < 0.35 else None
        for agent in pending:
            _stream(w, turn, agent, max(1, chunks // 2))
            if agent == improver:
                improvements += 1
                post_answer(agent)
                continue
            target = rng.choices(agents, weights=[3 if i == 0 else 1 for i in range(len(agents))])[0]
            label = f"{anon[target]}.{answers[target]}"
            w.emit(ev.VoteCast(agent=agent, turn=turn, target=target, label=label, reason=_text(rng, 8)))
            votes[agent] = target
            run_usage(agent)
        # Voters whose vote was cleared (and the improver) decide again next round.
        pending = [a for a in agents if a not in votes]
        round_no += 1

    tally = {a: 0 for a in agents}
    for target in votes.values():
        tally[target] += 1
    best = max(tally.values())
    tied = [a for a in agents if tally[a] == best]
    winner = tied[0]
    w.emit(ev.Consensus(turn=turn, winner=winner, tally=tally, tie=len(tied) > 1, tied=tied if len(tied) > 1 else []))
    w.emit(ev.AgentStarted(agent=winner, turn=turn, round=round_no, reason="present"), lo=0.0, hi=0.02)
    w.emit(ev.FinalStarted(agent=winner, turn=turn, strategy="winner_present"), lo=0.0, hi=0.02)
    _stream(w, turn, winner, chunks, phase="final")
    final = w.emit(ev.FinalAnswer(agent=winner, turn=turn, content="**Final.** " + _text(rng, 40)))
    run_usage(winner)
    duration = (w.clock.now - datetime.fromisoformat(started.ts)).total_seconds()
    w.emit(ev.TurnFinished(turn=turn, status="ok", usage=usage, winner=winner, final_answer=final.content,
                           duration_s=round(duration, 3)), lo=0.0, hi=0.01)
    return {"turn": turn, "question": question, "winner": winner, "status": "ok", "duration_s": round(duration, 3)}


def make_session(
    log_root: Path,
    *,
    turns: int = 2,
    agents: int = 3,
    seed: int = 0,
    chunks: int = 4,
    start: datetime | None = None,
    cwd: str = "/home/user/project",
    with_index: bool = True,
    session_id: str | None = None,
    min_events: int = 0,
) -> Path:
    """Write one session folder under `log_root` and return its path."""
    rng = random.Random(seed)
    start = start or datetime(2026, 11, 20, 9, 0, tzinfo=UTC) + timedelta(minutes=seed)
    sid = session_id or session_id_for(start, rng)
    agent_ids = [f"agent_{chr(ord('a') + i)}" for i in range(agents)]
    roster = [{"id": a, "model": MODELS[i % len(MODELS)]} for i, a in enumerate(agent_ids)]
    w = _Writer(sid, _Clock(start), rng)
    config = {"agents": roster, "orchestrator": {"max_new_answers_per_agent": 3}}
    w.emit(ev.SessionStarted(config=config, agents=roster, config_path=f"{cwd}/mgtui.yaml"), lo=0.0, hi=0.01)
    turn_rows: list[dict[str, Any]] = []
    while len(turn_rows) < turns or len(w.lines) < min_events:
        turn_rows.append(_turn(w, len(turn_rows) + 1, rng.choice(QUESTIONS), agent_ids, chunks))
    folder = Path(log_root) / sid
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "events.jsonl").write_text("\n".join(w.lines) + "\n", encoding="utf-8")
    if with_index:
        index = {
            "id": sid, "created": start.isoformat().replace("+00:00", "Z"), "updated": w.clock.ts(), "cwd": cwd,
            "config_path": f"{cwd}/mgtui.yaml", "agents": roster, "turns": turn_rows, "status": "ok",
        }
        (folder / "session.json").write_text(json.dumps(index, indent=1), encoding="utf-8")
    return folder


def make_sessions(log_root: Path, count: int, **kwargs: Any) -> list[Path]:
    """Many small sessions (one per minute) for listing tests and benchmarks."""
    kwargs.setdefault("turns", 1)
    kwargs.setdefault("chunks", 1)
    return [make_session(log_root, seed=i, **kwargs) for i in range(count)]


def make_big_session(log_root: Path, min_events: int, *, agents: int = 4, seed: int = 1) -> Path:
    """One session with at least `min_events` events (adds turns until it has them)."""
    return make_session(log_root, turns=1, agents=agents, seed=seed, chunks=20, min_events=min_events)
