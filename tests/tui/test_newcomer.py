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
