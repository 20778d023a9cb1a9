"""The main screen driven by a recorded engine session (tests/fixtures/*.jsonl)."""

from __future__ import annotations

from textual.message import Message

from mgtui.engine.events import FinalAnswer, TextDelta, TurnFinished
from mgtui.tui import messages as m
from mgtui.tui.app import MgtuiApp
from mgtui.tui.screens.main import MainScreen
from mgtui.tui.widgets.agent_pane import AgentPane, AnswerBlock
from mgtui.tui.widgets.final_answer import FinalAnswerView
from mgtui.tui.widgets.live_tail import LiveTail
from mgtui.tui.widgets.team_view import grid_shape
from mgtui.tui.widgets.vote_sidebar import VoteSidebar
from tests.tui.engines import (
    FIXTURES,
    FixtureEngine,
    fixture_factory,
    load_fixture,
    settle,
    wait_until,
)

ONE_TURN = "three_agents_one_turn.jsonl"
TWO_TURNS = "three_agents_two_turns.jsonl"


def make_app(fixture: str = ONE_TURN, limit: int | None = None, made: list[FixtureEngine] | None = None, **kw) -> MgtuiApp:
    return MgtuiApp(config_path="fixture.yaml", engine_factory=fixture_factory(fixture, limit, made), **kw)


async def ask(pilot, text: str = "At what temperature does water boil?") -> None:
    screen = pilot.app.screen
    await wait_until(pilot, lambda: screen.control.ready)
    screen.post_message(m.PromptSubmitted(text))
    await pilot.pause()


def test_grid_shape() -> None:
    assert [grid_shape(n) for n in (1, 2, 3, 4, 5, 6, 7, 9)] == [
        (1, 1), (2, 1), (3, 1), (2, 2), (3, 2), (3, 2), (3, 3), (3, 3)
    ]


async def test_full_turn_from_recorded_events() -> None:
    events = load_fixture(ONE_TURN)
    posted: list[Message] = []
    app = make_app()
    async with app.run_test(size=(160, 48), message_hook=posted.append) as pilot:
        await ask(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await wait_until(pilot, lambda: not screen.team.running)
        await settle(pilot)

        panes = list(screen.query(AgentPane))
        assert [p.agent_id for p in panes] == ["alpha", "beta", "gamma"]
        # Every streamed coordination character reached its pane.
        for pane in panes:
            sent = sum(len(e.delta) for e in events if isinstance(e, TextDelta) and e.agent == pane.agent_id and e.phase == "coordination")
            assert pane.chars_received == sent
        # Each agent's latest answer label is in its header, and its answer is shown as Markdown.
        latest = {e.agent: e.label for e in events if e.type == "answer"}  # type: ignore[attr-defined]
        for pane in panes:
            assert pane.label == latest[pane.agent_id]
            assert pane.query(AnswerBlock)
        final = next(e for e in events if isinstance(e, FinalAnswer))
        view = screen.query_one(FinalAnswerView)
        assert view.content == final.content
        assert view.status == next(e for e in events if isinstance(e, TurnFinished)).status
        board = screen.query_one(VoteSidebar).board
        assert board.winner == final.agent
        assert board.resets == sum(1 for e in events if e.type == "votes_reset")
        kinds = {msg.event.type for msg in posted if isinstance(msg, m.EngineEvent)}
        assert {"turn_started", "answer", "vote", "votes_reset", "consensus", "turn_finished"} <= kinds


async def test_submit_refused_while_turn_runs() -> None:
    made: list[FixtureEngine] = []
    app = make_app(limit=20, made=made)
    async with app.run_test(size=(160, 48)) as pilot:
        await ask(pilot)
        screen = app.screen
        assert screen.team.running
        screen.post_message(m.PromptSubmitted("another question"))
        await pilot.pause()
        assert made[0].asked == ["At what temperature does water boil?"]
        assert any("turn is running" in n.message for n in app._notifications)


async def test_ctrl_c_cancels_only_a_running_turn() -> None:
    made: list[FixtureEngine] = []
    app = make_app(limit=20, made=made)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: app.screen.control.ready)
        await pilot.press("ctrl+c")
        assert made[0].cancels == 0
        await ask(pilot)
        await pilot.press("ctrl+c")
        assert made[0].cancels == 1


