"""The app's Eval screen (command palette): lists past evals under the log root and shows
the highlighted one's report table and chart; its team sessions open in the session browser."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from textual.app import App
from textual.widgets import OptionList, Static

from mgtui.eval.store import EVALS_DIR, append_question, open_folder
from mgtui.logs.store import list_sessions
from mgtui.tui.screens.evals import EvalScreen
from mgtui.tui.screens.log_browser import LogBrowserScreen
from tests.eval import eval_support as es
from tests.support.log_factory import make_session
from tests.tui.engines import wait_until
from tests.tui.test_main_screen import make_app


def make_eval(root: Path, name: str, created: str, questions: int, cost: float | None) -> Path:
    """An eval folder as `mgtui eval` leaves it, with the scripted team's known verdicts."""
    folder = root / EVALS_DIR / name
    meta = {"suite": f"suite-{name}", "dataset": f"/data/{name}.jsonl", "seed": 1, "score": "number", "config": "team.yaml",
            "n": questions, "created": created, "status": "done", "team": [{"id": a, "model": "openai/m"} for a in es.AGENTS]}
    open_folder(folder, meta)
    right = es.expected_correct()
    for q in range(1, questions + 1):
        base: dict[str, Any] = {"qid": f"q{q}", "question": f"[q{q}] \x1b[2JWhat is {q} times ten?", "gold": es.right(q),
                                "error": None, "prompt_tokens": 100, "completion_tokens": 10, "cost": cost, "wall_s": 1.0}
        records = [{**base, "system": "team", "agent": None, "correct": q in right["team"],
                    "pred": es.right(q) if q in right["team"] else "99", "session": f"sessions/s{q}"}]
        for agent in es.AGENTS:
            records.append({**base, "system": "single", "agent": agent, "correct": q in right[agent],
                            "pred": es.right(q) if q in right[agent] else "1"})
        records.append({**base, "system": "majority", "agent": None, "correct": q in right["majority"], "pred": "x"})
        append_question(folder, records)
    (folder / "sessions").mkdir()
    make_session(folder / "sessions", session_id="20261130-120000-aaaaaa")
    return folder


def detail_text(screen: EvalScreen) -> str:
    return "\n".join(str(w.render()) for w in screen.query("#eval-detail Static").results(Static))


async def test_eval_screen_lists_evals_and_shows_the_report(tmp_path: Path) -> None:
    older = make_eval(tmp_path, "20261129-100000-old", "2026-11-29T10:00:00+00:00", 4, None)
    newer = make_eval(tmp_path, "20261130-100000-new", "2026-11-30T10:00:00+00:00", 10, 0.002)
    app = make_app(log_root=str(tmp_path))
    async with app.run_test(size=(160, 50)) as pilot:
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        commands["Evals"].callback()
        await wait_until(pilot, lambda: isinstance(app.screen, EvalScreen) and bool(app.screen.query(OptionList)))
        screen = app.screen
        assert isinstance(screen, EvalScreen)
        listing = screen.query_one(OptionList)
        await wait_until(pilot, lambda: listing.option_count == 2 and screen.summary is not None)
        assert [e.path for e in screen.evals] == [newer, older]  # newest first

        await wait_until(pilot, lambda: "alpha" in detail_text(screen))  # the detail renders after the summary loads
        text = detail_text(screen)
        assert "team *" not in text and "alpha *" in text  # alpha wins the 5/10 tie with beta
        for row in (r"team +90\.0% +59\.6%–98\.2% +10 ", r"alpha \* +50\.0% +23\.7%–76\.3% +10 ", r"majority +40\.0% +16\.8%–68\.7% +10 "):
            assert re.search(f"^{row}", text, re.MULTILINE), row
        assert text.index("q5: gold 50") < text.index("q10: gold 100")  # in the order the questions were run
        assert "exact McNemar p = 0.2188" in text
        assert "├" in text and "┤" in text and "cost (USD)" in text  # the chart, with the cost axis
        assert "\x1b" not in text  # the question text came with an escape sequence

        await pilot.press("down")
        await wait_until(pilot, lambda: screen.shown is not None and screen.shown.path == older)
        text = detail_text(screen)
        assert re.search(r"^team +100\.0% ", text, re.MULTILINE) and "tokens (cost unknown)" in text and "unknown" in text

        await pilot.press("s")  # this eval's team sessions, in the ordinary session browser
        await wait_until(pilot, lambda: isinstance(app.screen, LogBrowserScreen))
        assert app.screen.log_root == older / "sessions"  # type: ignore[attr-defined]
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, EvalScreen))


class ScreenApp(App[None]):
    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root

    def on_mount(self) -> None:
        self.push_screen(EvalScreen(self.root))


async def test_eval_screen_without_evals_says_how_to_make_one(tmp_path: Path) -> None:
    app = ScreenApp(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, EvalScreen) and "No evals yet" in detail_text(app.screen))
        await pilot.press("s")  # nothing to browse: a warning, no crash
        assert isinstance(app.screen, EvalScreen)


def test_the_evals_folder_is_not_listed_as_a_session(tmp_path: Path) -> None:
    make_eval(tmp_path, "20261130-100000-new", "2026-11-30T10:00:00+00:00", 2, None)
    make_session(tmp_path, session_id="20261130-110000-bbbbbb")
    assert [s.id for s in list_sessions(tmp_path)] == ["20261130-110000-bbbbbb"]
