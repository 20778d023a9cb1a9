"""Rich tables for sessions and their summaries, shared by the CLI and the analysis screen.

Everything that came from a model or a user is passed as `Text`, never as markup.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from mgtui.logs.store import SessionInfo
from mgtui.logs.summary import AgentStats, SessionSummary, TurnSummary
from mgtui.question_text import one_line


def short_time(ts: str) -> str:
    """`2026-11-25T14:30:12.345Z` -> `2026-11-25 14:30`."""
    return ts[:16].replace("T", " ") if ts else "?"


def sessions_table(rows: list[SessionInfo]) -> Table:
    table = Table(title=f"{len(rows)} session(s)", expand=True)
    for name in ("id", "date", "turns", "first question", "winners", "status"):
        # The question takes whatever width is left; the other columns keep their natural width.
        table.add_column(name, overflow="ellipsis", no_wrap=True, ratio=1 if name == "first question" else None)
    for row in rows:
        status = Text(row.status or "?")
        if row.warning:
            status.append(f" ⚠ {row.warning}", style="yellow")
        table.add_row(
            Text(row.id), short_time(row.created)[5:], str(len(row.turns)), Text(row.first_question[:80]),
            Text(", ".join(dict.fromkeys(row.winners))), status,
        )
    return table


def _cost(stats: AgentStats) -> str:
    return f"${stats.cost_usd:.4f}" if stats.cost_known and stats.cost_usd is not None else "unknown"


def _seconds(value: float | None) -> str:
    return f"{value:.1f} s" if value is not None else "–"


def agents_table(summary: SessionSummary) -> Table:
    """How each agent took part: answers, votes (rankings in council turns), wins, speed, rounds."""
    table = Table(title="agents", expand=False)
    council = any(s.rankings for s in summary.totals.values())  # the columns only where a council ranked
    extra = ("rankings", "ranked 1st") if council else ()
    for name in ("agent", "model", "answers", "votes given", "votes recv", *extra, "wins", "1st answer", "rounds", "restarts"):
        table.add_column(name, justify="left" if name in ("agent", "model") else "right", no_wrap=True)
    for s in summary.totals.values():
        ranks = (str(s.rankings), str(s.first_places)) if council else ()
        table.add_row(
            Text(s.agent), Text(s.model), str(s.answers), str(s.votes_given), str(s.votes_received), *ranks, str(s.wins),
            _seconds(s.mean_first_answer_s), str(s.rounds), str(s.restarts),
        )
    return table


def costs_table(summary: SessionSummary, *, with_cost: bool = True) -> Table:
    """What each agent cost and what went wrong: tokens, price, errors, retries, tools."""
    table = Table(title="usage and errors", expand=False)
    names = ["agent", "tokens in", "tokens out"] + (["cost"] if with_cost else []) + ["errors", "retries", "tool calls", "tools failed", "fallbacks"]
    for name in names:
        table.add_column(name, justify="left" if name == "agent" else "right", no_wrap=True)
    for s in summary.totals.values():
        cost = [_cost(s)] if with_cost else []
        table.add_row(Text(s.agent), f"{s.prompt_tokens:,}", f"{s.completion_tokens:,}", *cost, str(s.errors),
                      str(s.retries), str(s.tool_calls), str(s.tool_errors), str(s.fallbacks))
    return table


def turns_table(summary: SessionSummary) -> Table:
    table = Table(title="turns", expand=False)
    hints = any(t.state.hints for t in summary.turns)  # the column only where the person steered
    for name in ("turn", "question", "status", "winner", "tally", "duration", *(("hints",) if hints else ())):
        # Question and tally wrap: a team's tally is long, and a no-wrap one squeezed the other columns to nothing.
        wraps = name in ("question", "tally")
        table.add_column(name, overflow="fold" if wraps else "ellipsis", no_wrap=not wraps, min_width=None if wraps else len(name))
    for t in summary.turns:
        tally = outcome_line(t)
        extra = (str(len(t.state.hints)),) if hints else ()
        state = t.state
        table.add_row(str(t.turn), Text(one_line(state.question, 60)), state.status, Text(state.winner or "–"), Text(tally), _seconds(t.duration_s), *extra)
    return table


def outcome_line(turn: TurnSummary) -> str:
    """Votes per agent, or in a council turn the mean rank of each answer (1 = best)."""
    if turn.state.method == "council" and turn.state.aggregate:
        return "mean rank " + ", ".join(f"{a} {m:g}" for a, m, _n in turn.state.mean_ranks())
    return ", ".join(f"{a} {n}" for a, n in turn.state.tally.items() if n)


def ranking_table(turn: TurnSummary) -> Table:
    """Council: each reviewer's ranking, best first, with its reasons."""
    table = Table(title=f"turn {turn.turn}: rankings", expand=False)
    for name in ("reviewer", "place", "answer by", "reason"):
        table.add_column(name, overflow="fold" if name == "reason" else "ellipsis")
    for reviewer, order in turn.state.rankings.items():
        reasons = turn.state.rank_reasons.get(reviewer, {})
        for place, author in enumerate(order, start=1):
            table.add_row(Text(reviewer if place == 1 else ""), str(place), Text(author), Text(reasons.get(author, "")))
    return table


def vote_flow_table(turn: TurnSummary) -> Table:
    """Who voted for whom, round by round (a round ends when a new answer arrives)."""
    table = Table(title=f"turn {turn.turn}: vote flow", expand=False)
    for name in ("round", "at", "voter", "", "voted for", "label", "reason"):
        table.add_column(name, overflow="fold" if name == "reason" else "ellipsis")
    for vote_round in turn.rounds:
        for v in vote_round.votes:
            arrow = Text("→") if v.counted else Text("✗", style="red")
            table.add_row(str(vote_round.index), f"{v.t:.1f} s", Text(v.voter), arrow, Text(v.target), Text(v.label), Text(v.reason))
    return table