async def test_second_turn_archives_the_first() -> None:
    app = make_app(TWO_TURNS)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.screen
        await ask(pilot)
        await wait_until(pilot, lambda: not screen.team.running)
        await ask(pilot, "And on top of Everest?")
        await wait_until(pilot, lambda: not screen.team.running and len(screen.team.turns) == 1)
        assert screen.team.turns[0].question == "At what temperature does water boil?"
        assert screen.team.turns[0].status == "ok" and screen.team.turns[0].final_answer
        assert screen.query_one("#history").has_class("-shown")
        assert str(screen.query_one("#question").content).startswith("Q2:")


async def test_narrow_terminal_stacks_panes_behind_tabs() -> None:
    app = make_app(limit=30)
    async with app.run_test(size=(80, 24)) as pilot:
        await ask(pilot)
        await settle(pilot)
        screen = app.screen
        assert screen.team.has_class("-narrow")
        visible = [p.agent_id for p in screen.query(AgentPane) if p.display]
        assert visible == ["alpha"]
        await pilot.press("alt+right")
        await settle(pilot)
        assert [p.agent_id for p in screen.query(AgentPane) if p.display] == ["beta"]


async def test_maximise_and_restore_a_pane() -> None:
    app = make_app(limit=30)
    async with app.run_test(size=(160, 48)) as pilot:
        await ask(pilot)
        await pilot.press("alt+right", "alt+right", "ctrl+o")
        beta = app.screen.team.panes["beta"]
        assert app.screen.maximized is beta
        # Only the maximised pane renders its live text as Markdown.
        assert beta.tail is not None and beta.tail.markdown
        assert not any(t.markdown for p in app.screen.team.panes.values() if p is not beta for t in p.query(LiveTail))
        await pilot.press("ctrl+o")
        assert app.screen.maximized is None
        assert not beta.tail.markdown


async def test_quit_during_a_turn_asks_first() -> None:
    made: list[FixtureEngine] = []
    app = make_app(limit=20, made=made)
    async with app.run_test(size=(160, 48)) as pilot:
        await ask(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("n")
        assert isinstance(app.screen, MainScreen) and app.is_running
        await pilot.press("ctrl+q", "y")
        await pilot.pause()
        assert made[0].cancels == 1 and not made[0].alive


async def test_edit_config_command_reloads_the_engine_config(tmp_path) -> None:
    made: list[FixtureEngine] = []
    config = tmp_path / "team.yaml"
    config.write_text("agents:\n  - id: alpha\n    model: openai/alpha\n", encoding="utf-8")
    app = MgtuiApp(config_path=str(config), engine_factory=fixture_factory(ONE_TURN, None, made))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: app.screen.control.ready)
        app.action_edit_config()
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfigEditorScreen"
        app.screen.dismiss(config)
        await pilot.pause()
        assert made[0].reloads == [str(config)]


async def test_a_continued_session_shows_its_earlier_turns(tmp_path) -> None:
    folder = tmp_path / "20261125-143904-743e07"
    folder.mkdir()
    lines = (FIXTURES / TWO_TURNS).read_text(encoding="utf-8")
    (folder / "events.jsonl").write_text(lines + '{"type": "turn_started", "tu', encoding="utf-8")  # cut-off last line
    app = MgtuiApp(config_path="fixture.yaml", engine_factory=fixture_factory(TWO_TURNS), session_dir=str(folder))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.screen
        # Earlier turns go to the strip; the last one is back on screen as it was left.
        await wait_until(pilot, lambda: len(screen.team.turns) == 1 and screen.team.board.turn == 2 and not screen.team.running
                         and bool(screen.team.final_view.content))
        assert [t.question for t in screen.team.turns] == ["At what temperature does water boil?"]
        assert all(t.status == "ok" and t.winner == "alpha" and t.final_answer for t in screen.team.turns)
        assert screen.team.board.question == "And on top of Everest?" and screen.team.board.status == "ok"
        assert screen.team.board.winner == "alpha"
        assert all(p.query(AnswerBlock) for p in screen.team.panes.values())
        from mgtui.tui.widgets.prompt_bar import PromptBar

        assert screen.query_one(PromptBar).history == ["At what temperature does water boil?", "And on top of Everest?"]


