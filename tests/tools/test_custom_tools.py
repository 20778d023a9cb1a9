"""Custom Python tools: schema from signature and docstring, in a real turn with hooks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mgtui.config.models import CustomToolConfig
from mgtui.tools.custom import load_custom_tool, parse_docstring
from mgtui.tools.permissions import ToolError
from tests.support.model_server import ModelServer
from tests.tools.tool_support import new_session, of, read_events, tool_messages, uses_tools_then_answers

H = "tests.tools.fixtures.hook_handlers"


def test_schema_from_signature_and_google_docstring() -> None:
    tool = load_custom_tool(CustomToolConfig(function=f"{H}:echo"))
    spec = tool.spec()["function"]
    assert spec["name"] == "echo" and spec["description"] == "Repeat a text."
    params = spec["parameters"]
    assert params["required"] == ["text"]
    assert params["properties"]["text"] == {"type": "string", "description": "What to repeat."}
    assert params["properties"]["times"] == {"type": "integer", "default": 1, "description": "How many times."}
    assert params["additionalProperties"] is False


def test_schema_with_literal_optional_list_and_bound_args() -> None:
    tool = load_custom_tool(CustomToolConfig(function=f"{H}:lookup", name="weather", args={"api_key": "k"}))
    spec = tool.spec()["function"]
    props = spec["parameters"]["properties"]
    assert spec["name"] == "weather" and spec["description"] == "Look up the weather of a city."
    assert set(props) == {"city", "unit", "tags"}  # the bound api_key is hidden
    assert props["unit"]["enum"] == ["C", "F"] and props["unit"]["description"] == "Temperature unit."
    assert props["city"]["description"] == "The city name."
    assert {"type": "array", "items": {"type": "string"}} in props["tags"]["anyOf"]


def test_docstring_parsing_variants() -> None:
    assert parse_docstring(None) == ("", {})
    summary, params = parse_docstring("Do it.\n\nArgs:\n    a (int): first\n        continued\n    b: second\n")
    assert summary == "Do it." and params == {"a": "first continued", "b": "second"}


def test_bad_configs_are_errors() -> None:
    with pytest.raises(ValueError, match="module:function"):
        load_custom_tool(CustomToolConfig(function="no_colon"))
    with pytest.raises(ValueError, match="not parameters"):
        load_custom_tool(CustomToolConfig(function=f"{H}:echo", args={"nope": 1}))
    with pytest.raises(ModuleNotFoundError):
        load_custom_tool(CustomToolConfig(function="no.such.module:fn"))


async def test_async_tool_runs_with_bound_args_and_validated_arguments() -> None:
    tool = load_custom_tool(CustomToolConfig(function=f"{H}:lookup", args={"api_key": "k"}))
    assert json.loads(await tool.call({"city": "Oslo", "tags": ["x"]})) == {"city": "Oslo", "unit": "C", "tags": ["x"], "keyed": True}
    with pytest.raises(ToolError, match="unit"):
        await tool.call({"city": "Oslo", "unit": "K"})
    with pytest.raises(ToolError, match="api_key"):
        await tool.call({"city": "Oslo", "api_key": "stolen"})


async def test_custom_tool_and_hooks_in_a_real_turn(model_server: ModelServer, agent_config: Any, tmp_path: Path) -> None:
    calls = [("weather", {"city": "Oslo", "unit": "F"}), ("echo", {"text": "secret plan"}), ("echo", {"text": "hello"})]
    model_server.script("alpha", uses_tools_then_answers(calls, "Oslo is cold."))
    config = agent_config(["alpha"])
    config["agents"][0]["tools"] = [{"function": f"{H}:lookup", "name": "weather", "args": {"api_key": "k"}}, {"function": f"{H}:echo"}]
    config["agents"][0]["hooks"] = {"PreToolUse": [{"matcher": "echo", "handler": f"{H}:deny_secrets"}]}
    config["hooks"] = {"PostToolUse": [{"matcher": "weather", "handler": f"{H}:append_note"}]}
    session = new_session(config, tmp_path / "logs")
    result = await session.ask("Weather in Oslo?")
    await session.aclose()
    assert result.status == "ok" and result.final_answer == "Oslo is cold."
    requests = model_server.requests_for("alpha")
    assert {"weather", "echo", "new_answer"} <= set(requests[0].tool_names)
    sent = [m["content"] for m in tool_messages(requests[3])]
    tool_output, note = sent[0].split("\n\n")
    assert json.loads(tool_output) == {"city": "Oslo", "unit": "F", "tags": [], "keyed": True}
    assert note == f"[note: weather returned {len(tool_output)} characters]"
    assert sent[1] == "Error: denied by a hook: no secrets here"
    assert sent[2] == "hello"
    events = read_events(result.log_dir)
    assert [(e.hook, e.tool, e.outcome) for e in of(events, "hook_run", "alpha")] == [
        ("PostToolUse", "weather", "append"),
        ("PreToolUse", "echo", "deny"),
        ("PreToolUse", "echo", "allow"),
    ]
    trace = (Path(result.log_dir) / "turn_1" / "alpha" / "execution_trace_1.md").read_text()
    assert "hook on `echo`" in trace and "no secrets here" in trace


async def test_a_broken_custom_tool_is_an_agent_error_not_a_crash(model_server: ModelServer, agent_config: Any, tmp_path: Path) -> None:
    model_server.script("alpha", uses_tools_then_answers([("echo", {"text": "x"})], "fine"))
    config = agent_config(["alpha"])
    config["agents"][0]["tools"] = [{"function": "no.such.module:fn"}, {"function": f"{H}:echo"}]
    session = new_session(config, tmp_path / "logs")
    result = await session.ask("Go")
    await session.aclose()
    assert result.status == "ok"
    (error,) = of(read_events(result.log_dir), "agent_error", "alpha")
    assert not error.fatal and "no.such.module:fn" in error.error
