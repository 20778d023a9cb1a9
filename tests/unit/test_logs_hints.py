"""`mgtui logs summary` counts the person's hints (and the human vote is just a vote)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mgtui.cli import logs_cmd
from mgtui.engine.events import Hint, event_to_json, parse_event
from mgtui.logs.summary import summarize
from tests.tui.engines import FIXTURES


def with_hints(folder: Path) -> Path:
    lines = (FIXTURES / "three_agents_one_turn.jsonl").read_text(encoding="utf-8").splitlines()
    session = json.loads(lines[0])["session"]
    hints = [event_to_json(Hint(session=session, turn=1, text=t, to=["alpha"])) for t in ("use Celsius", "be brief")]
    session_dir = folder / session
    session_dir.mkdir(parents=True)
    (session_dir / "events.jsonl").write_text("\n".join(lines[:5] + hints + lines[5:]) + "\n", encoding="utf-8")
    return session_dir


def test_summary_counts_hints(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = with_hints(tmp_path)
    events = [parse_event(line) for line in (folder / "events.jsonl").read_text().splitlines()]
    assert [h.text for h in summarize(events).turns[0].state.hints] == ["use Celsius", "be brief"]
    assert logs_cmd.main(["summary", folder.name, "--log-dir", str(tmp_path), "--json", "--no-cost"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["turns"][0]["hints"] == ["use Celsius", "be brief"]
    assert logs_cmd.main(["summary", folder.name, "--log-dir", str(tmp_path), "--no-cost"]) == 0
    assert "hints" in capsys.readouterr().out
