"""Hostile model output and hostile files against `mgtui eval` (attack round on issue 18):
secrets in what members write or what servers answer, Markdown/HTML in report.md, XML in
report.svg. Real LiteLLM against the scripted loopback server."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mgtui.cli import main
from tests.eval import eval_support as es
from tests.support.model_server import ModelServer
from tests.support.replies import RecordedRequest, Reply, error, text

KEY = "sk-test"  # the team's api_key in eval_support's config: a secret for the redactor


def test_a_key_a_member_writes_or_a_server_echoes_never_reaches_the_eval_folder(
    model_server: ModelServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def script(request: RecordedRequest, index: int) -> Reply:
        if not request.tools and es.question_of(request) == 1:
            member = es.member_of(request)
            if member == "alpha":
                return text(f"my key is {KEY} and the answer is 7")
            if member == "beta":
                return error(400, f"Incorrect API key provided: {KEY}")
        return es.script(request, index)

    model_server.set_default(script)
    dataset, config = es.write_dataset(tmp_path), es.write_config(tmp_path, model_server.url)
    out = tmp_path / "out"
    assert main(["eval", str(dataset), "-c", str(config), "--out", str(out), "--n", "1", "-q"]) == 0
    captured = capsys.readouterr()
    written = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir() if p.is_file()}
    assert {"results.jsonl", "report.md", "report.svg", "meta.json"} <= set(written)
    for name, content in [*written.items(), ("stdout", captured.out), ("stderr", captured.err)]:
        assert KEY not in content, name
    records = [json.loads(line) for line in written["results.jsonl"].splitlines()]
    alpha = next(r for r in records if r["agent"] == "alpha")
    beta = next(r for r in records if r["agent"] == "beta")
    assert "***" in alpha["answer"] and alpha["pred"] == "7"
    assert "***" in beta["error"]


HOSTILE = "[click](javascript:alert(1)) ![x](http://127.0.0.1:9/track.png) <img src=x onerror=alert(1)> **bold** `code` </text><script>alert(1)</script> &amp;"


def test_model_text_and_dataset_ids_are_inert_in_report_md_and_svg(
    model_server: ModelServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A team answer and a question id full of Markdown/HTML/XML: the report shows them as
    text (no link, no image, no tag) and the chart stays well-formed XML."""

    def script(request: RecordedRequest, index: int) -> Reply:
        if request.tools:
            from tests.support.replies import answer_then_vote

            return answer_then_vote(f"{HOSTILE} 99")(request, index)
        return es.script(request, index)

    model_server.set_default(script)
    dataset = tmp_path / "questions.jsonl"
    dataset.write_text(json.dumps({"id": f"q1 {HOSTILE}", "question": f"[q1] {HOSTILE} What is 1 times ten?", "answer": 10}) + "\n", encoding="utf-8")
    config = es.write_config(tmp_path, model_server.url)
    out = tmp_path / "out"
    assert main(["eval", str(dataset), "-c", str(config), "--out", str(out), "-q"]) == 0
    capsys.readouterr()
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "disagree" in report  # the hostile rows are in the report
    for live in ("[click](", "[x](http", "<img", "<script", "**bold**", "`code`"):
        assert live not in report, live
    svg = (out / "report.svg").read_text(encoding="utf-8")
    ET.fromstring(svg)  # well-formed
    assert "<script" not in svg
