"""A model's tool arguments nested hundreds of levels deep used to fail its whole run: past ~250
levels the log could not serialise the tool_call event, past ~1000 json's decoder raised
RecursionError. Now the call is refused and the model is told why; the turn goes on."""

from __future__ import annotations

from pathlib import Path

import pytest

from mgtui.engine.agent import MAX_ARGUMENT_DEPTH, json_depth
from tests.engine.scenario_support import ask_once
from tests.support import replies as R
from tests.support.model_server import ModelServer


@pytest.mark.parametrize("depth", [300, 5000])
async def test_deeply_nested_tool_arguments_are_refused_not_fatal(model_server: ModelServer, agent_config, tmp_path: Path, depth: int) -> None:
    deep = "[" * depth + "]" * depth

    def policy(request: R.RecordedRequest, _index: int) -> R.Reply:
        if request.vote_enum:
            return R.vote(request.vote_enum[0], "ok")
        if "new_answer" in request.tool_names and not any(m.get("role") == "tool" for m in request.messages):
            return R.tool_call("read_file", '{"path": "x.txt", "deep": ' + deep + "}")
        return R.new_answer("Paris.") if "new_answer" in request.tool_names else R.text("Paris.")

    model_server.script("alpha", policy)
    model_server.script("beta", policy)
    result, log = await ask_once(agent_config(["alpha", "beta"], agent_workspaces=True), tmp_path)
    assert result.status == "ok" and not log.of("agent_error")
    told = [m for r in model_server.requests_for("alpha") for m in r.messages if m.get("role") == "tool"]
    assert told and "nested deeper than" in str(told[0].get("content"))


def test_json_depth_is_iterative() -> None:
    value: list[object] = []
    for _ in range(100_000):
        value = [value]
    assert json_depth(value) == 100_001 > MAX_ARGUMENT_DEPTH
    assert json_depth({"a": [1, {"b": 2}]}) == 3 and json_depth("x") == 0
