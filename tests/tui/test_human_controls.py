"""The person in the turn, from the keyboard: hints, the human vote, picking, dropping,
restarting and copying, driven through the main screen with a recorded engine."""

from __future__ import annotations

from pathlib import Path

from mgtui.engine.events import Hint, VoteCast, VotesReset
from mgtui.tui import messages as m
from mgtui.tui.widgets.agent_pane import AgentPane, Note
from mgtui.tui.widgets.prompt_bar import PromptBar
from mgtui.tui.widgets.vote_sidebar import VoteSidebar
from tests.tui.engines import FixtureEngine, settle, wait_until
from tests.tui.test_main_screen import ask, make_app


async def running_turn(pilot, made: list[FixtureEngine]) -> None:
    await ask(pilot)
    await settle(pilot)
    assert pilot.app.screen.team.running and made


async def test_enter_during_a_turn_sends_a_hint_and_at_agent_names_one() -> None:
    made: list[FixtureEngine] = []
    app = make_app(limit=30, made=made)
    async with app.run_test(size=(160, 48)) as pilot:
        await running_turn(pilot, made)
        prompt = app.screen.query_one(PromptBar)
        prompt.focus()
        await pilot.press(*"use Celsius", "enter")
        await pilot.pause()
        prompt.text = "@beta only you"
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(made[0].human_commands) == 2)
        assert made[0].human_commands == [("hint", {"text": "use Celsius", "to": None}),
                                          ("hint", {"text": "only you", "to": ["beta"]})]
        assert made[0].asked == ["At what temperature does water boil?"]  # not a new question
        assert prompt.text == ""


async def test_at_agent2_as_the_answer_labels_show_it_reaches_that_agent() -> None:
    made: list[FixtureEngine] = []
    app = make_app(limit=30, made=made)
    async with app.run_test(size=(160, 48)) as pilot:
        await running_turn(pilot, made)
        prompt = app.screen.query_one(PromptBar)
        prompt.focus()
        prompt.text = "@agent2 check your math"  # beta's answers read agent2.N in the sidebar
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(made[0].human_commands) == 1)
        assert made[0].human_commands == [("hint", {"text": "check your math", "to": ["beta"]})]


async def test_a_hint_shows_in_the_panes_it_reached() -> None:
    app = make_app(limit=30)
    async with app.run_test(size=(160, 48)) as pilot:
        await ask(pilot)
        m.post_event(app.screen, Hint(turn=1, text="use Celsius", to=["alpha", "gamma"]))
        await settle(pilot)
        notes = {aid: [str(n.content) for n in pane.query(Note)] for aid, pane in app.screen.team.panes.items()}
        assert any("✉ you: use Celsius" in n for n in notes["alpha"]) and any("✉ you: use Celsius" in n for n in notes["gamma"])
        assert not any("Celsius" in n for n in notes["beta"])


async def test_v_votes_for_the_focused_pane_only_for_a_voter() -> None:
    made: list[FixtureEngine] = []
    app = make_app(limit=30, made=made)
    async with app.run_test(size=(160, 48)) as pilot:
        await running_turn(pilot, made)
        screen = app.screen
        await pilot.click("#pane-alpha")
        await pilot.press("v")  # an observer: `v` is just text for the prompt
        await pilot.pause()
        assert made[0].human_commands == [] and screen.query_one(PromptBar).text == "v"
        screen.control.options = {"human": "voter"}
        screen.query_one(PromptBar).text = ""
        await pilot.click("#pane-alpha")
        await pilot.press("v")
        await pilot.pause()
        assert made[0].human_commands == [("vote", {"agent": "alpha"})]


async def test_sidebar_shows_and_counts_the_human_vote_and_a_reset_clears_it() -> None:
    app = make_app(limit=30)
    async with app.run_test(size=(160, 48)) as pilot:
        await ask(pilot)
        screen = app.screen
        m.post_event(screen, VoteCast(turn=1, agent="human", target="alpha", label="agent1.1", reason="chosen by the user"))
        await settle(pilot)
        board = screen.query_one(VoteSidebar).board
        assert board.human_vote is not None and board.human_vote.target == "alpha"
        assert [v.voter for v in board.votes_for("alpha")].count("human") == 1
        assert "your vote: alpha" in str(screen.query_one("#vote-human").content)
        m.post_event(screen, VotesReset(turn=1, by="beta", cleared=["alpha", "human"]))
        await settle(pilot)
        assert screen.query_one(VoteSidebar).board.human_vote is None