def test_cli_finds_the_session_to_continue(tmp_path) -> None:
    import pytest

    from mgtui.cli.tui_cmd import session_to_resume

    for name in ("20261125-090000-aaaaaa", "20261125-100000-bbbbbb"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "events.jsonl").write_text("", encoding="utf-8")
    assert session_to_resume(tmp_path, None, True) == tmp_path / "20261125-100000-bbbbbb"
    assert session_to_resume(tmp_path, "20261125-090000-aaaaaa", False) == tmp_path / "20261125-090000-aaaaaa"
    assert session_to_resume(tmp_path, None, False) is None
    with pytest.raises(SystemExit):
        session_to_resume(tmp_path, "nope", False)


async def test_thinking_and_fallbacks_are_marked_in_the_panes() -> None:
    """Issue 15: reasoning shows dimmed under "thinking" (never as answer text); answers and
    votes the engine took from text are marked."""
    app = make_app("imperfect_models_one_turn.jsonl")
    async with app.run_test(size=(160, 48)) as pilot:
        await ask(pilot)
        screen = app.screen
        await wait_until(pilot, lambda: not screen.team.running)
        await settle(pilot)
        alpha = next(p for p in screen.query(AgentPane) if p.agent_id == "alpha")
        thinking = [t for t in alpha.query(LiveTail) if t.has_class("-thinking")]
        assert len(thinking) == 1 and "Weighing 100 °C" in thinking[0].text
        assert all("Weighing" not in t.text for t in alpha.query(LiveTail) if not t.has_class("-thinking"))
        marks = [str(s.content) for s in alpha.query(".fallback-mark")]
        assert marks == ["⚑ answer taken from its text (the model did not call the tool)"]
        gamma = next(p for p in screen.query(AgentPane) if p.agent_id == "gamma")
        assert [str(s.content) for s in gamma.query(".fallback-mark")] == ["⚑ vote read from its text (the model did not call the tool)"]
        beta = next(p for p in screen.query(AgentPane) if p.agent_id == "beta")
        assert not beta.query(".fallback-mark")


async def test_a_dropped_agent_says_why_in_the_sidebar() -> None:
    from mgtui.engine.events import AgentError
    from mgtui.engine.turn_state import TurnState

    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        # Once the panes are built: building them gives the sidebar a fresh board.
        await wait_until(pilot, lambda: bool(app.screen.query(VoteSidebar)) and bool(app.screen.team.panes))
        sidebar = app.screen.query_one(VoteSidebar)
        board = TurnState(agents=["alpha", "beta"])
        board.apply(AgentError(agent="beta", error="HTTP 500 from 127.0.0.1:8001: scripted failure", fatal=True))
        sidebar.board = board
        line = "✗ beta dropped: HTTP 500 from 127.0.0.1:8001: scripted failure"
        # The sidebar recomposes on its next refresh: a loaded machine needs more than one pause.
        await wait_until(pilot, lambda: line in [str(s.content) for s in sidebar.query(".vs-empty")])


async def test_a_votes_reset_relabels_the_voters_panes_and_tabs() -> None:
    from mgtui.engine.events import VotesReset
    from mgtui.tui.widgets.agent_pane import Note

    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await ask(pilot)
        screen = app.screen
        await wait_until(pilot, lambda: not screen.team.running)
        beta = screen.team.panes["beta"]
        beta.state = "voted"  # as between its vote and the reset
        m.post_event(screen, VotesReset(turn=1, by="gamma", cleared=["beta"]))
        await settle(pilot)
        assert beta.state == "answered"
        assert str(list(beta.query(Note))[-1].content) == "↺ vote cleared: new answer by gamma"
        assert "beta" not in screen.team.board.votes
        assert screen.query_one("#vote-reset").content  # the sidebar counts the reset
