"""Shown when the config cannot be used: every issue with file:line, then edit it or quit.

The check runs after the first frame (pydantic stays off the start-up path); quitting from
here exits with code 1 and the same text is printed in the shell, as `mgtui run` does.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static


class ConfigProblemScreen(ModalScreen[Path | None]):
    """Dismissed with the config file once it has been edited and saved (None: quit)."""

    CSS_PATH = "config_problem.tcss"
    BINDINGS = [
        Binding("e", "edit", "Edit config", id="config_problem.edit", tooltip="Open the config in the editor"),
        Binding("q,escape", "quit_app", "Quit", id="config_problem.quit", tooltip="Quit; the issues are printed in the shell"),
    ]

    def __init__(self, problem: str, path: Path | None) -> None:
        super().__init__()
        self.problem = problem
        self.path = path

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("The config cannot be used"), classes="problem-title")
            with VerticalScroll(classes="problem-text"):
                yield Static(Text(self.problem), id="problem")
            help_text = ("e: edit it (Ctrl+S saves, Esc closes; then it is checked again and the engine starts)"
                         " · q: quit" if self.path else "q: quit")
            yield Static(Text(help_text), classes="problem-help")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.path is not None if action == "edit" else True

    def action_edit(self) -> None:
        from mgtui.tui.screens.config_editor import ConfigEditorScreen  # noqa: PLC0415

        if self.path is not None:
            self.app.push_screen(ConfigEditorScreen(self.path), self._saved)

    def _saved(self, path: Path | None) -> None:
        if path is not None:
            self.dismiss(path)  # the app checks it again

    def action_quit_app(self) -> None:
        self.app.exit(return_code=1)
