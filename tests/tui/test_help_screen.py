"""HelpScreen: generated from the live bindings of the app, the screen and mgtui widgets."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from mgtui.tui.screens.help import HelpScreen, collect_bindings
from mgtui.tui.widgets.prompt_bar import PromptBar


class HelpApp(App[None]):
    BINDINGS = [
        Binding("f1,question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+n", "noop", "Next pane", id="app.next_pane"),
    ]

    def __init__(self, cwd: Path) -> None:
        super().__init__()
        self.cwd = cwd

    def compose(self) -> ComposeResult:
        yield Static("agents")
        yield PromptBar(self.cwd)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.screen))

    def action_noop(self) -> None:
        pass


def _rows(groups: dict) -> dict[str, dict[str, str]]:
    return {title: {row.description: " / ".join(row.keys) for row in rows} for title, rows in groups.items()}


async def test_groups_list_app_and_widget_keys(tmp_path: Path) -> None:
    app = HelpApp(tmp_path)
    async with app.run_test() as pilot:
        app.set_keymap({"app.next_pane": "ctrl+right"})
        await pilot.pause()
        rows = _rows(collect_bindings(app, app.screen))
        assert rows["App"]["Help"] == "f1 / ?"
        assert rows["App"]["Next pane"] == "^→"  # the keymap, not the declared key
        assert rows["App"]["Quit"] == "^q"
        assert rows["Prompt"]["Send"] == "⏎"
        assert rows["Prompt"]["New line"] == "^j / shift+⏎ / alt+⏎"
        # Textual's own TextArea keys are not listed as mgtui widget keys.
        assert not any("Cursor up" in group for group in rows.values())


async def test_f1_opens_and_escape_closes(tmp_path: Path) -> None:
    app = HelpApp(tmp_path)
    async with app.run_test() as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        titles = [str(label.render()) for label in app.screen.query(".help-group")]
        assert titles[:2] == ["App", "Screen"] and "Prompt" in titles
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
