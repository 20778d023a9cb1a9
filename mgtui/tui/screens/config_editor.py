"""Config editor: the active config as written, validated as you type, saved atomically.

The file text is shown verbatim, so `${VAR}` secrets stay references and are never
expanded on screen. Validation uses the same loader as `mgtui run`, so what this screen
accepts is exactly what will load.
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Label, OptionList, TextArea
from textual.widgets.option_list import Option

from mgtui.config.files import write_atomic
from mgtui.config.loader import ConfigError, ConfigIssue, load_config_text
from mgtui.config.shipped import edits_path
from mgtui.tui.in_order_keys import InOrderTextArea

VALIDATE_DELAY_S = 0.3  # debounce: validate once typing pauses


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _issue_option(issue: ConfigIssue, kind: str) -> Option:
    where = f"{issue.line}:{issue.column}" if issue.line else "-"
    key = f"{issue.path}: " if issue.path else ""
    return Option(Content.assemble((f"{where} ", "bold"), (kind, f"${kind}"), f" {key}{issue.message}"))


class ConfigEditorScreen(Screen[Path | None]):
    """Edit one YAML config. Dismisses with the path if it was saved, else None."""

    CSS_PATH = "config_editor.tcss"
    BINDING_GROUP_TITLE = "Config editor"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="config_editor.save", priority=True, tooltip="Save if the config is valid"),
        Binding("f2", "save(True)", "Save anyway", id="config_editor.force_save", priority=True, tooltip="Save even with errors"),
        Binding("ctrl+r", "revert", "Revert", id="config_editor.revert", priority=True, tooltip="Reload the file from disk"),
        Binding("f8", "next_issue", "Next problem", id="config_editor.next_issue", priority=True, tooltip="Jump to the next error"),
        # priority: a code-editor TextArea would otherwise take Esc to move focus.
        Binding("escape", "close", "Close", id="config_editor.close", priority=True, tooltip="Close (twice to discard changes)"),
    ]

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.save_path = edits_path(path)
        self.saved_text = ""
        self.issues: list[ConfigIssue] = []
        self.error_count = 0
        self._timer: Timer | None = None
        self._saved = False
        self._close_armed = False

    def compose(self) -> ComposeResult:
        with Vertical(id="config-editor"):
            yield Label(id="config-title")
            with Horizontal(id="config-body"):
                yield InOrderTextArea.code_editor("", language="yaml", id="config-text")
                with Vertical(id="config-side"):
                    yield Label(id="config-status")
                    yield OptionList(id="config-issues")
        yield Footer()

    def on_mount(self) -> None:
        self._load_from_disk()
        self.query_one(TextArea).focus()

    # -- state ---------------------------------------------------------------------------------

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    @property
    def dirty(self) -> bool:
        return self.text != self.saved_text

    def _load_from_disk(self) -> None:
        try:
            self.saved_text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.saved_text = ""  # a new file: saving creates it
        self.query_one(TextArea).load_text(self.saved_text)
        self.validate_now()

    def _update_title(self) -> None:
        mark = " [modified]" if self.dirty else ""
        target = f" (built-in: saving writes {_display_path(self.save_path)})" if self.save_path != self.path else ""
        self.query_one("#config-title", Label).update(Content(f"{_display_path(self.path)}{mark}{target}"))

    # -- validation ----------------------------------------------------------------------------

    @on(TextArea.Changed)
    def _text_changed(self) -> None:
        self._close_armed = False
        self._update_title()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(VALIDATE_DELAY_S, self.validate_now)

    def validate_now(self) -> None:
        """Validate the editor text and list every error, then warnings, with line numbers."""
        try:
            loaded = load_config_text(self.text, str(self.path))
            errors, warnings = [], loaded.warnings
        except ConfigError as error:
            errors, warnings = error.issues, error.warnings
        self.issues = [*errors, *warnings]
        self.error_count = len(errors)
        issue_list = self.query_one(OptionList)
        issue_list.clear_options()
        issue_list.add_options([_issue_option(e, "error") for e in errors] + [_issue_option(w, "warning") for w in warnings])
        status = self.query_one("#config-status", Label)
        status.set_class(bool(errors), "-invalid")
        status.update(f"{_count(len(errors), 'error')}, {_count(len(warnings), 'warning')}" if self.issues else "valid")
        self._update_title()

    @on(OptionList.OptionSelected, "#config-issues")
    def _jump_to_issue(self, event: OptionList.OptionSelected) -> None:
        self.jump_to(self.issues[event.option_index])

    def jump_to(self, issue: ConfigIssue) -> None:
        editor = self.query_one(TextArea)
        editor.cursor_location = ((issue.line or 1) - 1, (issue.column or 1) - 1)
        editor.focus()

    def action_next_issue(self) -> None:
        if not self.issues:
            return
        row = self.query_one(TextArea).cursor_location[0] + 1
        after = [i for i in self.issues if (i.line or 0) > row]
        self.jump_to(min(after, key=lambda i: i.line or 0) if after else self.issues[0])

    # -- actions -------------------------------------------------------------------------------

    def action_save(self, force: bool = False) -> None:
        if self._timer is not None:
            self._timer.stop()
        self.validate_now()  # never decide on a stale result
        if self.error_count and not force:
            self.notify(f"Not saved: {_count(self.error_count, 'error')}. F2 saves anyway.", severity="error")
            return
        try:
            write_atomic(self.save_path, self.text)
        except OSError as error:
            self.notify(f"Could not save: {error}", severity="error")
            return
        self.path = self.save_path  # from now on the copy is the file edited, reverted and applied
        self.saved_text = self.text
        self._saved = True
        self._update_title()
        self.notify(f"Saved {_display_path(self.path)}" + (" with errors" if self.error_count else ""))

    def action_revert(self) -> None:
        self._load_from_disk()
        self.notify("Reverted to the file on disk")

    def action_close(self) -> None:
        if self.dirty and not self._close_armed:
            self._close_armed = True
            self.notify("Unsaved changes: Esc again discards them, Ctrl+S saves", severity="warning")
            return
        self.dismiss(self.path if self._saved else None)
