"""Fixes found by using the app as a new user would (each test failed before its fix)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Collapsible, Static, TextArea

from mgtui.cli import tui_cmd
from mgtui.engine import events as ev
from mgtui.question_text import one_line
from mgtui.tui import messages as m
from mgtui.tui.app import MgtuiApp
from mgtui.tui.replay_app import ReplayApp
from mgtui.tui.screens.config_editor import ConfigEditorScreen
from mgtui.tui.screens.config_problem import ConfigProblemScreen
from mgtui.tui.screens.confirm import ConfirmScreen
from mgtui.tui.screens.help import HelpScreen
from mgtui.tui.screens.main import MainScreen
from mgtui.tui.widgets.agent_pane import AgentPane
from mgtui.tui.widgets.final_answer import FinalAnswerView
from mgtui.tui.widgets.prompt_bar import PromptBar
from tests.tui.engines import fixture_factory, settle, wait_until
from tests.tui.test_main_screen import ONE_TURN, ask, make_app
from tests.tui.test_replay import session_folder

ATTACHED = [{"path": "notes.txt", "mode": "read", "bytes": 12}]


def test_one_line_keeps_the_first_line() -> None:
    assert one_line("first\nsecond") == "first …"
    assert one_line("x" * 10, limit=5) == "xxxx…"


async def test_quit_during_a_turn_asks_with_no_focused_and_survives_shutdown() -> None:
    app = make_app(limit=20)
    async with app.run_test(size=(120, 40)) as pilot:
        await ask(pilot)
        assert app.screen.team.running
        await app.action_quit()
        # The run ends right away, while the dialog may still be composing (it raised NoMatches).
    assert app._exception is None


async def test_quit_dialog_focuses_stay() -> None:
    app = make_app(limit=20)
    async with app.run_test(size=(120, 40)) as pilot:
        await ask(pilot)
        await app.action_quit()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert app.focused is not None and app.focused.id == "no"


async def test_question_mark_opens_help_only_outside_the_prompt() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        prompt = app.screen.query_one(PromptBar)
        await pilot.press("question_mark")
        await pilot.pause()
        assert prompt.text == "?" and not isinstance(app.screen, HelpScreen)
        prompt.text = ""  # with text in the prompt, `?` is more text (tests/tui/test_keystrokes.py)
        app.screen.set_focus(None)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_question_strip_and_history_show_the_typed_question() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await wait_until(pilot, lambda: screen.control.ready)
        # The typed question and its attachments travel apart (turn_started.attachments).
        m.post_event(screen, ev.TurnStarted(turn=1, question="Explain @notes.txt please", history_len=0, attachments=ATTACHED))
        await pilot.pause()
        assert str(screen.query_one("#question", Static).render()) == "Q1: Explain @notes.txt please  ⟨notes.txt · 12 B⟩"
        m.post_event(screen, ev.TurnFinished(turn=1, status="ok", winner="alpha", final_answer="done", duration_s=1.0))
        m.post_event(screen, ev.TurnStarted(turn=2, question="next", history_len=1))
        await pilot.pause()
        title = str(screen.query_one("#history").query_one(Collapsible).title)
        assert title.endswith("· Explain @notes.txt please") and "attached" not in title


async def test_status_bar_names_the_turn_once() -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await ask(pilot)
        screen = app.screen
        await wait_until(pilot, lambda: not screen.team.running)
        rendered = str(screen.team.status.render())
        assert rendered.count("turn 1") == 1 and rendered.endswith("ok")


async def test_files_written_are_listed_under_the_final_answer() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: screen.control.ready)
        m.post_event(screen, ev.FinalAnswer(turn=1, agent="alpha", content="Done: see the file.", files_written=["src/app.py", "[b]x[/b].md"]))
        await settle(pilot)
        files = screen.query_one(FinalAnswerView).query_one(".final-files", Static)
        assert str(files.render()) == "✎ wrote src/app.py, [b]x[/b].md"  # file names are not markup


async def test_palette_offers_the_session_screens_and_our_help() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert {"History", "Sessions", "Session analysis", "Keys"} <= set(commands)
        # The palette shows help text as typed: Markdown backticks would show raw.
        assert not [c.help for c in commands.values() if "`" in c.help]
        commands["Keys"].callback()
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_a_pending_retry_is_settled_when_the_turn_ends() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: bool(screen.team.panes))
        m.post_event(screen, ev.AgentError(turn=1, agent="alpha", error="HTTP 500", fatal=False))
        await pilot.pause()
        pane = screen.query_one("#pane-alpha", AgentPane)
        assert pane.state == "error"
        m.post_event(screen, ev.TurnFinished(turn=1, status="cancelled", duration_s=1.0))
        await pilot.pause()
        assert pane.state == "stopped"


async def test_engine_that_cannot_open_a_session_is_shown_stopped() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: screen.control.ready)
        screen.control.ready = False  # as after a restart whose config broke meanwhile
        screen.post_message(m.EngineError("config error:\nx.yaml:1:1: bad"))
        await pilot.pause()
        assert screen.team.status.engine == "stopped"


async def test_replay_app_closes_on_escape_and_quits_without_a_main_screen(tmp_path: Path) -> None:
    folder = session_folder(tmp_path)
    app = ReplayApp(folder, speed=0)
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.return_code is None
        await pilot.press("escape")
        await pilot.pause()
        assert app.return_code == 0  # exit() was called: the app does not sit on a blank screen
    assert app._exception is None
    app = ReplayApp(folder, speed=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+q")  # it raised StopIteration looking for the live main screen
        await pilot.pause()
    assert app._exception is None


async def test_replayed_events_after_quit_is_asked_are_dropped_not_mounted(tmp_path: Path) -> None:
    # Ctrl+Q while a replay is still posting events: the app is exiting, so every widget reads as
    # detached and a pane that mounted its live text then raised MountError (a CI failure).
    app = ReplayApp(session_folder(tmp_path), speed=0)
    async with app.run_test(size=(120, 40)) as pilot:
        team = app.screen.team  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: bool(team.panes))
        agent = next(iter(team.panes))
        app.exit()
        await team.apply(ev.AgentStarted(agent=agent, turn=team.board.turn or 1, reason="retry", attempt=2))
    assert app._exception is None


async def test_broken_config_is_shown_in_the_app_and_printed_when_quitting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "broken.yaml"
    config.write_text("agents:\n  - id: a\n    modle: openai/x\n", encoding="utf-8")
    made: list[object] = []
    app = MgtuiApp(str(config), cwd=tmp_path, engine_factory=lambda *a: made.append(a))  # type: ignore[arg-type,return-value]
    expected = f"{config}:3:5: agents[0].modle: unknown key 'modle'"
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ConfigProblemScreen))
        assert expected in str(app.screen.query_one("#problem", Static).render())
        assert not made  # no engine is started for a config that cannot be used
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 1
    assert tui_cmd.exit_code(app) == 1
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


async def test_fixing_the_config_in_the_editor_starts_the_engine(tmp_path: Path) -> None:
    config = tmp_path / "broken.yaml"
    config.write_text("agents:\n  - id: a\n    modle: openai/x\n", encoding="utf-8")
    made: list[tuple[object, ...]] = []

    def factory(target, config_path, session_dir):  # noqa: ANN001, ANN202 - records what the app asked for
        made.append((config_path, session_dir))
        return fixture_factory(ONE_TURN)(target, config_path, session_dir)

    app = MgtuiApp(str(config), cwd=tmp_path, engine_factory=factory)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ConfigProblemScreen))
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfigEditorScreen))
        editor = app.screen.query_one(TextArea)
        editor.text = "agents:\n  - id: a\n    model: openai/x\n"
        await pilot.press("ctrl+s", "escape")  # save, close the editor: checked again, then the engine starts
        await wait_until(pilot, lambda: bool(made))
        assert made == [(str(config), None)] and isinstance(app.screen, MainScreen)
        assert "model: openai/x" in config.read_text()
