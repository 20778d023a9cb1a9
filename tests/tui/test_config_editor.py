"""Config editor under Pilot: secrets as written, live errors, jump, save/force/revert, snapshot."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import OptionList, TextArea

from mgtui.tui.screens.config_editor import ConfigEditorScreen

VALID = (
    "description: editor test\n"
    "agents:\n"
    "  - id: alpha\n"
    "    model: openai/gpt-4o-mini\n"
    "    api_key: ${MGTUI_EDITOR_KEY}\n"
    "  - id: beta\n"
    "    model: anthropic/claude-sonnet-4-5\n"
)


class EditorApp(App[None]):
    """Nothing but the editor screen; records what it was dismissed with."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.result: list[Path | None] = []

    def on_mount(self) -> None:
        self.push_screen(ConfigEditorScreen(self.path), self.result.append)


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MGTUI_EDITOR_KEY", "sk-must-not-show")
    monkeypatch.chdir(tmp_path)  # the title shows the path relative to the working directory
    path = tmp_path / "config.yaml"
    path.write_text(VALID)
    return path


def _replace(editor: TextArea, old: str, new: str) -> None:
    text = editor.text
    assert old in text
    editor.text = text.replace(old, new, 1)  # a real edit: fires TextArea.Changed


async def test_secrets_are_shown_as_written(config_file: Path) -> None:
    app = EditorApp(config_file)
    async with app.run_test() as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConfigEditorScreen)
        assert screen.query_one(TextArea).text == VALID
        assert "${MGTUI_EDITOR_KEY}" in screen.query_one(TextArea).text
        assert screen.query_one(TextArea).language == "yaml"
        assert screen.query_one(OptionList).option_count == 0


async def test_typing_an_error_lists_it_and_selecting_jumps_there(config_file: Path) -> None:
    app = EditorApp(config_file)
    async with app.run_test() as pilot:
        await pilot.pause()
        screen = app.screen
        editor = screen.query_one(TextArea)
        editor.cursor_location = (6, 0)  # beta's model line
        await pilot.press("end", "enter", *["space"] * 4, *"tempature:", "space", "1")
        await pilot.pause(0.5)  # past the validation debounce
        await pilot.wait_for_scheduled_animations()
        issues = screen.query_one(OptionList)
        assert issues.option_count == 1
        assert str(issues.get_option_at_index(0).prompt) == "8:5 error agents[1].tempature: unknown key 'tempature' (did you mean 'temperature'?)"
        editor.cursor_location = (0, 0)
        issues.focus()
        await pilot.press("down", "enter")
        assert editor.has_focus
        assert editor.cursor_location == (7, 4)
        editor.cursor_location = (0, 0)
        await pilot.press("f8")  # next problem below the cursor
        assert editor.cursor_location == (7, 4)


async def test_save_refuses_invalid_then_force_saves(config_file: Path) -> None:
    app = EditorApp(config_file)
    async with app.run_test() as pilot:
        await pilot.pause()
        editor = app.screen.query_one(TextArea)
        _replace(editor, "id: beta", "id: alpha")
        await pilot.press("ctrl+s")
        assert config_file.read_text() == VALID  # refused
        await pilot.press("f2")
        assert config_file.read_text() == VALID.replace("id: beta", "id: alpha")
        assert not list(config_file.parent.glob(".config.yaml.*"))  # no temp file left behind


async def test_valid_save_then_close_returns_the_path(config_file: Path) -> None:
    app = EditorApp(config_file)
    async with app.run_test() as pilot:
        await pilot.pause()
        _replace(app.screen.query_one(TextArea), "anthropic/claude-sonnet-4-5", "gemini/gemini-2.5-flash")
        await pilot.press("ctrl+s")
        assert "gemini/gemini-2.5-flash" in config_file.read_text()
        assert "${MGTUI_EDITOR_KEY}" in config_file.read_text()  # still a reference on disk
        await pilot.press("escape")
        await pilot.pause()
        assert app.result == [config_file]


async def test_revert_and_close_with_unsaved_changes(config_file: Path) -> None:
    app = EditorApp(config_file)
    async with app.run_test() as pilot:
        await pilot.pause()
        screen = app.screen
        editor = screen.query_one(TextArea)
        _replace(editor, "alpha", "gamma")
        await pilot.press("ctrl+r")
        assert editor.text == VALID
        _replace(editor, "alpha", "gamma")
        await pilot.pause()
        await pilot.press("escape")  # first Esc only warns
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("escape")
        await pilot.pause()
        assert app.result == [None]
        assert config_file.read_text() == VALID


def test_editor_with_errors_snapshot(config_file: Path, snap_compare: Callable[..., bool]) -> None:
    config_file.write_text(VALID.replace("openai/gpt-4o-mini", "opnai/gpt-4o-mini") + "    temperature: hot\n")

    async def settle(pilot: Pilot[None]) -> None:
        pilot.app.screen.query_one(TextArea).cursor_blink = False
        await pilot.pause()

    assert snap_compare(EditorApp(config_file), terminal_size=(110, 16), run_before=settle)


async def test_a_burst_of_keys_edits_the_config_in_order(config_file: Path) -> None:
    """Backspace and arrows typed in a burst take effect where they were typed, not after
    the characters that followed them (Textual runs bindings only once a key has bubbled up)."""
    from textual import events

    app = EditorApp(config_file)
    async with app.run_test() as pilot:
        await pilot.pause()
        editor = app.screen.query_one(TextArea)
        editor.move_cursor(editor.document.end)
        keys = [(c, c) for c in "humna"] + [("backspace", None)] * 2 + [(c, c) for c in "an: voter"]
        for key, char in keys:
            app.post_message(events.Key(key, char))
        await pilot.pause()
        await pilot.pause()
        assert editor.text.endswith("\nhuman: voter")


async def test_a_shipped_config_is_saved_as_the_projects_own_never_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Palette -> Edit config on the built-in @local used to rewrite the package's configs/local.yaml.
    from mgtui.config.shipped import shipped_config

    shipped = shipped_config("local")
    assert shipped is not None
    before = shipped.path.read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    app = EditorApp(shipped.path)
    async with app.run_test() as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConfigEditorScreen)
        assert "saving writes .mgtui/config.yaml" in str(screen.query_one("#config-title").render())
        _replace(screen.query_one(TextArea), "temperature: 0.2", "temperature: 0.3")
        await pilot.press("ctrl+s")
        await pilot.press("escape")
        await pilot.pause()
    project = tmp_path / ".mgtui" / "config.yaml"
    assert shipped.path.read_text(encoding="utf-8") == before
    assert "temperature: 0.3" in project.read_text(encoding="utf-8")
    assert app.result == [project]  # the app applies the copy
