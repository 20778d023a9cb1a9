"""The analysis prompt carries the record; `logs analyze` prints it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mgtui.cli import logs_cmd
from mgtui.logs.analyze import build_prompt
from mgtui.logs.reader import read_events
from mgtui.logs.summary import summarize
from tests.support.log_factory import make_session


def test_prompt_holds_questions_answers_votes_and_finals(tmp_path: Path) -> None:
    folder = make_session(tmp_path, turns=2, seed=6)
    events, _ = read_events(folder)
    prompt = build_prompt(summarize(events))
    for e in events:
        if e.type == "turn_started":
            assert e.question in prompt
        elif e.type == "answer":
            assert f"Answer {e.label} by {e.agent}" in prompt and e.content in prompt
        elif e.type == "vote":
            assert f"{e.agent} -> {e.target} ({e.label})" in prompt and e.reason in prompt
        elif e.type == "final_answer":
            assert e.content in prompt
    assert "| agent | model |" in prompt and "Recommendations" in prompt


def test_long_answers_are_clipped_and_turns_can_be_chosen(tmp_path: Path) -> None:
    folder = make_session(tmp_path, turns=2, seed=6)
    events, _ = read_events(folder)
    for e in events:
        if e.type == "answer":
            e.content = "x" * 5000
    summary = summarize(events)
    prompt = build_prompt(summary, turns=[2])
    assert "## Turn 2" in prompt and "## Turn 1" not in prompt
    assert "x" * 5000 not in prompt and "more characters]" in prompt


def test_cli_prints_the_prompt_and_saves_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = make_session(tmp_path / "logs", turns=1, seed=6)
    out_file = tmp_path / "prompt.md"
    assert logs_cmd.main(["analyze", folder.name, "--log-dir", str(tmp_path / "logs"), "--json", "-o", str(out_file)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["path"] == str(folder) and data["prompt"] == out_file.read_text()
    assert f"# Session {folder.name}" in data["prompt"]


def test_cli_list_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for seed in range(3):
        make_session(tmp_path, turns=1, seed=seed)
    assert logs_cmd.main(["list", "--log-dir", str(tmp_path), "--json", "--limit", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["sessions"]) == 2 and data["sessions"][0]["created"] > data["sessions"][1]["created"]


def test_prompt_of_a_council_turn_has_the_rankings() -> None:
    from mgtui.engine.events import parse_event

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "council_one_turn.jsonl"
    events = [parse_event(line) for line in fixture.read_text(encoding="utf-8").splitlines()]
    prompt = build_prompt(summarize(events))
    assert "- skeptic: pragmatist > skeptic > scholar" in prompt and "clearest (agent2)" in prompt
    assert "**Council:** pragmatist by ranking; mean rank (1 = best) pragmatist: 1.333, skeptic: 2, scholar: 2.667" in prompt
    assert "### Final answer (by pragmatist)" in prompt and "**Consensus:**" not in prompt
