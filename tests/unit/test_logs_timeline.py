"""The timeline chart: one lane per agent, marks where they happened."""

from __future__ import annotations

from rich.console import Console

from mgtui.engine.turn_state import TurnState
from mgtui.logs.summary import Mark, Span, TurnSummary
from mgtui.logs.timeline import TurnTimeline


def _render(renderable, width: int = 70) -> list[str]:  # noqa: ANN001
    console = Console(width=width, record=True, color_system=None)
    console.print(renderable)
    return console.export_text().splitlines()


def _turn() -> TurnSummary:
    return TurnSummary(
        turn=3, state=TurnState(turn=3, question="Why is the sky blue?", status="ok", winner="beta", duration_s=10.0),
        spans=[Span("alpha", 0, 2, "start"), Span("beta", 0, 4, "start"), Span("alpha", 5, 6, "restart"), Span("beta", 8, 10, "present")],
        marks=[
            Mark(2.0, "alpha", "answer", "agent1.1"), Mark(4.0, "beta", "answer", "agent2.1"),
            Mark(4.0, "alpha", "reset", "beta"), Mark(6.0, "alpha", "vote", "agent2.1"),
            Mark(7.0, "beta", "vote", "agent2.1"), Mark(7.0, None, "consensus", "beta"),
            Mark(3.0, "alpha", "error", "provider"), Mark(10.0, "beta", "final"),
        ],
    )


def test_lanes_carry_each_agents_marks_in_time_order() -> None:
    lines = _render(TurnTimeline(_turn(), ["alpha", "beta"]))
    assert lines[0].startswith("Turn 3 · 10.0 s · ok · winner beta") and "Why is the sky blue?" in lines[0]
    alpha = next(line for line in lines if line.startswith("alpha"))
    beta = next(line for line in lines if line.startswith("beta*"))  # the winner is starred
    assert [c for c in alpha if c in "●✓!↺★"] == ["●", "!", "↺", "✓"]
    assert [c for c in beta if c in "●✓!↺★"] == ["●", "✓", "★"]
    assert "━" in alpha and "═" in beta  # a restarted run and the presentation look different
    # the same moment lands in the same column on every lane
    assert beta.index("●") == alpha.index("↺")
    consensus = next(line for line in lines if "◆" in line)
    assert consensus.index("◆") == beta.index("✓")


def test_axis_ticks_fit_the_width() -> None:
    for width in (40, 70, 160):
        lines = _render(TurnTimeline(_turn(), ["alpha", "beta"]), width)
        assert all(len(line) <= width for line in lines)
        axis = lines[-1]
        assert "↑0s" in axis and axis.count("↑") >= 2
