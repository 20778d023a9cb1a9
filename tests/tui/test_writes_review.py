"""The diff dialog: the presenter's proposed writes are accepted all, per file, or rejected,
and the engine is told exactly which (it writes those: tests/tools/test_reviewed_writes.py)."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox

from mgtui.engine.events import WritesProposed
from mgtui.tui import messages as m
from mgtui.tui.screens.writes_review import WritesReviewScreen
from tests.tui.engines import FixtureEngine, settle, wait_until
from tests.tui.test_main_screen import ask, make_app

FILES = [
    {"path": "/work/project/docs/README.md", "diff": "--- a/README.md\n+++ b/README.md\n@@ -1 +1,2 @@\n # Docs\n+main() returns [bold]42[/bold].\n",
     "bytes": 32, "new": False},
    {"path": "/work/project/docs/NEW.md", "diff": "--- a/NEW.md\n+++ b/NEW.md\n@@ -0,0 +1 @@\n+new file\n", "bytes": 9, "new": True},
]


async def open_dialog(pilot: Pilot) -> None:
    await ask(pilot)
    await wait_until(pilot, lambda: not pilot.app.screen.team.running)
    m.post_event(pilot.app.screen, WritesProposed(turn=1, files=FILES))
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, WritesReviewScreen))
    await wait_until(pilot, lambda: getattr(pilot.app.focused, "id", None) == "apply")
    await settle(pilot)


@pytest.mark.parametrize(("keys", "accepted"), [
    (("enter",), [FILES[0]["path"], FILES[1]["path"]]),  # everything is checked to begin with
    (("a",), [FILES[0]["path"], FILES[1]["path"]]),
    (("escape",), []),
])
async def test_accept_all_or_reject_all(keys: tuple[str, ...], accepted: list[str]) -> None:
    made: list[FixtureEngine] = []
    app = make_app(made=made)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_dialog(pilot)
        await pilot.press(*keys)
        await wait_until(pilot, lambda: bool(made[0].human_commands))
        assert made[0].human_commands == [("apply_writes", {"accept": accepted})]


async def test_per_file_choice() -> None:
    made: list[FixtureEngine] = []
    app = make_app(made=made)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_dialog(pilot)
        app.screen.query_one("#file-1", Checkbox).value = False
        await pilot.click("#apply")
        await wait_until(pilot, lambda: bool(made[0].human_commands))
        assert made[0].human_commands == [("apply_writes", {"accept": [FILES[0]["path"]]})]


def test_diff_dialog_snapshot(snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(make_app(), terminal_size=(120, 36), run_before=open_dialog)
