"""Terminal escapes in model answers and client questions are shown, never executed, by the CLIs.

The real commands run in-process (`main(argv)`, stdout/stderr captured): `mgtui run` against the
loopback model server, then `mgtui logs list|summary|analyze` on the log it wrote.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from mgtui.cli import logs_cmd, run_cmd
from mgtui.terminal_text import safe, safe_json
from tests.support import replies as R
from tests.support.model_server import ModelServer

OSC52 = "\x1b]52;c;cm0gLXJmIH4K\x07"  # writes the clipboard
CLEAR = "\x1b[2J\x1b[H"
TITLE = "\x1b]0;pwned\x07"
C1_CSI = "\x9b2J"  # CSI without ESC
HOSTILE = f"A{OSC52}B{CLEAR}C{TITLE}D{C1_CSI}E\rF"
# Anything that could start or carry a sequence on a terminal.
FORBIDDEN = ("\x1b", "\x07", "\x9b", "\x9d", "\r")


def _assert_clean(text: str, where: str) -> None:
    for char in FORBIDDEN:
        assert char not in text, f"{where} holds {char!r}"


def test_safe_shows_controls_and_keeps_newlines_and_tabs() -> None:
    assert safe("a\x1b[2Jb\tc\nd\x9be\x7f") == "a␛[2Jb\tc\nd\\x9be\u2421"
    assert safe_json(json.dumps({"q": "x\x9by\x1b"}, ensure_ascii=False)) == '{"q": "x\\u009by\\u001b"}'
    assert json.loads(safe_json(json.dumps({"q": "x\x9by"}, ensure_ascii=False))) == {"q": "x\x9by"}  # same data


@pytest.fixture
def hostile_session(model_server: ModelServer, agent_config, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str, str]:
    """Runs `mgtui run` on a hostile question with a team answering hostile text."""
    for agent in ("alpha", "beta"):
        model_server.script(agent, R.answer_then_vote(f"answer {HOSTILE}", vote_for="agent1", reason=f"why {HOSTILE}", final=f"final {HOSTILE}"))
    config = tmp_path / "team.yaml"
    config.write_text(yaml.safe_dump(agent_config(["alpha", "beta"])))
    logs = tmp_path / "logs"
    code = run_cmd.main(["-c", str(config), "--log-dir", str(logs), f"question {HOSTILE}"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return logs, out, err


def test_mgtui_run_prints_no_escapes_but_the_log_keeps_them(hostile_session: tuple[Path, str, str]) -> None:
    logs, out, err = hostile_session
    _assert_clean(out, "stdout")
    _assert_clean(err, "stderr progress")
    assert "final A␛]52;c;cm0gLXJmIH4K␇B␛[2J␛[HC␛]0;pwned␇D\\x9b2JE␍F" in out  # visible, nothing dropped
    assert "answered" in err and "votes" in err  # the progress lines carrying model text were printed
    (events,) = logs.glob("*/events.jsonl")
    raw = [json.loads(line) for line in events.read_text().splitlines()]
    assert any(e.get("content") == f"final {HOSTILE}" for e in raw)  # the log is unchanged


def test_mgtui_run_json_escapes_c1(model_server: ModelServer, agent_config, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for agent in ("alpha", "beta"):
        model_server.script(agent, R.answer_then_vote("a", vote_for="agent1", final=f"final {HOSTILE}"))
    config = tmp_path / "team.yaml"
    config.write_text(yaml.safe_dump(agent_config(["alpha", "beta"])))
    assert run_cmd.main(["-c", str(config), "--log-dir", str(tmp_path / "logs"), "-q", "--json", "q"]) == 0
    out = capsys.readouterr().out
    _assert_clean(out, "json stdout")
    assert json.loads(out)["final_answer"] == f"final {HOSTILE}"  # the JSON still carries the exact text


@pytest.mark.parametrize("command", [["list"], ["summary", "--no-cost"], ["analyze"], ["list", "--json"], ["summary", "--no-cost", "--json"], ["analyze",
    "--json"]])
def test_logs_commands_print_no_escapes(hostile_session: tuple[Path, str, str], capsys: pytest.CaptureFixture[str], monkeypatch, command: list[str]) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # wide tables: the question is shown, not cut
    logs, _, _ = hostile_session
    assert logs_cmd.main([*command, "--log-dir", str(logs)]) == 0
    out, err = capsys.readouterr()
    _assert_clean(out, f"logs {' '.join(command)} stdout")
    _assert_clean(err, f"logs {' '.join(command)} stderr")
    shown = "question A\\u001b]52" if "--json" in command else "question A␛]52"
    assert shown in out  # the hostile question itself was printed, visibly
