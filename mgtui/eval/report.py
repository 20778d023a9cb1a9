"""The report as text: the terminal table and `report.md` (model text is cleaned first)."""

from __future__ import annotations

import re
from typing import Any

from mgtui.eval.summary import EvalSummary, SystemStats
from mgtui.eval.text import one_line

COLUMNS = ("system", "accuracy", "95% CI", "n", "errors", "prompt tok", "completion tok", "cost", "wall")


def pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def cost_text(cost: float | None) -> str:
    return "unknown" if cost is None else f"${cost:.4f}"


def _row(summary: EvalSummary, s: SystemStats) -> list[str]:
    interval = s.interval
    name = s.name + (" *" if s.name == summary.best_single and s.kind == "single" else "")
    return [
        name, pct(s.accuracy), f"{pct(interval[0])}–{pct(interval[1])}" if interval else "–", str(s.n), str(s.errors),
        f"{s.prompt_tokens:,}", f"{s.completion_tokens:,}", cost_text(s.cost), f"{s.wall_s:.1f}s",
    ]


def rows(summary: EvalSummary) -> list[list[str]]:
    return [_row(summary, s) for s in summary.systems()]


def verdict(summary: EvalSummary) -> str:
    """One line: team vs the best member, as a paired comparison."""
    c = summary.comparison
    if summary.best_single is None or c.delta is None or c.p_value is None:
        return "no members alone to compare with (run with --singles)"
    return (
        f"team vs best member ({summary.best_single}): {100 * c.delta:+.1f} points on {c.paired} paired questions; "
        f"team alone right {c.team_only}, {summary.best_single} alone right {c.best_only}; exact McNemar p = {c.p_value:.4g}"
    )


def grid(summary: EvalSummary) -> str:
    """The aligned rows (* marks the best member)."""
    body = [list(COLUMNS), *rows(summary)]
    widths = [max(len(r[i]) for r in body) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths, strict=True))) for r in body]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def disagreement_lines(summary: EvalSummary, limit: int = 10) -> list[str]:
    if not summary.disagreements:
        return []
    lines = [f"questions where the team and {summary.best_single} disagree ({len(summary.disagreements)}):"]
    for d in summary.disagreements[:limit]:
        lines.append(f"  {_disagreement(d.qid, d.gold, d.team, d.team_correct, d.best, d.best_correct)}  {one_line(d.question, 70)}")
    if len(summary.disagreements) > limit:
        lines.append(f"  … {len(summary.disagreements) - limit} more in report.md")
    return lines


def table(summary: EvalSummary, disagreements: int = 10) -> str:
    """What `mgtui eval` prints at the end: the rows, the verdict, the disagreements."""
    return "\n".join([grid(summary), "", verdict(summary), *disagreement_lines(summary, disagreements)])


def _mark(correct: bool) -> str:
    return "✓" if correct else "✗"


def _disagreement(qid: str, gold: str | None, team: str | None, t: bool, best: str | None, b: bool) -> str:
    return f"{one_line(qid, 40)}: gold {one_line(gold, 30) or '–'} · team {one_line(team, 30) or '–'} {_mark(t)} · best {one_line(best, 30) or '–'} {_mark(b)}"


# Markdown that outside text must not make live: links/images ([ ]), code spans (`), HTML
# (< and entities via &), emphasis (* _ ~ next to a word: a lone "alpha *" stays as is).
_MD_ALWAYS = re.compile(r"[\\`\[\]|]")
_MD_EMPHASIS = re.compile(r"(?<=\S)[*_~]|[*_~](?=\S)")


def _md(text: str) -> str:
    """A table cell or list item from outside text (model output, dataset ids): one line, inert."""
    out = one_line(text, 120).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = _MD_EMPHASIS.sub(lambda m: "\\" + m.group(0), _MD_ALWAYS.sub(lambda m: "\\" + m.group(0), out))
    return out or "–"


def _code(text: str) -> str:
    """Inside a code span nothing is live but a backtick would end it."""
    return one_line(text, 120).replace("`", "'") or "–"


def markdown(summary: EvalSummary, meta: dict[str, Any], skipped: list[str] | None = None) -> str:
    team = ", ".join(f"{a['id']} ({a['model']})" for a in meta.get("team") or [])
    out = [
        f"# mgtui eval: {_md(summary.suite)}", "",
        f"- dataset: `{_code(str(meta.get('dataset')))}` · seed {'–' if meta.get('seed') is None else meta.get('seed')}"
        f" · scoring `{summary.score}` · {summary.n} question(s) scored",
        f"- config: `{_code(str(meta.get('config')))}` · team: {_md(team)}",
        f"- started {meta.get('created', '?')} · updated {meta.get('updated', '?')}", "",
        "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS),
    ]
    out += ["| " + " | ".join(_md(c) for c in r) + " |" for r in rows(summary)]
    out += ["", "\\* best member alone. An errored answer counts as wrong.", "", verdict(summary), "", "![accuracy and cost](report.svg)", ""]
    if summary.disagreements:
        out += [f"## Questions where the team and {summary.best_single} disagree", "",
                "| id | gold | team | best member | question |", "|---|---|---|---|---|"]
        for d in summary.disagreements:
            out.append(f"| {_md(d.qid)} | {_md(d.gold or '')} | {_md(d.team or '')} {_mark(d.team_correct)} | "
                       f"{_md(d.best or '')} {_mark(d.best_correct)} | {_md(d.question)} |")
        out.append("")
    if skipped:
        out += ["## Notices", "", *[f"- {_md(s)}" for s in skipped], ""]
    return "\n".join(out)
