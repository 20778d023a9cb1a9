"""A continued session's earlier turns (the turn strip) and the history / analysis screens are
drawn from the log read back, not from live events: `post_event` never made that text
terminal-safe, so an escape sequence in a logged question, winner or answer reached the
terminal raw (ESC and C1 CSI in the strip's drawn lines)."""

from __future__ import annotations

import json
from pathlib import Path

from textual.app import App, ComposeResult

from mgtui.tui.restore import read_session
from mgtui.tui.screens.log_analysis import load_summary
from mgtui.tui.widgets.turn_strip import TurnStrip
from tests.tui.test_hostile_text_attacks import ESCAPES, FORBIDDEN, drawn_text

HOSTILE = f"end {ESCAPES} tail"


def _log(folder: Path) -> None:
    s = folder.name
    t = {"session": s, "turn": 1}
    events = [
        {"type": "session_started", "session": s, "config": {}, "agents": [{"id": "a1", "model": "m"}]},
        {"type": "turn_started", **t, "question": f"Q {HOSTILE}", "history_len": 0},
        {"type": "answer", **t, "agent": "a1", "label": "a1.1", "content": HOSTILE},
        {"type": "vote", **t, "agent": "a1", "target": "a1", "label": "a1.1", "reason": HOSTILE},
        {"type": "final_answer", **t, "agent": "a1", "content": f"F {HOSTILE}"},
        {"type": "turn_finished", **t, "status": "ok", "winner": "a1", "final_answer": f"F {HOSTILE}"},
    ]
    (folder / "events.jsonl").write_text("\n".join(json.dumps(e) for e in events) + "\n")


class _StripApp(App[None]):
    def compose(self) -> ComposeResult:
        yield TurnStrip()


async def test_earlier_turns_of_a_continued_session_are_drawn_without_controls(tmp_path: Path) -> None:
    folder = tmp_path / "20261207-111111-abcdef"
    folder.mkdir()
    _log(folder)
    turns, _last = read_session(str(folder))
    app = _StripApp()
    async with app.run_test(size=(160, 40)) as pilot:
        for turn in turns:
            app.query_one(TurnStrip).archive(turn)
        await pilot.pause()
        for collapsible in app.query("Collapsible"):
            collapsible.collapsed = False  # draw the final answer too
        await pilot.pause()
        text = drawn_text(pilot)
        assert "tail" in text
        for char in FORBIDDEN:
            assert char not in text, repr(char)


def test_history_and_analysis_read_the_log_terminal_safe(tmp_path: Path) -> None:
    folder = tmp_path / "20261207-111111-abcdef"
    folder.mkdir()
    _log(folder)
    summary = load_summary(folder)
    (turn,) = summary.turns
    shown = " ".join([turn.question, turn.state.final_answer or "", *turn.state.latest_answers().values()])
    assert "tail" in shown
    for char in FORBIDDEN:
        assert char not in shown, repr(char)
