"""A turn as a terminal chart: one lane per agent over time, with its runs and its moves.

    agent_a  ──────●━━━━━━━━✓ ★━━━━★
    agent_b  ───────────●━━━━━✓
             ↑0s      ↑2s      ↑4s

A run is a line (thin for the first, bold after a restart), an answer is ●, a vote ✓
(✗ when it did not count), ↺ marks the votes it reset, ! an error, ★ the final answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.text import Text

from mgtui.logs.summary import SessionSummary, TurnSummary

LANE_STYLES = ("cyan", "magenta", "green", "yellow", "blue", "red", "bright_cyan", "bright_magenta")
GLYPHS = {
    "answer": "●", "vote": "✓", "vote_ignored": "✗", "reset": "↺", "error": "!", "final": "★",
    "tool": "⚙", "stopped": "■", "retry": "↻", "restart": "»", "consensus": "◆", "ranking": "≡",
}
# When two marks fall in one cell, the more telling one wins.
PRIORITY = ("error", "final", "answer", "vote", "ranking", "vote_ignored", "reset", "consensus", "stopped", "tool", "retry", "restart")
RUN_LINE = {"start": "─", "next": "─", "restart": "━", "retry": "┄", "enforce": "┅", "present": "═", "rank": "┈"}
Column = Callable[[float], int]  # seconds into the turn -> chart column
LEGEND = "● answer  ✓ vote  ✗ vote ignored  ↺ votes reset  ! error  ⚙ tool  ★ final  ◆ consensus  ─ first run  ━ restart  ═ presenting"
COUNCIL_LEGEND = "  ≡ ranking  ┈ ranking run"  # only under sessions with a council turn


def _ticks(span: float, cells: int) -> list[float]:
    candidates = [m * 10**e for e in range(-1, 6) for m in (1, 2, 5)]
    want = max(1, cells // 12)
    step = next((c for c in candidates if span / c <= want), candidates[-1])
    return [i * step for i in range(int(span / step) + 1)]


@dataclass
class TurnTimeline:
    """Rich renderable for one turn; adapts to the width it is given."""

    turn: TurnSummary
    agents: list[str]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        agents = self.agents or sorted(self.turn.agents)
        name_w = max([len(a) for a in agents] + [6]) + 1
        cells = max(10, options.max_width - name_w - 1)
        span = max(self.turn.duration_s, max((m.t for m in self.turn.marks), default=0.0), 0.001)

        def col(t: float) -> int:
            return min(cells - 1, max(0, int(t / span * (cells - 1) + 0.5)))

        winner = f" · winner {self.turn.state.winner}" if self.turn.state.winner else ""
        header = Text(f"Turn {self.turn.turn} · {self.turn.duration_s:.1f} s · {self.turn.state.status}{winner}", style="bold")
        if self.turn.state.question:
            header.append("  " + self.turn.state.question.splitlines()[0][:80], style="italic dim")
        yield header
        for i, agent in enumerate(agents):
            yield self._lane(agent, LANE_STYLES[i % len(LANE_STYLES)], name_w, cells, col, agent == self.turn.state.winner)
        yield self._bottom(name_w, cells, col)
        yield self._axis(name_w, cells, span, col)

    def _lane(self, agent: str, style: str, name_w: int, cells: int, col: Column, winner: bool) -> Text:
        chars = [" "] * cells
        styles = ["dim"] * cells
        for span in self.turn.spans:
            if span.agent != agent:
                continue
            for c in range(col(span.start), col(span.end) + 1):
                chars[c], styles[c] = RUN_LINE.get(span.reason, "─"), style
        rank = [len(PRIORITY)] * cells
        for mark in self.turn.marks:
            if mark.agent != agent or mark.kind not in GLYPHS:
                continue
            c, r = col(mark.t), PRIORITY.index(mark.kind) if mark.kind in PRIORITY else len(PRIORITY)
            if r <= rank[c]:
                rank[c], chars[c] = r, GLYPHS[mark.kind]
                styles[c] = f"bold {style}" if mark.kind != "error" else "bold red"
        line = Text((agent + ("*" if winner else "")).ljust(name_w), style=f"bold {style}" if winner else style)
        for ch, st in zip(chars, styles, strict=True):
            line.append(ch, style=st)
        return line

    def _bottom(self, name_w: int, cells: int, col: Column) -> Text:
        """Turn-wide marks (consensus) under the lanes."""
        chars = [" "] * cells
        for mark in self.turn.marks:
            if mark.agent is None and mark.kind in GLYPHS:
                chars[col(mark.t)] = GLYPHS[mark.kind]
        return Text(" " * name_w + "".join(chars), style="bold")

    def _axis(self, name_w: int, cells: int, span: float, col: Column) -> Text:
        axis = [" "] * cells
        for tick in _ticks(span, cells):
            label = f"↑{tick:g}s"
            start = col(tick)
            if start + len(label) <= cells and all(ch == " " for ch in axis[start:start + len(label)]):
                axis[start:start + len(label)] = label
        return Text(" " * name_w + "".join(axis), style="dim")


def session_timeline(summary: SessionSummary, turns: list[int] | None = None) -> Group:
    """Every turn's chart (or the chosen ones) and the legend."""
    agents = [a["id"] for a in summary.agents]
    parts = [TurnTimeline(t, agents) for t in summary.turns if turns is None or t.turn in turns]
    council = any(t.state.method == "council" for t in summary.turns if turns is None or t.turn in turns)
    return Group(*parts, Text(LEGEND + (COUNCIL_LEGEND if council else ""), style="dim"))
