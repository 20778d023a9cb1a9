"""Ctrl+C keeps what finished, and a rerun with the same --out picks up where it stopped.

The interrupted run is a real `mgtui eval` process sent SIGINT while question 4's team turn
is held open by the loopback server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from mgtui.cli import main
from mgtui.eval.store import read_meta, read_results
from tests.eval import eval_support as es
from tests.support.model_server import ModelServer
from tests.support.replies import RecordedRequest, Reply

ROOT = Path(__file__).resolve().parents[2]


def test_interrupted_eval_keeps_finished_questions_and_resumes(
    model_server: ModelServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    release = threading.Event()

    def script(request: RecordedRequest, index: int) -> Reply:
        reply = es.script(request, index)
        if request.tools and es.question_of(request) == 4:
            return Reply(content=reply.content, tool_calls=reply.tool_calls, hold=release)
        return reply

    model_server.set_default(script)
    dataset, config = es.write_dataset(tmp_path), es.write_config(tmp_path, model_server.url)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "mgtui", "eval", str(dataset), "-c", str(config), "--out", str(out), "--concurrency", "1"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_OFFLINE_MODE": "true"}
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        model_server.wait_until(lambda s: any(r.tools and es.question_of(r) == 4 for r in s.requests), timeout=120)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        release.set()
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, stderr
    assert "finished questions are kept" in stderr and f"--out {out}" in stderr

    # q1-q3 finished before the interrupt: all five systems of each are kept; q4 is not.
    first = read_results(out)
    assert sorted({qid for qid, _, _ in first.records}) == ["q1", "q2", "q3"]
    assert len(first.records) == 15 and not first.skipped
    assert read_meta(out)["status"] == "interrupted"  # type: ignore[index]
    assert "3 question(s) scored" in (out / "report.md").read_text(encoding="utf-8")
    assert "team" in stdout  # the table of what finished

    # The rerun asks only about the other seven questions and ends with the full report.
    before = len(model_server.requests)
    assert main(["eval", str(dataset), "-c", str(config), "--out", str(out), "--json", "-q"]) == 0
    data = json.loads(capsys.readouterr().out)
    asked = {es.question_of(r) for r in model_server.requests[before:]}
    assert asked == set(range(4, 11))
    assert data["n"] == 10 and not data["interrupted"]
    for name, right in es.expected_correct().items():
        stats = data[name] if name in ("team", "majority") else data["singles"][name]
        assert stats["correct"] == len(right), name
    assert data["team_vs_best"]["p_value"] == 14 / 64
    assert read_meta(out)["status"] == "done"  # type: ignore[index]

    # Once everything is scored, a rerun calls no model at all; q9 (gamma's error) is retried.
    before = len(model_server.requests)
    assert main(["eval", str(dataset), "-c", str(config), "--out", str(out), "--json", "-q"]) == 0
    capsys.readouterr()
    assert {es.question_of(r) for r in model_server.requests[before:]} == {9}


def test_an_out_folder_of_another_eval_is_refused(model_server: ModelServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model_server.set_default(es.script)
    dataset, config = es.write_dataset(tmp_path), es.write_config(tmp_path, model_server.url)
    out = tmp_path / "out"
    assert main(["eval", str(dataset), "-c", str(config), "--out", str(out), "--n", "1", "-q", "--no-singles"]) == 0
    capsys.readouterr()
    assert main(["eval", "@arithmetic", "-c", str(config), "--out", str(out), "--n", "1", "-q"]) == 1
    assert "holds an eval of another dataset" in capsys.readouterr().err
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["eval", str(dataset), "-c", str(config), "--out", str(tmp_path / "other"), "-q"]) == 1
    assert "is not an eval folder" in capsys.readouterr().err
