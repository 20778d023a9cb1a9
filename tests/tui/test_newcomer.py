"""What a newcomer met in a real terminal (tmux) and no other test saw."""

from __future__ import annotations

from tests.tui.engines import wait_until
from tests.tui.test_main_screen import make_app


async def test_ctrl_c_with_no_turn_says_how_to_quit_in_plain_words() -> None:
    """The app's toasts are plain text, so Textual's own hint ("Press [b]ctrl+q[/b] …") showed
    its markup as written."""
    app = make_app(limit=20)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: app.screen.control.ready)
        await pilot.press("ctrl+c")
        await pilot.pause()
        messages = [str(n.message) for n in app._notifications]
        assert any("to quit the app" in text for text in messages), messages
        assert not any("[b]" in text for text in messages), messages


async def test_an_agent_dropped_by_the_person_says_so_once_in_its_pane() -> None:
    """`x` on a pane: the engine stops the run ("dropped by the user") and then reports the
    drop; the pane read "■ dropped by the user" and "dropped: dropped by the user"."""
    from mgtui.engine.events import AgentError, AgentStopped
    from mgtui.tui.widgets.agent_pane import AgentPane, Note

    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: bool(app.screen.team.panes))
        pane: AgentPane = app.screen.team.panes["beta"]
        pane.apply(AgentStopped(agent="beta", why="dropped by the user"))
        pane.apply(AgentError(agent="beta", error="dropped by the user", fatal=True, kind="human"))
        await pilot.pause()
        notes = [str(n.content) for n in pane.query(Note)]
        assert sum("dropped by the user" in text for text in notes) == 1, notes
        assert pane.state == "dropped"


async def test_ctrl_c_takes_back_a_question_typed_while_the_engine_starts() -> None:
    """"Your question will be sent when it is ready": Ctrl+C before that showed the quit hint
    and the question was sent anyway once the engine was up."""
    import asyncio

    from mgtui.tui import messages as m
    from mgtui.tui.app import MgtuiApp
    from mgtui.tui.widgets.prompt_bar import PromptBar
    from tests.tui.engines import FixtureEngine

    go = asyncio.Event()
    made: list[FixtureEngine] = []

    class SlowStart(FixtureEngine):
        async def start(self) -> None:  # like the real client: ready is a message that comes later
            self.alive = True
            self._ready_task = asyncio.create_task(self._ready_later())

        async def _ready_later(self) -> None:
            await go.wait()
            self.target.post_message(m.EngineReady(self.events[0].session, self.log_dir, self.agents))

    def factory(target, _config, session_dir):  # type: ignore[no-untyped-def]
        made.append(SlowStart(target, "three_agents_one_turn.jsonl", None, session_dir))
        return made[-1]

    app = MgtuiApp(config_path="fixture.yaml", engine_factory=factory)
    async with app.run_test(size=(160, 48)) as pilot:
        prompt = app.screen.query_one(PromptBar)
        await wait_until(pilot, lambda: bool(made))
        prompt.focus()
        await pilot.press(*"why is the sky blue", "enter")
        await wait_until(pilot, lambda: prompt.text == "")
        await pilot.press("ctrl+c")
        await pilot.pause()
        go.set()
        await wait_until(pilot, lambda: app.screen.control.ready)
        await pilot.pause()
        assert made[0].asked == []
        assert prompt.text == "why is the sky blue"
