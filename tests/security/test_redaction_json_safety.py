"""Redaction runs on the serialised JSON line: it must never cut across JSON structure.

A model controls several strings of one event (a tool call's argument keys and values, a
council ranking's reasons). With `scheme://user:` at the end of one string and `@` at the start
of the next, the URL-password pattern used to match across the quotes, commas and brackets in
between: the line became invalid JSON (the turn failed on the model's say-so) or valid JSON with
the fields between merged away.
"""

from __future__ import annotations

from pathlib import Path

from mgtui.engine.events import Ranking, ToolCall, parse_event
from mgtui.engine.logwriter import Redactor, SessionLog
from tests.engine.scenario_support import ask_once
from tests.support import replies as R
from tests.support.model_server import ModelServer

HOSTILE_ARGS = {"path": "notes.txt", "a": "z://u:x", "b": ["@", {"c": "@"}], "d": "http://bob:hunter2pass@127.0.0.1/x"}


def test_url_password_pattern_stays_inside_one_json_string(tmp_path: Path) -> None:
    log = SessionLog(tmp_path / "s", Redactor([]))
    for event in (
        ToolCall(agent="a1", name="read_file", arguments=HOSTILE_ARGS),
        Ranking(agent="a1", order=["a1", "a2"], reasons={"a1": "see z://u:", "a2": "@ once"}),
    ):
        line, written = log.write(event)
        again = parse_event(line)  # still one valid event
        assert again.model_dump(exclude={"ts"}) == written.model_dump(exclude={"ts"})
        assert "hunter2pass" not in line
    call = parse_event(log.write(ToolCall(agent="a1", name="x", arguments=HOSTILE_ARGS))[0])
    assert set(call.arguments) == {"path", "a", "b", "d"}  # no field swallowed by the mask
    assert call.arguments["d"] == "http://bob:***@127.0.0.1/x"


def _plain(request: R.RecordedRequest, _index: int) -> R.Reply:
    if request.vote_enum:
        return R.vote(request.vote_enum[0], "fine")
    return R.new_answer("Paris.") if "new_answer" in request.tool_names else R.text("Paris.")


async def test_a_model_cannot_break_the_log_line_of_its_own_tool_call(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    def policy(request: R.RecordedRequest, index: int) -> R.Reply:
        if "new_answer" in request.tool_names and not request.vote_enum and not any(m.get("role") == "tool" for m in request.messages):
            return R.tool_call("read_file", HOSTILE_ARGS)
        return _plain(request, index)

    model_server.script("alpha", policy)
    model_server.script("beta", _plain)
    result, log = await ask_once(agent_config(["alpha", "beta"], agent_workspaces=True), tmp_path)
    calls = log.of("tool_call", agent="alpha")
    assert calls and set(calls[0].arguments) == set(HOSTILE_ARGS)
    assert result.status == "ok"
    for path in log.folder.rglob("*"):
        if path.is_file():
            assert b"hunter2pass" not in path.read_bytes(), path


def test_a_secret_spelled_like_json_syntax_still_leaves_a_valid_line(tmp_path: Path) -> None:
    # An env var value (`*_TOKEN`) is a secret whatever it looks like; masking it in the line
    # must not break the line: each string is then redacted on its own.
    from mgtui.engine.events import TextDelta

    log = SessionLog(tmp_path / "s", Redactor(['","phase":"']))
    line, written = log.write(TextDelta(agent="a1", delta='say ","phase":" twice'))
    assert parse_event(line).delta == "say *** twice" == written.delta
    assert written.phase == "coordination"
