"""`mgtui logs summary --json` against a small log written and counted by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mgtui.cli import logs_cmd

SID = "20261125-100000-abc123"
AGENTS = [{"id": "alpha", "model": "openai/gpt-4o-mini"}, {"id": "beta", "model": "local/smollm2"}]

# (seconds after 10:00:00, event) - two turns, counted by hand in the test below.
HAND_LOG: list[tuple[float, dict]] = [
    (0.0, {"type": "session_started", "turn": 0, "config": {}, "agents": AGENTS}),
    # turn 1
    (0.0, {"type": "turn_started", "turn": 1, "question": "Q one?", "history_len": 0}),
    (0.0, {"type": "agent_started", "turn": 1, "agent": "alpha", "reason": "start", "round": 1}),
    (0.0, {"type": "agent_started", "turn": 1, "agent": "beta", "reason": "start", "round": 1}),
    (1.0, {"type": "agent_error", "turn": 1, "agent": "beta", "error": "429", "kind": "provider", "retry_in": 1.0}),
    (2.0, {"type": "agent_started", "turn": 1, "agent": "beta", "reason": "retry", "attempt": 2, "round": 1}),
    (3.0, {"type": "tool_call", "turn": 1, "agent": "alpha", "call_id": "c1", "name": "read_file", "arguments": {"path": "x"}}),
    (3.5, {"type": "tool_result", "turn": 1, "agent": "alpha", "call_id": "c1", "name": "read_file", "error": "nope"}),
    (4.0, {"type": "answer", "turn": 1, "agent": "alpha", "label": "agent1.1", "content": "A1", "answer_index": 1}),
    (4.0, {"type": "usage", "turn": 1, "agent": "alpha", "prompt_tokens": 100, "completion_tokens": 10}),
    (6.0, {"type": "answer", "turn": 1, "agent": "beta", "label": "agent2.1", "content": "B1", "answer_index": 1}),
    (6.0, {"type": "usage", "turn": 1, "agent": "beta", "prompt_tokens": 50, "completion_tokens": 5}),
    (6.5, {"type": "agent_started", "turn": 1, "agent": "alpha", "reason": "restart", "round": 2}),
    (7.0, {"type": "vote", "turn": 1, "agent": "alpha", "target": "beta", "label": "agent2.1", "reason": "r1"}),
    (7.0, {"type": "usage", "turn": 1, "agent": "alpha", "prompt_tokens": 120, "completion_tokens": 12}),
    (7.5, {"type": "agent_started", "turn": 1, "agent": "beta", "reason": "restart", "round": 2}),
    (8.0, {"type": "answer", "turn": 1, "agent": "beta", "label": "agent2.2", "content": "B2", "answer_index": 2}),
    (8.0, {"type": "votes_reset", "turn": 1, "by": "beta", "cleared": ["alpha"]}),
    (8.3, {"type": "vote_ignored", "turn": 1, "agent": "alpha", "target": "beta", "why": "stale"}),
    (8.5, {"type": "agent_started", "turn": 1, "agent": "alpha", "reason": "restart", "round": 3}),
    (9.0, {"type": "vote", "turn": 1, "agent": "alpha", "target": "beta", "label": "agent2.2", "reason": "r2"}),
    (9.5, {"type": "agent_started", "turn": 1, "agent": "beta", "reason": "restart", "round": 3, "vote_only": True}),
    (10.0, {"type": "vote", "turn": 1, "agent": "beta", "target": "beta", "label": "agent2.2", "reason": "r3"}),
    (10.0, {"type": "consensus", "turn": 1, "winner": "beta", "tally": {"alpha": 0, "beta": 2}}),
    (10.1, {"type": "agent_started", "turn": 1, "agent": "beta", "reason": "present", "round": 3}),
    (10.2, {"type": "final_started", "turn": 1, "agent": "beta", "strategy": "winner_present"}),
    (12.0, {"type": "final_answer", "turn": 1, "agent": "beta", "content": "Final one"}),
    (12.0, {"type": "turn_finished", "turn": 1, "status": "ok", "winner": "beta", "duration_s": 12.0,
            "usage": {"alpha": {"prompt_tokens": 999, "completion_tokens": 99}}}),
    # turn 2 (starts at 60 s); beta reports no usage events, only the turn total
    (60.0, {"type": "turn_started", "turn": 2, "question": "Q two?", "history_len": 2}),
    (60.0, {"type": "agent_started", "turn": 2, "agent": "alpha", "reason": "start", "round": 1}),
    (60.0, {"type": "agent_started", "turn": 2, "agent": "beta", "reason": "start", "round": 1}),
    (62.0, {"type": "answer", "turn": 2, "agent": "beta", "label": "agent2.1", "content": "B", "answer_index": 1}),
    (62.9, {"type": "tool_call", "turn": 2, "agent": "alpha", "call_id": "w", "name": "new_answer", "arguments": {}}),
    (63.0, {"type": "answer", "turn": 2, "agent": "alpha", "label": "agent1.1", "content": "A", "answer_index": 1}),
    (63.0, {"type": "usage", "turn": 2, "agent": "alpha", "prompt_tokens": 200, "completion_tokens": 20}),
    (64.0, {"type": "agent_started", "turn": 2, "agent": "beta", "reason": "restart", "round": 2}),
    (64.0, {"type": "agent_started", "turn": 2, "agent": "alpha", "reason": "restart", "round": 2}),
    (65.0, {"type": "vote", "turn": 2, "agent": "beta", "target": "alpha", "label": "agent1.1", "reason": "r4"}),
    (65.5, {"type": "vote", "turn": 2, "agent": "alpha", "target": "alpha", "label": "agent1.1", "reason": "r5"}),
    (65.5, {"type": "consensus", "turn": 2, "winner": "alpha", "tally": {"alpha": 2, "beta": 0}}),
    (66.0, {"type": "final_answer", "turn": 2, "agent": "alpha", "content": "Final two"}),
    (66.0, {"type": "turn_finished", "turn": 2, "status": "ok", "winner": "alpha", "duration_s": 6.0,
            "usage": {"alpha": {"prompt_tokens": 200, "completion_tokens": 20}, "beta": {"prompt_tokens": 300, "completion_tokens": 30}}}),
]


def write_hand_log(root: Path) -> Path:
    folder = root / SID
    folder.mkdir(parents=True)
    lines = []
    for offset, event in HAND_LOG:
        minutes, seconds = divmod(offset, 60)
        lines.append(json.dumps({**event, "session": SID, "ts": f"2026-11-25T10:{int(minutes):02d}:{seconds:06.3f}Z"}))
    (folder / "events.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert logs_cmd.main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_summary_numbers_match_the_hand_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_hand_log(tmp_path)
    data = run_json(capsys, "summary", SID, "--log-dir", str(tmp_path), "--json", "--no-cost")
    alpha, beta = data["totals"]["alpha"], data["totals"]["beta"]
    assert {k: alpha[k] for k in ("answers", "votes_given", "votes_received", "votes_ignored", "wins")} == {
        "answers": 2, "votes_given": 3, "votes_received": 2, "votes_ignored": 1, "wins": 1}
    assert {k: beta[k] for k in ("answers", "votes_given", "votes_received", "votes_ignored", "wins")} == {
        "answers": 3, "votes_given": 2, "votes_received": 3, "votes_ignored": 0, "wins": 1}
    assert (alpha["runs"], alpha["rounds"], alpha["restarts"], alpha["retries"], alpha["errors"]) == (5, 5, 3, 0, 0)
    assert (beta["runs"], beta["rounds"], beta["restarts"], beta["retries"], beta["errors"]) == (7, 5, 3, 1, 1)
    assert (alpha["tool_calls"], alpha["tool_errors"], alpha["tools"]) == (1, 1, {"read_file": 1})  # new_answer is not a tool
    assert beta["tool_calls"] == 0
    # usage events win over the turn total; beta's turn 2 only has the total
    assert (alpha["prompt_tokens"], alpha["completion_tokens"]) == (420, 42)
    assert (beta["prompt_tokens"], beta["completion_tokens"]) == (350, 35)
    assert alpha["first_answer_s"] == [4.0, 3.0] and alpha["mean_first_answer_s"] == 3.5
    assert beta["first_answer_s"] == [6.0, 2.0] and beta["mean_first_answer_s"] == 4.0


def test_summary_vote_flow_per_round(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_hand_log(tmp_path)
    data = run_json(capsys, "summary", SID, "--log-dir", str(tmp_path), "--json", "--no-cost")
    turn1, turn2 = data["turns"]
    assert (turn1["winner"], turn1["question"], turn1["duration_s"], turn1["tally"]) == ("beta", "Q one?", 12.0, {"alpha": 0, "beta": 2})
    flow = [[(v["voter"], v["target"], v["label"], v["counted"]) for v in r["votes"]] for r in turn1["rounds"]]
    assert flow == [
        [("alpha", "beta", "agent2.1", True)],
        [("alpha", "beta", "", False), ("alpha", "beta", "agent2.2", True), ("beta", "beta", "agent2.2", True)],
    ]
    assert [(v["voter"], v["target"]) for r in turn2["rounds"] for v in r["votes"]] == [("beta", "alpha"), ("alpha", "alpha")]
    assert turn2["final_answer"] == "Final two"


def test_summary_turn_filter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_hand_log(tmp_path)
    data = run_json(capsys, "summary", SID, "--log-dir", str(tmp_path), "--json", "--no-cost", "--turn", "2")
    assert [t["turn"] for t in data["turns"]] == [2]


def test_summary_cost_from_litellm_map(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_hand_log(tmp_path)
    data = run_json(capsys, "summary", SID, "--log-dir", str(tmp_path), "--json")
    alpha, beta = data["totals"]["alpha"], data["totals"]["beta"]
    # gpt-4o-mini: $0.15 per million prompt tokens, $0.60 per million completion tokens
    assert alpha["cost_known"] and alpha["cost_usd"] == pytest.approx(420 * 0.15e-6 + 42 * 0.60e-6)
    assert (beta["cost_known"], beta["cost_usd"]) == (False, None)  # local model: unknown


def test_summary_human_output_has_tables_and_chart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_hand_log(tmp_path)
    assert logs_cmd.main(["summary", SID, "--log-dir", str(tmp_path), "--no-cost"]) == 0
    out = capsys.readouterr().out
    assert "vote flow" in out and "Turn 2" in out and "★" in out


def test_unknown_session_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert logs_cmd.main(["summary", "nope", "--log-dir", str(tmp_path)]) == 1
    assert "no session 'nope'" in capsys.readouterr().err


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _fixture_session(root: Path, name: str) -> str:
    lines = (FIXTURES / name).read_text(encoding="utf-8")
    sid = json.loads(lines.splitlines()[0])["session"]
    (root / sid).mkdir(parents=True)
    (root / sid / "events.jsonl").write_text(lines, encoding="utf-8")
    return sid


def test_summary_counts_a_council_turn(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sid = _fixture_session(tmp_path, "council_one_turn.jsonl")
    data = run_json(capsys, "summary", sid, "--log-dir", str(tmp_path), "--json", "--no-cost")
    (turn,) = data["turns"]
    assert (turn["method"], turn["winner"], turn["how"]) == ("council", "pragmatist", "ranking")
    assert turn["aggregate_rank"] == {"skeptic": 2.0, "pragmatist": 1.333, "scholar": 2.667}
    assert turn["rankings"]["skeptic"] == ["pragmatist", "skeptic", "scholar"]
    totals = data["totals"]
    assert {a: (s["rankings"], s["first_places"], s["runs"], s["rounds"]) for a, s in totals.items()} == {
        "skeptic": (1, 1, 2, 2), "pragmatist": (1, 2, 3, 2), "scholar": (1, 0, 2, 2)}  # pragmatist also presented
    assert run_json(capsys, "summary", sid, "--log-dir", str(tmp_path), "--json", "--no-cost")["turns"][0]["rounds"] == []
    assert logs_cmd.main(["summary", sid, "--log-dir", str(tmp_path), "--no-cost"]) == 0
    out = capsys.readouterr().out
    assert "rankings" in out and "mean rank" in out and "pragmatist 1.333" in out and "≡ ranking" in out  # the tally wraps


def test_council_runs_are_ranking_runs_not_other(tmp_path: Path) -> None:
    from mgtui.logs.reader import read_events
    from mgtui.logs.summary import summarize

    sid = _fixture_session(tmp_path, "council_one_turn.jsonl")
    events, _ = read_events(tmp_path / sid)
    (turn,) = summarize(events).turns
    kinds = sorted({span.reason for span in turn.spans})
    assert kinds == ["present", "rank", "start"]
    assert sum(1 for m in turn.marks if m.kind == "ranking") == 3


def test_turn_facts_are_the_turn_state(tmp_path: Path) -> None:
    from mgtui.engine.turn_state import fold_log
    from mgtui.logs.reader import read_events
    from mgtui.logs.summary import summarize

    folder = write_hand_log(tmp_path)
    events, _ = read_events(folder)
    summary = summarize(events)
    assert [t.state for t in summary.turns] == fold_log(folder / "events.jsonl")
    first = summary.turns[0]
    assert [a.label for a in first.answers] == ["agent1.1", "agent2.1", "agent2.2"]  # posting order, with times
    assert [a.t for a in first.answers] == [4.0, 6.0, 8.0]


def test_a_long_tally_wraps_and_leaves_the_turn_its_columns(tmp_path: Path) -> None:
    # Sixteen agents each with a vote: the tally was a no-wrap column that squeezed turn,
    # question, status and winner to nothing in `mgtui logs summary` (even at 120 columns).
    from rich.console import Console

    from mgtui.logs.reader import read_events
    from mgtui.logs.summary import summarize
    from mgtui.logs.tables import turns_table

    ids = [f"specialist{n:02d}" for n in range(16)]
    events = [{"type": "session_started", "turn": 0, "config": {}, "agents": [{"id": a, "model": "openai/m"} for a in ids]},
              {"type": "turn_started", "turn": 1, "question": "Which?", "history_len": 0}]
    for n, agent in enumerate(ids):
        events.append({"type": "answer", "turn": 1, "agent": agent, "label": f"agent{n + 1}.1", "content": "A", "answer_index": 1})
    for n, agent in enumerate(ids):
        target = ids[(n + 1) % 16]
        events.append({"type": "vote", "turn": 1, "agent": agent, "target": target, "label": "x", "reason": "r"})
    events += [{"type": "consensus", "turn": 1, "winner": ids[1], "tally": {a: 1 for a in ids}},
               {"type": "turn_finished", "turn": 1, "status": "ok", "winner": ids[1], "duration_s": 3.0}]
    folder = tmp_path / SID
    folder.mkdir()
    (folder / "events.jsonl").write_text("".join(json.dumps({**e, "session": SID, "ts": "2026-11-25T10:00:00.000Z"}) + "\n" for e in events))
    console = Console(width=100, record=True)
    console.print(turns_table(summarize(read_events(folder)[0])))
    text = console.export_text()
    header = next(line for line in text.splitlines() if "tally" in line)
    assert "turn" in header and "question" in header and "status" in header and "winner" in header
    assert "Which?" in text and "specialist01" in text and "3.0 s" in text
    assert "specialist15 1" in text  # the whole tally, wrapped
