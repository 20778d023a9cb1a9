"""Between runs and at the end: which questions are finished, and the report files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mgtui.eval.chart import svg
from mgtui.eval.report import markdown
from mgtui.eval.store import REPORT_MD, REPORT_SVG, Results, read_results
from mgtui.eval.summary import MAJORITY, SINGLE, TEAM, EvalSummary, summarize


def done_questions(results: Results, agents: list[str], singles: bool) -> set[str]:
    """Questions with an error-free record for every system this run asks for."""
    wanted = {(TEAM, "")} | ({(SINGLE, a) for a in agents} | {(MAJORITY, "")} if singles else set())
    have: dict[str, set[tuple[str, str]]] = {}
    for (qid, system, agent), record in results.records.items():
        if not record.get("error"):
            have.setdefault(qid, set()).add((system, agent))
    return {qid for qid, systems in have.items() if wanted <= systems}


def load_summary(folder: Path, meta: dict[str, Any], question_ids: list[str] | None = None) -> tuple[EvalSummary, list[str]]:
    """The summary of a folder's results (only `question_ids`, in that order, when given) and
    notices about skipped lines."""
    results = read_results(folder)
    wanted = set(question_ids or ())
    records = [r for (qid, _, _), r in results.records.items() if question_ids is None or qid in wanted]
    return summarize(meta, records, question_ids or ()), results.skipped


def write_reports(folder: Path, meta: dict[str, Any], question_ids: list[str] | None = None) -> EvalSummary:
    summary, skipped = load_summary(folder, meta, question_ids)
    (folder / REPORT_MD).write_text(markdown(summary, meta, skipped), encoding="utf-8")
    (folder / REPORT_SVG).write_text(svg(summary), encoding="utf-8")
    return summary
