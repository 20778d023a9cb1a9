"""No lost keystrokes: typing after the focus left the prompt lands in the prompt."""

from __future__ import annotations

from textual.pilot import Pilot

from mgtui.tui.screens.help import HelpScreen
from mgtui.tui.widgets.prompt_bar import PromptBar
from tests.tui.engines import settle, wait_until
from tests.tui.test_main_screen import ask, make_app


async def focus_on_a_pane(pilot: Pilot) -> PromptBar:
    """A turn on screen and the focus on beta's pane, as after a mouse click; the prompt."""
    await ask(pilot)
    await settle(pilot)
    await pilot.click("#pane-beta")
    assert pilot.app.focused is pilot.app.screen.team.panes["beta"]
    return pilot.app.screen.query_one(PromptBar)



async def test_keys_typed_after_clicking_a_pane_land_in_the_prompt() -> None:
    app = make_app(limit=30)
    async with app.run_test(size=(160, 48)) as pilot:
        prompt = await focus_on_a_pane(pilot)
        await pilot.press(*"hello world")
        await pilot.pause()
        assert prompt.text == "hello world"
        assert prompt.input.has_focus


async def test_escape_returns_focus_to_the_prompt() -> None:
    app = make_app(limit=30)
    async with app.run_test(size=(160, 48)) as pilot:
        await ask(pilot)
        await pilot.press("alt+right")
        assert app.focused is not None and app.focused is not app.screen.query_one(PromptBar).input
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query_one(PromptBar).input.has_focus


async def test_question_mark_is_text_when_the_prompt_holds_some() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.screen.team.ready)
        prompt = app.screen.query_one(PromptBar)
        await pilot.press(*"why")
        app.screen.set_focus(None)
        await pilot.press("question_mark")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        assert prompt.text == "why?"
        prompt.text = ""
        app.screen.set_focus(None)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_a_burst_typed_after_clicking_a_pane_lands_whole_and_never_runs_pane_keys() -> None:
    """Keys typed faster than a frame (a quick typist, tmux send-keys, a paste without
    bracketed paste) all reach the pane that had focus when they arrived: the `r` of
    "short" must not restart the agent nor vanish once the focus has moved to the prompt."""
    from textual import events

    app = make_app(limit=30)
    async with app.run_test(size=(160, 48)) as pilot:
        prompt = await focus_on_a_pane(pilot)
        screen = app.screen
        restarts: list[str] = []
        screen.team.panes["beta"].action_act = lambda what: restarts.append(what)  # type: ignore[method-assign]
        text = "use short answers"
        for char in text:  # all queued before the app handles the first one
            key = "space" if char == " " else char
            app.post_message(events.Key(key, char))
        await pilot.pause()
        await pilot.pause()
        assert restarts == []
        assert prompt.text == text
        assert prompt.input.has_focus


async def test_a_burst_with_backspaces_after_clicking_a_pane_edits_the_prompt_in_order() -> None:
    """A typist who corrects a word before the focus caught up: the backspaces queued behind
    the first key edit the prompt (in order) instead of vanishing, and so does the rest."""
    from textual import events

    app = make_app(limit=30)
    async with app.run_test(size=(160, 48)) as pilot:
        prompt = await focus_on_a_pane(pilot)
        keys = [(c, c) for c in "abcdef"] + [("backspace", None)] * 3 + [(c, c) for c in "XYZ"]
        for key, char in keys:  # all queued before the app handles the first one
            app.post_message(events.Key(key, char))
        await pilot.pause()
        await pilot.pause()
        assert prompt.text == "abcXYZ"
        assert prompt.input.has_focus


async def test_a_burst_with_backspaces_in_the_focused_prompt_is_applied_in_order() -> None:
    """Keys that pile up while the app is busy drawing reach the prompt together: Textual
    runs a Backspace (a binding) only after it bubbled to the App, so without care it deleted
    the letters typed after it."""
    from textual import events

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.screen.team.ready)
        prompt = app.screen.query_one(PromptBar)
        prompt.focus()
        await pilot.pause()
        keys = [(c, c) for c in "abcdef"] + [("backspace", None)] * 3 + [(c, c) for c in "XYZ"] + [("left", None), ("delete", None)]
        for key, char in keys:
            app.post_message(events.Key(key, char))
        await pilot.pause()
        await pilot.pause()
        assert prompt.text == "abcXY"
