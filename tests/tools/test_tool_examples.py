"""The shipped tool examples: a framework callable and a nested team, each as a custom tool."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mgtui.config.loader import load_config_file
from mgtui.config.models import CustomToolConfig
from mgtui.config.shipped import data_dir
from mgtui.tools.custom import load_custom_tool, tool_from_function
from mgtui.tools.framework_example import text_stats
from mgtui.tools.nested_team import ask_team
from tests.support import replies as R
from tests.support.model_server import ModelServer
from tests.tools.tool_support import new_session, tool_messages, uses_tools_then_answers


@pytest.mark.parametrize("name", ["framework_tool", "nested_team"])
def test_example_configs_validate_and_their_tools_load(name: str) -> None:
    loaded = load_config_file(data_dir("configs") / f"{name}.yaml")
    assert loaded.warnings == [] and loaded.config.description
    specs = [load_custom_tool(t).spec() for a in loaded.config.agents for t in a.tools]
    assert specs
    for spec in specs:
        assert "config" not in spec["function"]["parameters"]["properties"]  # bound, never model input


def test_framework_callable_through_the_tool() -> None:
    assert text_stats("the cat and the hat", top=1) == {"words": 5, "unique": 4, "top": [("the", 2)]}


def test_keyword_only_parameters_are_configuration() -> None:
    spec = tool_from_function(ask_team).spec()["function"]["parameters"]
    assert list(spec["properties"]) == ["question"]

    def needs(question: str, *, secret: str) -> str:
        return question

    with pytest.raises(ValueError, match="must be bound"):
        tool_from_function(needs)


async def test_nested_team_answers_through_the_tool(model_server: ModelServer, agent_config: Any, tmp_path: Path) -> None:
    inner = agent_config(["inner1", "inner2"], log_dir=str(tmp_path / "inner-logs"))
    model_server.script("inner1", R.answer_then_vote("Inner says 42."))
    model_server.script("inner2", R.answer_then_vote("Inner says 42!"))
    model_server.script("outer", uses_tools_then_answers([("ask_team", {"question": "What is 6 x 7?"})], "The team says 42."))
    config = agent_config(["outer"])
    config["agents"][0]["tools"] = [{"function": "mgtui.tools.nested_team:ask_team", "args": {"config": inner}}]
    session = new_session(config, tmp_path / "logs")
    result = await session.ask("Ask the team: 6 x 7?")
    await session.aclose()
    assert result.status == "ok" and result.final_answer == "The team says 42."
    (sent,) = tool_messages(model_server.requests_for("outer")[1])
    assert sent["content"] == "Inner says 42."
    assert "What is 6 x 7?" in model_server.requests_for("inner1")[0].last_user_text
    assert len(list((tmp_path / "inner-logs").glob("*/events.jsonl"))) == 1


async def test_framework_tool_in_a_turn(model_server: ModelServer, agent_config: Any, tmp_path: Path) -> None:
    model_server.script("alpha", uses_tools_then_answers([("text_stats", {"text": "a b a", "top": 1})], "a wins"))
    config = agent_config(["alpha"])
    config["agents"][0]["tools"] = [CustomToolConfig(function="mgtui.tools.framework_example:text_stats").model_dump()]
    session = new_session(config, tmp_path / "logs")
    result = await session.ask("Most common word?")
    await session.aclose()
    (sent,) = tool_messages(model_server.requests_for("alpha")[1])
    assert result.status == "ok"
    assert sent["content"] == '{"words": 3, "unique": 2, "top": [["a", 2]]}'
