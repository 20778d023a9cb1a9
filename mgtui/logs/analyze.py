"""Session analysis: a prompt built from the log, and asking the team to answer it.

The prompt carries what a reviewer needs and nothing else: the questions, every answer
(clipped), the vote flow with reasons, the final answers and the per-agent numbers. With
`run_analysis` the configured team answers it like any other question and the result is
saved as `ANALYSIS.md` next to the log.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mgtui.logs.summary import SessionSummary, TurnSummary

if TYPE_CHECKING:
    from mgtui.config.loader import LoadedConfig

ANALYSIS_FILE = "ANALYSIS.md"
_CLIP = 1200  # characters per answer: enough to judge, small enough for eight agents

INSTRUCTIONS = """You are reviewing a recorded multi-agent consensus session. Several agents answered the
same question in parallel, saw each other's latest answers (anonymised as agentN, revisions
labelled agentN.k), and either posted a better answer or voted; the most-voted agent presented
the final answer. Using only the record below, write a short report in Markdown:

1. **Outcome** - per turn: was the final answer good, and did the best answer win?
2. **How consensus formed** - who convinced whom, herding, votes that look unjustified.
3. **Agents** - each agent's strengths and weaknesses (quality, speed, errors, cost).
4. **Problems** - errors, retries, timeouts, wasted rounds, tool failures.
5. **Recommendations** - concrete changes to the team or its config (models, prompts, limits).
"""


def _clip(text: str, limit: int = _CLIP) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + f" … [{len(text) - limit} more characters]"


def _turn_section(turn: TurnSummary) -> list[str]:
    state = turn.state  # the turn's facts; `turn` adds the timings and vote rounds
    lines = [f"## Turn {turn.turn} ({state.status}, {turn.duration_s:.1f} s)", "", f"**Question:** {state.question}", ""]
    if state.attachments:
        lines += ["**Attached:** " + ", ".join(f"{a.get('path', '?')} ({a.get('mode', 'read')})" for a in state.attachments), ""]
    for answer in turn.answers:
        lines += [f"### Answer {answer.label} by {answer.agent} at {answer.t:.1f} s", "", _clip(answer.content), ""]
    if state.hints:
        lines.append("### Hints from the person")
        lines += [f"- to {', '.join(h.to) or 'nobody'}: {h.text}" for h in state.hints]
        lines.append("")
    if turn.rounds:
        lines.append("### Votes")
        for vote_round in turn.rounds:
            for v in vote_round.votes:
                ignored = "" if v.counted else " (ignored: cast on stale answers)"
                lines.append(f"- round {vote_round.index}: {v.voter} -> {v.target} ({v.label}){ignored}: {v.reason}")
        lines.append("")
    if state.rankings:
        lines.append("### Rankings (council: each reviewer ranks every answer, best first)")
        for reviewer, order in state.rankings.items():
            reasons = state.rank_reasons.get(reviewer, {})
            lines.append(f"- {reviewer}: " + " > ".join(order) + "".join(f"\n  - {a}: {reasons[a]}" for a in order if reasons.get(a)))
        lines.append("")
    if state.decided and state.method == "council":
        ranks = ", ".join(f"{a}: {m:g}" for a, m, _n in state.mean_ranks())
        lines += [f"**Council:** {state.winner} by {state.how}; mean rank (1 = best) {ranks}", ""]
    elif state.tally:
        tally = ", ".join(f"{a}: {n}" for a, n in state.tally.items())
        tie = " (tie broken by config order)" if state.tie else ""
        lines += [f"**Consensus:** {state.winner} by {state.how}{tie}; tally {tally}", ""]
    if state.final_answer:
        lines += [f"### Final answer (by {state.presenter or state.winner})", "", _clip(state.final_answer, 3 * _CLIP), ""]
    return lines


def _stats_table(summary: SessionSummary) -> list[str]:
    lines = [
        "## Per-agent numbers",
        "",
        "| agent | model | answers | votes given | votes received | wins | restarts | retries | errors | tool calls | tokens in/out | cost |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in summary.totals.values():
        cost = f"${s.cost_usd:.4f}" if s.cost_known and s.cost_usd is not None else "unknown"
        lines.append(
            f"| {s.agent} | {s.model} | {s.answers} | {s.votes_given} | {s.votes_received} | {s.wins} | {s.restarts} "
            f"| {s.retries} | {s.errors} | {s.tool_calls} | {s.prompt_tokens}/{s.completion_tokens} | {cost} |"
        )
    return lines + [""]


def build_prompt(summary: SessionSummary, turns: list[int] | None = None) -> str:
    """The analysis prompt for the whole session or for the chosen turns."""
    roster = ", ".join(f"{a['id']} ({a.get('model', '?')})" for a in summary.agents)
    lines = [INSTRUCTIONS, "---", "", f"# Session {summary.session}", "", f"Agents: {roster}", ""]
    for turn in summary.turns:
        if turns is None or turn.turn in turns:
            lines += _turn_section(turn)
    lines += _stats_table(summary)
    if summary.notices:
        lines += ["## Log notices", *[f"- {n}" for n in summary.notices], ""]
    return "\n".join(lines)


async def run_analysis(prompt: str, session_dir: Path, loaded: LoadedConfig, log_root: Path | None = None) -> Path:
    """Ask the configured team to analyse; save its final answer as ANALYSIS.md next to the log."""
    from mgtui.engine.session import Session  # noqa: PLC0415 - the engine pulls in LiteLLM

    session = Session(loaded, log_root=log_root)
    try:
        result = await session.ask(prompt)
    finally:
        session.close()
    if not result.final_answer:
        raise RuntimeError(f"the team gave no analysis (turn {result.status}: {result.error or 'no final answer'})")
    out = Path(session_dir) / ANALYSIS_FILE
    header = f"<!-- analysis by session {result.session_id}, winner {result.winner} -->\n\n"
    out.write_text(header + result.final_answer.strip() + "\n", encoding="utf-8")
    return out
