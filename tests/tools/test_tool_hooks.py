"""PreToolUse / PostToolUse hooks around real tool calls (custom tools run by AgentTools)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mgtui.config.models import CustomToolConfig, HookConfig
from mgtui.tools.custom import load_custom_tool
from mgtui.tools.executor import AgentTools
from mgtui.tools.hooks import HookRunner, matches
from tests.tools.fixtures import hook_handlers

H = "tests.tools.fixtures.hook_handlers"


def make_tools(pre: list[HookConfig] = (), post: list[HookConfig] = (), timeout: float = 5) -> tuple[AgentTools, list[Any]]:  # type: ignore[assignment]
    events: list[Any] = []
    hooks = HookRunner(list(pre), list(post), "alpha", "coordination", events.append)
    custom = [load_custom_tool(CustomToolConfig(function=f"{H}:echo")), load_custom_tool(CustomToolConfig(function=f"{H}:slow_tool"))]
    return AgentTools(agent="alpha", emit=events.append, hooks=hooks, timeout=timeout, custom=custom), events


def hook(handler: str, matcher: str = "*", **kw: Any) -> HookConfig:
    return HookConfig(handler=f"{H}:{handler}", matcher=matcher, **kw)


@pytest.mark.parametrize(
    ("matcher", "tool", "expected"),
    [
        ("*", "read_file", True),
        ("write_*|edit_*", "edit_file", True),
        ("write_*|edit_*", "read_file", False),
        ("mcp__*", "mcp__calc__add", True),
        ("mcp__*", "echo", False),
        ("echo", "echo", True),
    ],
)
def test_matchers(matcher: str, tool: str, expected: bool) -> None:
    assert matches(matcher, tool) is expected


async def test_no_hooks_runs_the_tool_and_emits_call_and_result() -> None:
    tools, events = make_tools()
    assert await tools.execute("c1", "echo", {"text": "hi", "times": 2}) == "hi hi"
    assert [e.type for e in events] == ["tool_call", "tool_result"]
    assert events[1].result == "hi hi" and events[1].error is None and events[1].duration_s >= 0


async def test_pre_hook_allows_and_sees_the_call(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    seen = tmp_path / "seen.jsonl"
    monkeypatch.setenv(hook_handlers.RECORD_ENV, str(seen))
    tools, events = make_tools(pre=[hook("record")])
    assert await tools.execute("c1", "echo", {"text": "hi"}) == "hi"
    assert [json.loads(line) for line in seen.read_text().splitlines()] == [{"hook": "PreToolUse", "agent": "alpha", "phase": "coordination", "tool": "echo",
        "arguments": {"text": "hi"}}]
    (run,) = [e for e in events if e.type == "hook_run"]
    assert (run.hook, run.outcome, run.tool) == ("PreToolUse", "allow", "echo")


async def test_pre_hook_denies_with_a_reason_and_the_tool_does_not_run() -> None:
    tools, events = make_tools(pre=[hook("deny_secrets")])
    result = await tools.execute("c1", "echo", {"text": "the secret"})
    assert result == "Error: denied by a hook: no secrets here"
    (run,) = [e for e in events if e.type == "hook_run"]
    assert run.outcome == "deny" and run.detail == "no secrets here"
    assert events[-1].error == "denied by a hook: no secrets here"
    assert await tools.execute("c2", "echo", {"text": "public"}) == "public"


async def test_pre_hook_rewrites_arguments() -> None:
    tools, events = make_tools(pre=[hook("shout_arguments", matcher="echo")])
    assert await tools.execute("c1", "echo", {"text": "quiet"}) == "QUIET"
    assert [e.outcome for e in events if e.type == "hook_run"] == ["rewrite"]


async def test_matcher_skips_other_tools() -> None:
    tools, events = make_tools(pre=[hook("deny_secrets", matcher="write_*|edit_*")])
    assert await tools.execute("c1", "echo", {"text": "secret"}) == "secret"
    assert not [e for e in events if e.type == "hook_run"]


async def test_post_hook_appends_content() -> None:
    tools, _events = make_tools(post=[hook("append_note")])
    assert await tools.execute("c1", "echo", {"text": "abc"}) == "abc\n\n[note: echo returned 3 characters]"


@pytest.mark.parametrize("handler", ["slow", "boom", "not_a_dict", "no_such_function", "exits"])
async def test_failing_pre_hook_fails_open_by_default(handler: str) -> None:
    tools, events = make_tools(pre=[hook(handler, timeout=0.2)])
    assert await tools.execute("c1", "echo", {"text": "on"}) == "on"
    (run,) = [e for e in events if e.type == "hook_run"]
    assert run.outcome == "failed" and run.detail


@pytest.mark.parametrize("handler", ["slow", "boom", "not_a_dict", "no_such_function", "exits"])
async def test_failing_pre_hook_fails_closed_when_asked(handler: str) -> None:
    tools, events = make_tools(pre=[hook(handler, timeout=0.2, fail_closed=True)])
    result = await tools.execute("c1", "echo", {"text": "on"})
    assert result.startswith("Error: denied by a hook:") and "fail-closed" in result
    assert events[-1].type == "tool_result" and events[-1].error


async def test_timeout_is_reported_as_a_timeout() -> None:
    tools, events = make_tools(pre=[hook("slow", timeout=0.1)])
    await tools.execute("c1", "echo", {"text": "x"})
    (run,) = [e for e in events if e.type == "hook_run"]
    assert "timed out" in run.detail


async def test_failing_post_hook_withholds_the_result_only_when_fail_closed() -> None:
    open_tools, _ = make_tools(post=[hook("boom")])
    assert await open_tools.execute("c1", "echo", {"text": "kept"}) == "kept"
    closed_tools, _ = make_tools(post=[hook("boom", fail_closed=True)])
    result = await closed_tools.execute("c1", "echo", {"text": "kept"})
    assert result.startswith("Error:") and "kept" not in result


async def test_tool_timeout_and_errors_become_tool_errors() -> None:
    tools, events = make_tools(timeout=0.2)
    result = await tools.execute("c1", "slow_tool", {"seconds": 1.0})
    assert result == "Error: timed out after 0.2 s"
    result = await tools.execute("c2", "echo", {"text": 5, "times": "many"})
    assert result.startswith("Error: Bad arguments for echo") and "times" in result
    assert [e.error is not None for e in events if e.type == "tool_result"] == [True, True]
