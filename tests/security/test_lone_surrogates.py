"""A provider may stream lone UTF-16 surrogates (`"\\ud83d"` in its JSON). Python keeps them,
UTF-8 cannot: one such character used to fail the agent's run (its text event could not be
serialised), and once inside an answer, every other agent's request that quoted it."""

from __future__ import annotations

from pathlib import Path

from mgtui.engine.events import TextDelta, ToolResult
from mgtui.engine.logwriter import Redactor, SessionLog
from mgtui.engine.utf8 import utf8_safe
from tests.engine.scenario_support import ask_once
from tests.support import replies as R
from tests.support.model_server import ModelServer


def _hostile(request: R.RecordedRequest, _index: int) -> R.Reply:
    if request.vote_enum:
        return R.vote(request.vote_enum[0], "fine \ud800 reason")
    if "new_answer" in request.tool_names:
        return R.new_answer("Paris \udcff.", text="thinking \ud83d")
    return R.text("Final \ud800 Paris \ud83d\ude00")


async def test_lone_surrogates_from_a_model_do_not_fail_the_turn(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    model_server.script("alpha", _hostile)
    model_server.script("beta", _hostile)
    result, log = await ask_once(agent_config(["alpha", "beta"]), tmp_path)
    assert result.status == "ok", [e for e in log.events if e.type == "agent_error"]
    assert not log.of("agent_error")
    assert result.final_answer == "Final \ufffd Paris \U0001F600"  # a whole pair is kept
    assert "Paris \ufffd." in [e.content for e in log.of("answer")]
    assert all("\ufffd" in e.reason for e in log.of("vote"))
    for path in log.folder.rglob("*"):
        if path.is_file():
            path.read_bytes().decode("utf-8")  # every file is valid UTF-8
    for request in model_server.requests:  # what later requests quoted was sent whole
        assert "\ud800" not in request.all_text


def test_the_log_cleans_an_event_from_any_other_source(tmp_path: Path) -> None:
    log = SessionLog(tmp_path / "s", Redactor([]))
    line, written = log.write(ToolResult(agent="a1", name="mcp_tool", result={"k\udc80": ["v\ud800"]}))
    assert line.encode("utf-8") and written.result == {"k\ufffd": ["v\ufffd"]}
    line, written = log.write(TextDelta(agent="a1", delta="x\ud83d"))
    assert written.delta == "x\ufffd"
    assert utf8_safe("ok \ud83d\ude00") == "ok \U0001F600"
