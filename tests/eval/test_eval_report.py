"""`mgtui eval` end to end against a scripted team on the loopback server (real LiteLLM,
real engine sessions): every number of the report is known in advance and asserted."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from mgtui.cli import main
from mgtui.eval.store import read_results
from mgtui.logs.store import list_sessions, read_session_info
from mgtui.providers.litellm_access import get_litellm
from tests.eval import eval_support as es
from tests.support.model_server import ModelServer
from tests.support.replies import RecordedRequest, Reply, error, rate_limited

# Published 95 % Wilson intervals for k of 10.
WILSON_OF_10 = {9: (0.5958, 0.9821), 5: (0.2366, 0.7634), 4: (0.1682, 0.6873), 3: (0.1078, 0.6032)}


def run_eval(tmp_path: Path, server: ModelServer, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict[str, Any], Path]:
    dataset, config = es.write_dataset(tmp_path), es.write_config(tmp_path, server.url)
    out = tmp_path / "out"
    code = main(["eval", str(dataset), "-c", str(config), "--out", str(out), "--json", "-q", *extra])
    return code, json.loads(capsys.readouterr().out), out


def system(data: dict[str, Any], name: str) -> dict[str, Any]:
    return data[name] if name in ("team", "majority") else data["singles"][name]


def test_every_number_of_the_report(model_server: ModelServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model_server.set_default(es.script)
    code, data, out = run_eval(tmp_path, model_server, capsys)
    assert code == 0
    assert data["n"] == 10 and data["score"] == "number" and data["suite"] == "questions.jsonl"
    for name, right in es.expected_correct().items():
        stats = system(data, name)
        assert (stats["n"], stats["correct"], stats["accuracy"]) == (10, len(right), len(right) / 10), name
        assert (stats["ci_low"], stats["ci_high"]) == pytest.approx(WILSON_OF_10[len(right)], abs=5e-5), name
        assert stats["errors"] == (1 if name == "gamma" else 0), name
    # alpha and beta both 5/10: the tie goes to the member listed first.
    assert data["best_single"] == "alpha"
    # team right / alpha wrong on q5-q9 (5), the reverse on q10 (1): 2 * (C(6,0) + C(6,1)) / 2^6
    assert data["team_vs_best"] == {"delta": pytest.approx(0.4), "p_value": 14 / 64, "paired": 10, "team_only": 5, "best_only": 1}
    assert [d["qid"] for d in data["disagreements"]] == ["q5", "q6", "q7", "q8", "q9", "q10"]
    assert data["disagreements"][-1] | {"question": ""} == {
        "qid": "q10", "question": "", "gold": "100", "team": "99", "best": "100", "team_correct": False, "best_correct": True}

    # Tokens: the team's are what its sessions logged (a call cancelled by a restart may have been
    # sent in full yet never read), each member's what the server reported; the majority's are its members'.
    logged = [0, 0]
    for folder in (out / "sessions").iterdir():
        for line in (folder / "events.jsonl").read_text(encoding="utf-8").splitlines():
            event = json.loads(line)
            if event["type"] == "usage":
                logged[0] += event["prompt_tokens"]
                logged[1] += event["completion_tokens"]
    assert [data["team"]["prompt_tokens"], data["team"]["completion_tokens"]] == logged and logged[0] > 0
    assert logged[0] <= es.served_tokens(model_server, with_tools=True)[0]
    for member in es.AGENTS:
        stats = data["singles"][member]
        assert (stats["prompt_tokens"], stats["completion_tokens"]) == es.served_tokens(model_server, False, member)
    for key in ("prompt_tokens", "completion_tokens"):
        assert data["majority"][key] == sum(data["singles"][m][key] for m in es.AGENTS)
    # Cost from LiteLLM's price map for the model.
    price = get_litellm().model_cost[es.MODEL]
    for name in ("team", "alpha", "majority"):
        stats = system(data, name)
        expected = stats["prompt_tokens"] * price["input_cost_per_token"] + stats["completion_tokens"] * price["output_cost_per_token"]
        assert stats["cost"] == pytest.approx(expected, rel=1e-6)
    assert data["majority"]["wall_s"] == pytest.approx(sum(data["singles"][m]["wall_s"] for m in es.AGENTS), abs=0.01)

    # One line per question and system; the per-question verdicts match the table.
    results = read_results(out)
    assert len(results.records) == 50 and not results.skipped
    right_by_system: dict[str, set[int]] = {}
    for record in results.records.values():
        name = record["agent"] or record["system"]
        if record["correct"]:
            right_by_system.setdefault(name, set()).add(int(record["qid"][1:]))
    assert right_by_system == es.expected_correct()
    gamma_q9 = results.records[("q9", "single", "gamma")]
    assert "bad request (scripted)" in gamma_q9["error"] and gamma_q9["pred"] is None
    assert results.records[("q5", "majority", "")]["votes"] == {"alpha": "3", "beta": "50", "gamma": None}

    # Each question's team turn is a normal session log, listed by the session browser's store.
    team = [r for r in results.records.values() if r["system"] == "team"]
    sessions = {row.path.name: row for row in list_sessions(out / "sessions")}
    assert len(sessions) == 10
    for record in team:
        info = read_session_info(out / record["session"])
        assert info.status == "ok" and info.turns[0].question.startswith(f"[{record['qid']}]")

    report = (out / "report.md").read_text(encoding="utf-8")
    assert "| team | 90.0% | 59.6%–98.2% | 10 | 0 |" in report
    assert "| alpha * | 50.0% | 23.7%–76.3% | 10 | 0 |" in report
    assert "| majority | 40.0% | 16.8%–68.7% | 10 | 0 |" in report
    assert "exact McNemar p = 0.2188" in report
    chart = ET.fromstring((out / "report.svg").read_text(encoding="utf-8"))
    bars = [e for e in chart.iter("{http://www.w3.org/2000/svg}rect") if e.find("{http://www.w3.org/2000/svg}title") is not None]
    assert [b.find("{http://www.w3.org/2000/svg}title").text for b in bars] == [  # type: ignore[union-attr]
        "team: 90.0%", "alpha: 50.0%", "beta: 50.0%", "gamma: 30.0%", "majority: 40.0%"]
    assert "cost (USD)" in (out / "report.svg").read_text(encoding="utf-8")


def test_a_failing_question_is_an_error_not_a_crash_and_model_text_is_cleaned(
    model_server: ModelServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The team fails q3 (every member's call is refused): that question is an error, the rest
    is scored. Escape sequences in questions and answers never reach the terminal or the report."""

    def script(request: RecordedRequest, index: int) -> Reply:
        if request.tools and es.question_of(request) == 3:
            return error(400, "refused (scripted)")
        reply = es.script(request, index)
        if not request.tools and es.question_of(request) == 2:  # a hostile answer
            return Reply(content="\x1b[2J\x1b]0;pwned\x07 20")
        return reply

    model_server.set_default(script)
    dataset = es.write_dataset(tmp_path)
    hostile = json.dumps({"id": "q2", "question": "[q2] \x1b[31mWhat\x1b[0m is 2 times ten?\x9b", "answer": 20})
    lines = dataset.read_text(encoding="utf-8").splitlines()
    dataset.write_text("\n".join([lines[0], hostile, *lines[2:]]) + "\n", encoding="utf-8")
    config = es.write_config(tmp_path, model_server.url, model="alpha-unpriced")
    out = tmp_path / "out"
    assert main(["eval", str(dataset), "-c", str(config), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    team = read_results(out).records[("q3", "team", "")]
    assert team["error"].startswith("no final answer (failed") and team["correct"] is False
    assert re.search(r"^team +80\.0% ", captured.out, re.MULTILINE)  # q3 and q10 wrong
    assert re.search(r"^gamma +40\.0% ", captured.out, re.MULTILINE)  # q2's hostile "20" is read as 20
    assert "unknown" in captured.out  # no price for this model name
    for text in (captured.out, captured.err, (out / "report.md").read_text(encoding="utf-8")):
        assert not any(ord(c) < 32 and c not in "\n\t" or 0x7F <= ord(c) <= 0x9F for c in text)
    assert "tokens (cost unknown)" in (out / "report.svg").read_text(encoding="utf-8")


def test_a_member_alone_honours_rate_limits_like_a_turn(model_server: ModelServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A 429 with Retry-After is waited out and retried (as in a turn), not scored as an error."""
    limited: list[RecordedRequest] = []

    def script(request: RecordedRequest, index: int) -> Reply:
        if not request.tools and es.member_of(request) == "alpha" and not limited:
            limited.append(request)
            return rate_limited(0.05)
        return es.script(request, index)

    model_server.set_default(script)
    code, data, out = run_eval(tmp_path, model_server, capsys, "--n", "1")
    assert code == 0 and limited
    alpha = [r for r in model_server.requests if not r.tools and es.member_of(r) == "alpha"]
    assert len(alpha) == 2  # the refused call and its retry
    assert data["singles"]["alpha"] | {"wall_s": 0, "cost": 0, "prompt_tokens": 0, "completion_tokens": 0} == {
        "n": 1, "correct": 1, "errors": 0, "accuracy": 1.0, "ci_low": pytest.approx(0.2065, abs=5e-5), "ci_high": 1.0,
        "wall_s": 0, "cost": 0, "prompt_tokens": 0, "completion_tokens": 0}