async def test_d_x_r_send_pick_drop_restart_for_the_focused_agent() -> None:
    made: list[FixtureEngine] = []
    app = make_app(limit=30, made=made)
    async with app.run_test(size=(160, 48)) as pilot:
        await running_turn(pilot, made)
        await pilot.click("#pane-gamma")
        await pilot.press("x", "r")
        await pilot.click("#pane-alpha")
        await pilot.press("d")
        await pilot.pause()
        assert made[0].human_commands == [("drop", {"agent": "gamma"}), ("restart", {"agent": "gamma"}),
                                          ("decide", {"agent": "alpha"})]


async def test_palette_pick_this_answer() -> None:
    made: list[FixtureEngine] = []
    app = make_app(limit=30, made=made)
    async with app.run_test(size=(160, 48)) as pilot:
        await running_turn(pilot, made)
        await pilot.click("#pane-alpha")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Pick this answer" in titles
        app.screen.action_pick_focused()
        await pilot.pause()
        assert made[0].human_commands == [("decide", {"agent": "alpha"})]


async def test_y_copies_the_agents_answer_to_a_file_and_says_where(tmp_path: Path) -> None:
    made: list[FixtureEngine] = []
    app = make_app(limit=30, made=made)
    async with app.run_test(size=(160, 48)) as pilot:
        await running_turn(pilot, made)
        screen = app.screen
        screen.team.session_dir = str(tmp_path)
        await pilot.click("#pane-alpha")
        await pilot.press("y")
        await pilot.pause()
        pane: AgentPane = screen.team.panes["alpha"]
        assert (tmp_path / "clipboard.md").read_text(encoding="utf-8") == pane.latest_answer != ""
        notice = app._notifications.last.message if hasattr(app._notifications, "last") else list(app._notifications)[-1].message
        assert "OSC 52" in notice and "clipboard.md" in notice


async def test_question_strip_shows_the_typed_question_with_chips_and_the_engine_gets_both() -> None:
    from mgtui.engine.events import TurnStarted

    made: list[FixtureEngine] = []
    app = make_app(limit=1, made=made)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: screen.control.ready)
        attached = [{"path": "notes.txt", "mode": "read", "bytes": 16}]
        full = 'Explain @notes.txt\n\n<attached file="notes.txt" mode="read-only">\nbody\n</attached>'
        screen.post_message(m.PromptSubmitted(full, typed="Explain @notes.txt", attachments=attached))
        await wait_until(pilot, lambda: bool(made[0].asked))
        assert made[0].asked_extras == [{"typed": "Explain @notes.txt", "attachments": attached}]
        m.post_event(screen, TurnStarted(turn=1, question="Explain @notes.txt", history_len=0, attachments=attached))
        await settle(pilot)
        strip = str(screen.query_one("#question").content)
        assert strip == "Q1: Explain @notes.txt  ⟨notes.txt · 16 B⟩" and "<attached" not in strip


async def test_v_and_d_on_an_answer_in_the_sidebar() -> None:
    from mgtui.tui.widgets.vote_sidebar import AnswerRow

    made: list[FixtureEngine] = []
    app = make_app(limit=30, made=made)
    async with app.run_test(size=(160, 48)) as pilot:
        await running_turn(pilot, made)
        screen = app.screen
        await wait_until(pilot, lambda: bool(screen.query(AnswerRow)))
        row = screen.query(AnswerRow).first()
        row.focus()
        await pilot.press("v")  # an observer: `v` is just text for the prompt
        await pilot.pause()
        assert made[0].human_commands == [] and screen.query_one(PromptBar).text == "v"
        screen.control.options = {"human": "voter"}
        screen.query_one(PromptBar).text = ""
        row = screen.query(AnswerRow).first()
        row.focus()
        await pilot.press("v")
        await pilot.pause()
        assert made[0].human_commands == [("vote", {"agent": row.agent})]
        row = screen.query(AnswerRow).first()
        row.focus()
        await pilot.press("d")
        await pilot.pause()
        assert made[0].human_commands[-1] == ("decide", {"agent": row.agent})
