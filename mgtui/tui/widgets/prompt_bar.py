"""The prompt bar: a multi-line question editor with history, `@path` completion and attachments.

Keys: Enter sends; Ctrl+J inserts a new line (Shift+Enter and Alt+Enter too, but only in
terminals that report them: in tmux both arrive as a plain Enter); Up/Down on the first/last
line walk the prompt history; typing `@` opens the file picker (Up/Down move, Enter/Tab
choose, Escape closes).

The bar stays editable while a turn runs. Whether a submit is accepted is the screen's call:
it sets `busy` (and `busy_reason`), and a refused submit keeps the text and says why.
On an accepted submit the bar reads the referenced files in a thread and posts
`PromptSubmitted` with the question the agents get.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Label, TextArea

from mgtui.tui.in_order_keys import InOrderTextArea

if TYPE_CHECKING:
    from mgtui.tui.attachments import Attachment
    from mgtui.tui.widgets.path_picker import PathPicker

# '@' at the start or after a space/bracket, then the path typed so far (no space, quote or ':').
_AT_TOKEN = re.compile(r'(?:^|(?<=[\s(\[{]))@(?P<token>[^\s"\':]*)$')


class PromptInput(InOrderTextArea):
    """The text area inside the prompt bar (its keys are the bar's bindings)."""

    DEFAULT_CSS = """
    PromptInput {
        height: auto;
        min-height: 1;
        max-height: 10;
        border: none;
        padding: 0 1;
        background: $surface;
        &:focus { border: none; }
    }
    """


class PromptBar(Vertical):
    """Question editor docked under the agents. Posts `PromptSubmitted`."""

    BINDING_GROUP_TITLE = "Prompt"
    DEFAULT_CSS = """
    PromptBar {
        height: auto;
        border-top: solid $primary;
        background: $surface;
        #prompt-notice {
            display: none;
            width: 1fr;
            padding: 0 1;
            color: $text-warning;
            background: $warning-muted;
        }
        &.-busy { border-top: solid $warning; }
        &.-refused #prompt-notice { display: block; }
    }
    """
    # Priority so they beat the text area's own Enter/Up/Down. A priority binding runs as
    # soon as the app reads the key, ahead of keys still queued for the text area (a fast
    # typist, a paste, tmux send-keys), so each action queues its work behind them (`_defer`).
    BINDINGS = [
        Binding("enter", "submit", "Send", id="prompt.send", priority=True,
                tooltip="Send the question (or choose the highlighted path in the @ picker)"),
        # Ctrl+J works in every terminal; Shift/Alt+Enter only where the terminal reports them
        # (measured in tmux: both arrive as plain Enter).
        Binding("ctrl+j,shift+enter,alt+enter", "newline", "New line", id="prompt.newline", priority=True,
                tooltip="Insert a line break: Ctrl+J (Shift+Enter and Alt+Enter where the terminal supports them)"),
        Binding("up", "history(-1)", "Previous prompt", id="prompt.history_back", priority=True, show=False,
                tooltip="On the first line: the previous question; in the @ picker: move up"),
        Binding("down", "history(1)", "Next prompt", id="prompt.history_forward", priority=True, show=False,
                tooltip="On the last line: the next question; in the @ picker: move down"),
        Binding("tab", "choose_path", "Choose path", id="prompt.choose_path", priority=True, show=False,
                tooltip="In the @ picker: insert the highlighted path"),
        Binding("escape", "close_picker", "Close picker", id="prompt.close_picker", priority=True, show=False,
                tooltip="Close the @ file picker"),
    ]

    busy: reactive[bool] = reactive(False)
    """Set by the screen while a turn runs: submits are refused (the text is kept)."""
    steer: reactive[bool] = reactive(True)
    """While busy, Enter sends the text as a hint to the running turn instead of refusing it."""
    busy_reason: reactive[str] = reactive("A turn is running: your text is kept; send it when the turn ends.")
    """What the user is told when a submit is refused."""

    def __init__(self, cwd: Path | str | None = None, *, placeholder: str = "Ask the agents…  (@ attaches files)",
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.cwd = Path(cwd) if cwd is not None else Path.cwd()
        self._placeholder = placeholder
        self.history: list[str] = []
        self._history_pos: int | None = None  # index into history while browsing it
        self._draft = ""  # what was typed before browsing the history
        self._sending = False
        self._loaded: str | None = None
        self._picker: PathPicker | None = None  # made at the first '@' (not on the first frame)
        self._approved_outside: set[str] = set()  # files outside cwd the user agreed to attach
        self._picked: str | None = None  # the `@path ` a file pick inserted (a `:w` typed next joins it)

    def compose(self) -> ComposeResult:
        yield Label("", id="prompt-notice")
        yield PromptInput(placeholder=self._placeholder, soft_wrap=True, compact=True, id="prompt-input")

    @property
    def input(self) -> PromptInput:
        return self.query_one(PromptInput)

    @property
    def picker(self) -> PathPicker | None:
        """The `@` file picker, once it has been opened."""
        return self._picker

    @property
    def picker_open(self) -> bool:
        return self._shown_picker() is not None

    def _shown_picker(self) -> PathPicker | None:
        """The picker when it is open (it is made at the first '@')."""
        return self._picker if self._picker is not None and self._picker.is_open else None

    async def _open_picker(self, token: str) -> None:
        if self._picker is None:
            from mgtui.tui.widgets.path_picker import PathPicker  # noqa: PLC0415

            self._picker = PathPicker(self.cwd, id="path-picker")
            await self.mount(self._picker, before=0)
        self._picker.filter_for(token)

    def _close_picker(self) -> None:
        if self._picker is not None:
            self._picker.close()

    @property
    def text(self) -> str:
        return self.input.text

    @text.setter
    def text(self, value: str) -> None:
        self._loaded = value  # a recalled or pasted-in question must not pop the picker up
        self.input.load_text(value)
        self.input.move_cursor(self.input.document.end)

    def focus(self, scroll_visible: bool = True) -> PromptBar:
        self.input.focus(scroll_visible)
        return self

    def watch_busy(self, busy: bool) -> None:
        self.set_class(busy, "-busy")
        if self.is_mounted and self.query(PromptInput):
            steering = busy and self.steer
            self.input.placeholder = "Steer the running turn… (Enter sends a hint; @agent … for one agent)" if steering else self._placeholder
        if not busy:
            self.remove_class("-refused")

    # -- sending ------------------------------------------------------------------------

    def _defer(self, work: Callable[[], object]) -> None:
        """Run `work` after the keys the text area has not processed yet."""
        self.input.call_later(work)

    def action_submit(self) -> None:
        self._defer(self._submit)

    def _submit(self) -> None:
        if (picker := self._shown_picker()) is not None:
            if picker.choose_highlighted():
                return
            picker.close()  # nothing to choose: Enter sends what was typed
        text = self.text
        if not text.strip() or self._sending:
            return
        if self.busy and self.steer:
            self._steer(text)
            return
        if self.busy:
            self._refuse()
            return
        self._sending = True
        self._send(text)

    def _steer(self, text: str) -> None:
        """A turn runs: the text is a hint for the agents still working (the screen sends it)."""
        from mgtui.tui.messages import HintSubmitted  # noqa: PLC0415 - off the first frame

        self.post_message(HintSubmitted(text.strip()))
        self._remember(text)
        self.input.clear()

    def _refuse(self) -> None:
        self.query_one("#prompt-notice", Label).update(self.busy_reason)
        self.add_class("-refused")
        self.app.bell()

    @work(exclusive=True, group="prompt-send", name="attach files")
    async def _send(self, text: str) -> None:
        try:
            from mgtui.tui.attachments import resolve_prompt  # noqa: PLC0415 - needed at the first submit only

            resolved = await asyncio.to_thread(resolve_prompt, text, self.cwd)
            if self.busy:  # a turn started while the files were read
                self._refuse()
                return
            if not await self._outside_allowed(resolved.attachments):
                self.notify("Not sent: your text is kept.", title="Attachments", severity="warning")
                return
            for notice in (n for n in resolved.notices if not n.endswith("outside the working directory; attached anyway")):
                self.notify(notice, title="Attachments", severity="warning")
            from mgtui.tui.messages import PromptSubmitted  # noqa: PLC0415 - off the first frame

            attached = [{"path": a.path, "mode": "write" if a.writable else "read", "bytes": a.size} for a in resolved.attachments]
            self.post_message(PromptSubmitted(resolved.question, typed=text, write_paths=resolved.write_paths,
                                              notices=resolved.notices, attachments=attached))
            self._remember(text)
            if self.text == text:  # keep anything typed while the files were read
                self.input.clear()
        finally:
            self._sending = False

    async def _outside_allowed(self, attachments: list[Attachment]) -> bool:
        """Reading a file outside the working directory needs a yes, once per file."""
        new = [a for a in attachments if a.outside and a.absolute not in self._approved_outside]
        if not new:
            return True
        from mgtui.tui.screens.confirm import ConfirmScreen  # noqa: PLC0415

        names = ", ".join(a.path for a in new)
        question = f"Let the agents read {names}? It is outside the working directory."
        if not await self.app.push_screen_wait(ConfirmScreen(question, yes="Attach", no="Don't send")):
            return False
        self._approved_outside.update(a.absolute for a in new)
        return True

    def _remember(self, text: str) -> None:
        if not self.history or self.history[-1] != text:
            self.history.append(text)
        self._history_pos = None
        self._draft = ""

    def action_newline(self) -> None:
        self._defer(lambda: self.input.insert("\n"))

    # -- history --------------------------------------------------------------------------

    def action_history(self, step: int) -> None:
        self._defer(lambda: self._up_or_down(step))

    def _up_or_down(self, step: int) -> None:
        if (picker := self._shown_picker()) is not None:
            (picker.action_cursor_up if step < 0 else picker.action_cursor_down)()
            return
        area = self.input
        row = area.wrapped_document.location_to_offset(area.cursor_location).y
        at_edge = row == 0 if step < 0 else row == area.wrapped_document.height - 1
        if at_edge and area.selection.is_empty:
            self._browse(step)
        else:  # an ordinary cursor move inside a multi-line question
            (area.action_cursor_up if step < 0 else area.action_cursor_down)()

    def _browse(self, step: int) -> None:
        if not self.history:
            return
        if self._history_pos is None:
            if step > 0:
                return
            self._draft = self.text
            position = len(self.history) - 1
        else:
            position = self._history_pos + step
        if position < 0:
            return
        if position >= len(self.history):
            self._history_pos = None
            self.text = self._draft
            return
        self._history_pos = position
        self.text = self.history[position]

    # -- the @ picker ---------------------------------------------------------------------

    def action_choose_path(self) -> None:
        if (picker := self._shown_picker()) is None:
            raise SkipAction()  # Tab moves the focus as usual
        self._defer(picker.choose_highlighted)

    def action_close_picker(self) -> None:
        if (picker := self._shown_picker()) is None:
            raise SkipAction()  # Escape means something else elsewhere
        self._defer(picker.close)

    def _token_before_cursor(self) -> tuple[int, str] | None:
        """(column of '@', text after it) when the cursor ends an `@path` being typed."""
        area = self.input
        if not area.selection.is_empty:
            return None
        row, column = area.cursor_location
        match = _AT_TOKEN.search(area.document.get_line(row)[:column])
        if match is None or match.group("token").startswith(("/", "~", "..")):
            return None  # absolute and parent paths are typed by hand
        return match.start(), match.group("token")

    @on(TextArea.Changed, "#prompt-input")
    async def _text_changed(self) -> None:
        if self._join_write_suffix():
            return
        self.remove_class("-refused")
        loaded, self._loaded = self._loaded, None
        found = None if loaded == self.text else self._token_before_cursor()
        if found is None:
            self._close_picker()
        else:
            await self._open_picker(found[1])

    def _join_write_suffix(self) -> bool:
        """`:w` typed right after a picked file marks it writable: the space the pick added goes."""
        picked, self._picked = self._picked, None
        if not picked:
            return False
        area = self.input
        row, column = area.cursor_location
        before = area.document.get_line(row)[:column]
        if before.endswith(picked + ":"):
            area.replace(":", (row, column - 2), (row, column), maintain_selection_offset=False)
            return True
        if before.endswith(picked):
            self._picked = picked  # this change was the pick itself
        return False

    @on(TextArea.SelectionChanged, "#prompt-input")
    def _cursor_moved(self) -> None:
        if self.picker_open and self._token_before_cursor() is None:
            self._close_picker()

    def on_path_picker_chosen(self, event: PathPicker.Chosen) -> None:
        event.stop()
        found = self._token_before_cursor()
        if found is None:
            return
        start, _token = found
        row, column = self.input.cursor_location
        path = f'"{event.path}"' if " " in event.path else event.path
        # A folder keeps the picker open on its contents; a file is done.
        self.input.replace(f"@{path}" + ("" if event.is_dir else " "), (row, start), (row, column),
                           maintain_selection_offset=False)
        if not event.is_dir:
            self._picked = f"@{path} "
            self._close_picker()
