"""Compact live progress for `mgtui run` on stderr: who streams, answers, votes, resets, winner."""

from __future__ import annotations

import sys
from typing import Any, TextIO

from mgtui.engine.events import run_text
from mgtui.terminal_text import safe


def _fallback(e: Any) -> str:
    """" [from its text]" when the engine took the answer/vote without a tool call by the model."""
    how = {"text": "from its text", "forced": "forced tool choice", "parsed": "read from its text"}
    fallback = getattr(e, "fallback", None)
    return f" [{how.get(fallback, fallback)}]" if fallback else ""


class ProgressPrinter:
    def __init__(self, stream: TextIO | None = None, verbose: bool = False) -> None:
        self.out = stream or sys.stderr
        self.verbose = verbose
        self._streaming: set[str] = set()

    def _say(self, text: str) -> None:
        self.out.write(safe(text) + "\n")  # answers, votes, errors and the question are outside text
        self.out.flush()

    def __call__(self, event: Any) -> None:
        handler = getattr(self, f"_on_{event.type}", None)
        if handler is not None:
            handler(event)

    def _on_session_started(self, e: Any) -> None:
        models = ", ".join(f"{a['id']} ({a['model']})" for a in e.agents)
        self._say(f"mgtui session {e.session}: {models}")

    def _on_turn_started(self, e: Any) -> None:
        self._say(f"turn {e.turn}: {e.question[:100]!r}")

    def _on_agent_started(self, e: Any) -> None:
        self._streaming.discard(e.agent)
        if e.reason == "start":
            return
        if e.reason == "present":
            self._say(f"  ▸ {e.agent} presents the final answer")
        elif self.verbose or e.reason in ("retry", "enforce"):
            extra = " (vote only)" if e.vote_only else ""
            self._say(f"  ↻ {e.agent} round {e.round} attempt {e.attempt}: {run_text(e.reason, e.after_label)}{extra}")

    def _on_text(self, e: Any) -> None:
        if e.agent not in self._streaming and e.phase == "coordination":
            self._streaming.add(e.agent)
            self._say(f"  … {e.agent} is streaming")

    def _on_answer(self, e: Any) -> None:
        first_line = e.content.strip().splitlines()[0][:80] if e.content.strip() else ""
        self._say(f"  ✎ {e.agent} answered {e.label}{_fallback(e)}: {first_line}")

    def _on_vote(self, e: Any) -> None:
        self._say(f"  ✓ {e.agent} votes {e.target} ({e.label}){_fallback(e)}: {e.reason[:120]}")

    def _on_vote_ignored(self, e: Any) -> None:
        self._say(f"  ✗ {e.agent}'s vote for {e.target} ignored: {e.why}")

    def _on_votes_reset(self, e: Any) -> None:
        if e.cleared:
            self._say(f"  ⟲ new answer by {e.by} reset the votes of {', '.join(e.cleared)}")

    def _on_agent_error(self, e: Any) -> None:
        if e.fatal:
            self._say(f"  ✗ {e.agent} dropped: {e.error}")
        elif e.kind == "provider":
            self._say(f"  ! {e.agent}: {e.error} (retry in {e.retry_in}s)")
        else:
            self._say(f"  ! {e.agent}: {e.error}")

    def _on_consensus(self, e: Any) -> None:
        tally = ", ".join(f"{k}={v}" for k, v in e.tally.items())
        how = {"votes": "", "timeout_votes": " (timeout: most votes)", "timeout_newest": " (timeout: newest answer)"}.get(e.how, "")
        tie = f"; tie between {', '.join(e.tied)} broken by config order" if e.tie else ""
        self._say(f"  ★ winner {e.winner} [{tally}]{how}{tie}")

    def _on_turn_finished(self, e: Any) -> None:
        tokens = sum(u.get("prompt_tokens", 0) + u.get("completion_tokens", 0) for u in e.usage.values())
        error = f": {e.error}" if e.error else ""
        self._say(f"turn {e.turn} {e.status} in {e.duration_s:.1f}s, {tokens} tokens{error}")
