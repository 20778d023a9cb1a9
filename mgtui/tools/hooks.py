"""PreToolUse / PostToolUse hooks: Python handlers `module:function` matched by tool name.

A handler gets one dict and may be sync or async:
    {"hook": "PreToolUse"|"PostToolUse", "agent": id, "phase": ..., "tool": name,
     "arguments": {...}, "result": str (PostToolUse only), "error": str|None (PostToolUse)}
PreToolUse returns None / {"decision": "allow"} to allow, {"decision": "deny", "reason": ...}
to refuse, or {"arguments": {...}} (optionally with "decision": "allow") to rewrite them.
PostToolUse returns None or {"append": "text"} to add text to the result.
A hook that raises (SystemExit too) or times out is ignored unless `fail_closed`, which
refuses the call (PreToolUse) or withholds the result (PostToolUse). Each call runs in a
Python process of its own (`hook_process.py`): a timeout kills it, what it prints is kept
(64 KiB) in the hook_run event, and state does not carry over between calls (use a file).
"""

from __future__ import annotations

import asyncio
import fnmatch
import importlib
import inspect
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mgtui.config.models import HookConfig
from mgtui.engine.events import HookRun
from mgtui.engine.streaming import Emit
from mgtui.tools.hook_process import run_hook_process


def import_callable(spec: str) -> Callable[..., Any]:
    """'package.module:function' (or 'module:Class.method') -> the callable."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise ValueError(f"'{spec}' is not of the form 'package.module:function'")
    target: Any = importlib.import_module(module_name)
    for part in attr.split("."):
        target = getattr(target, part)
    if not callable(target):
        raise ValueError(f"'{spec}' is not callable")
    return target


def matches(matcher: str, tool: str) -> bool:
    return any(fnmatch.fnmatchcase(tool, pattern.strip()) for pattern in matcher.split("|") if pattern.strip())


async def call_with_timeout(fn: Callable[..., Any], timeout: float, *args: Any) -> Any:
    """Run a sync (in a thread) or async callable with a timeout."""
    if inspect.iscoroutinefunction(fn):
        return await asyncio.wait_for(fn(*args), timeout)
    result = await asyncio.wait_for(asyncio.to_thread(fn, *args), timeout)
    if inspect.isawaitable(result):  # a sync wrapper that returned a coroutine
        result = await asyncio.wait_for(result, timeout)
    return result


@dataclass
class PreOutcome:
    allowed: bool = True
    reason: str = ""
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass
class PostOutcome:
    appended: list[str] = field(default_factory=list)
    withheld: str = ""  # set when a fail_closed hook failed: the result is not passed on


class HookRunner:
    """The hooks of one agent (global ones first, then the agent's own)."""

    def __init__(self, pre: Sequence[HookConfig], post: Sequence[HookConfig], agent: str, phase: str, emit: Emit) -> None:
        self.pre, self.post = list(pre), list(post)
        self.agent, self.phase, self._emit = agent, phase, emit

    async def before(self, tool: str, call_id: str, arguments: dict[str, Any]) -> PreOutcome:
        outcome = PreOutcome(arguments=dict(arguments))
        for hook in self.pre:
            if not matches(hook.matcher, tool):
                continue
            payload = {"hook": "PreToolUse", "agent": self.agent, "phase": self.phase, "tool": tool, "arguments": dict(outcome.arguments)}
            reply, failure, took, printed = await self._run(hook, payload)
            if failure:
                self._record("PreToolUse", hook, tool, call_id, "failed", failure, took, printed)
                if hook.fail_closed:
                    return PreOutcome(False, f"hook {hook.handler} failed ({failure}) and is fail-closed", outcome.arguments)
                continue
            decision = str((reply or {}).get("decision", "allow")).lower()
            if decision == "deny":
                reason = str((reply or {}).get("reason") or "denied by a hook")
                self._record("PreToolUse", hook, tool, call_id, "deny", reason, took, printed)
                return PreOutcome(False, reason, outcome.arguments)
            new_args = (reply or {}).get("arguments")
            if isinstance(new_args, dict):
                outcome.arguments = new_args
                self._record("PreToolUse", hook, tool, call_id, "rewrite", _short(new_args), took, printed)
            else:
                self._record("PreToolUse", hook, tool, call_id, "allow", "", took, printed)
        return outcome

    async def after(self, tool: str, call_id: str, arguments: dict[str, Any], result: str, error: str | None) -> PostOutcome:
        outcome = PostOutcome()
        for hook in self.post:
            if not matches(hook.matcher, tool):
                continue
            payload = {
                "hook": "PostToolUse",
                "agent": self.agent,
                "phase": self.phase,
                "tool": tool,
                "arguments": dict(arguments),
                "result": result,
                "error": error,
            }
            reply, failure, took, printed = await self._run(hook, payload)
            if failure:
                self._record("PostToolUse", hook, tool, call_id, "failed", failure, took, printed)
                if hook.fail_closed:
                    outcome.withheld = f"hook {hook.handler} failed ({failure}) and is fail-closed"
                    return outcome
                continue
            extra = (reply or {}).get("append")
            if extra:
                outcome.appended.append(str(extra))
                self._record("PostToolUse", hook, tool, call_id, "append", _short(extra), took, printed)
            else:
                self._record("PostToolUse", hook, tool, call_id, "allow", "", took, printed)
        return outcome

    async def _run(self, hook: HookConfig, payload: dict[str, Any]) -> tuple[dict[str, Any] | None, str, float, str]:
        """(reply, failure, seconds, what it printed)."""
        started = time.monotonic()
        # Its own process: a timeout kills it, sys.exit() is a failure, its prints are captured.
        call = await run_hook_process(hook.handler, payload, hook.timeout)
        took = time.monotonic() - started
        if call.failure:
            return None, call.failure, took, call.output
        if call.reply is not None and not isinstance(call.reply, dict):
            return None, f"returned {type(call.reply).__name__}, expected a dict or None", took, call.output
        return call.reply, "", took, call.output

    def _record(self, kind: str, hook: HookConfig, tool: str, call_id: str, outcome: str, detail: str, took: float, printed: str = "") -> None:
        self._emit(
            HookRun(
                agent=self.agent,
                hook=kind,
                handler=hook.handler,
                tool=tool,
                call_id=call_id,
                outcome=outcome,
                detail=detail,
                duration_s=round(took, 4),
                output=printed,
            )
        )


def _short(value: Any, limit: int = 300) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + "..."
