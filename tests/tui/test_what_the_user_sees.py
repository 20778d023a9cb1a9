"""Engine events the user must see: hook notes in the pane, a vote reset relabelling the pane,
the tabs and the sidebar, and engine notices as toasts. Events go in through the production
adapter (`post_event`); the asserts read the text on screen (tests/tui/screen_text.py)."""

from __future__ import annotations

from mgtui.engine.events import (
    AnswerPosted,
    HookRun,
    SessionNotice,
    VoteCast,
    VotesReset,
)
from mgtui.tui.app import MgtuiApp
from mgtui.tui.messages import post_event
from mgtui.tui.widgets.agent_pane import AgentPane
from mgtui.tui.widgets.vote_sidebar import VoteSidebar
from tests.tui.engines import fixture_factory, settle, wait_until
from tests.tui.screen_text import drawn_text, pane, pane_header, tab_labels, toasts

ONE_TURN = "three_agents_one_turn.jsonl"
STARTED = 5  # session_started, turn_started and three agent_started: the turn runs, nothing answered


def make_app() -> MgtuiApp:
    return MgtuiApp(config_path="fixture.yaml", engine_factory=fixture_factory(ONE_TURN, STARTED))


async def type_question(pilot, question: str = "Water boils at") -> None:
    await wait_until(pilot, lambda: len(pilot.app.screen.query(AgentPane)) == 3)
    await pilot.press(*["space" if c == " " else c for c in question], "enter")
    await wait_until(pilot, lambda: "thinking" in pane_header(pilot.app, "alpha"))
    await settle(pilot)


async def test_hooks_that_changed_something_leave_a_note_in_the_agent_pane() -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await type_question(pilot)
        screen = app.screen
        for agent, outcome, detail in (
            ("alpha", "allow", "fine"),
            ("alpha", "deny", "rm -rf is not allowed"),
            ("beta", "rewrite", '{"path": "notes.md"}'),
            ("gamma", "failed", "ValueError: boom"),
        ):
            post_event(screen, HookRun(turn=1, agent=agent, hook="PreToolUse", handler="hooks:guard",
                                       tool="write_file", outcome=outcome, detail=detail))
        await settle(pilot)
        alpha, beta, gamma = (drawn_text(pane(app, a)) for a in ("alpha", "beta", "gamma"))
        assert "PreToolUse hook deny write_file: rm -rf is not allowed" in alpha
        assert "hook allow" not in alpha and "fine" not in alpha  # a hook that let the call pass is no news
        assert 'PreToolUse hook rewrite write_file: {"path": "notes.md"}' in beta
        assert "PreToolUse hook failed write_file: ValueError: boom" in gamma


async def test_a_votes_reset_relabels_the_pane_the_tabs_and_the_sidebar() -> None:
    app = make_app()
    async with app.run_test(size=(90, 40)) as pilot:  # narrow: the tab selector is on screen
        await type_question(pilot)
        screen = app.screen
        post_event(screen, AnswerPosted(turn=1, agent="alpha", label="agent1.1", content="100 °C", answer_index=1))
        post_event(screen, AnswerPosted(turn=1, agent="beta", label="agent2.1", content="100 °C at sea level", answer_index=1))
        post_event(screen, VoteCast(turn=1, agent="alpha", target="beta", label="agent2.1", reason="more precise"))
        await settle(pilot)
        assert pane_header(app, "alpha").startswith("☑ voted")
        assert "alpha ☑ ▮0" in tab_labels(app) and "beta ✓ ▮1" in tab_labels(app)
        assert "1 of 3 voted" in drawn_text(screen.query_one(VoteSidebar))

        post_event(screen, AnswerPosted(turn=1, agent="gamma", label="agent3.1", content="212 °F", answer_index=1))
        post_event(screen, VotesReset(turn=1, by="gamma", cleared=["alpha"]))
        await settle(pilot)
        assert pane_header(app, "alpha").startswith("✓ answered  agent1.1")  # no longer "voted"
        assert "↺ vote cleared: new answer by gamma" in drawn_text(pane(app, "alpha"))
        assert "vote cleared" not in drawn_text(pane(app, "beta"))  # beta had not voted
        assert {"alpha ✓ ▮0", "beta ✓ ▮0", "gamma ✓ ▮0", "votes 0/3"} <= set(tab_labels(app))
        sidebar = drawn_text(screen.query_one(VoteSidebar))
        assert "0 of 3 voted" in sidebar and "↺ votes reset ×1 (new answer by gamma)" in sidebar


async def test_engine_notices_are_toasts_with_their_text_as_written() -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:  # toasts are drawn
        await wait_until(pilot, lambda: len(app.screen.query(AgentPane)) == 3)
        post_event(app.screen, SessionNotice(message="config team.yaml changed: applies from the next turn"))
        # A config error quotes the file and pydantic: brackets are text, not markup.
        post_event(app.screen, SessionNotice(level="warning", message=(
            "config team.yaml changed but is invalid (keeping the last good one):\n"
            "agents.0.model: Field required [type=missing, input_value={'id': 'a'}] [/bold]")))
        await wait_until(pilot, lambda: len(toasts(app)) == 2)
        shown = toasts(app)
        assert shown[0] == "config team.yaml changed: applies from the next turn"
        assert shown[1].endswith("Field required [type=missing, input_value={'id': 'a'}] [/bold]")
        assert [t.has_class("-warning") for t in app.screen.query("Toast")] == [False, True]
