"""The `@` file picker: a fuzzy, gitignore-aware list of paths under the working directory.

It never takes focus: the prompt bar keeps typing in its text area, tells the picker what
follows the `@` (`filter_for`) and forwards the navigation keys. The picker posts `Chosen`.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import work
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from mgtui.tui.file_index import Entry, FileIndex

STALE_AFTER_S = 30.0  # re-index in the background when reopened after this long


class PathPicker(OptionList, can_focus=False):
    """Shows paths matching the text after `@`: `src/wid` lists fuzzy matches under `src/`."""

    DEFAULT_CSS = """
    PathPicker {
        display: none;
        overlay: screen;
        constrain: none inside;
        offset-y: -100%;  /* sit above the prompt bar, not over it */
        height: auto;
        max-height: 12;
        border: round $primary;
        background: $panel;
        padding: 0 1;
        &.-open { display: block; }
    }
    """

    @dataclass
    class Chosen(Message):
        """The user picked `path` (relative, '/'-terminated for folders, '' for the root)."""

        path: str

        @property
        def is_dir(self) -> bool:
            return not self.path or self.path.endswith("/")

    def __init__(self, root: Path | str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.root = Path(root)
        self.index: FileIndex | None = None
        self.token = ""  # the text after '@' last asked for
        # The footer shows the focused prompt's keys, where choosing a path has no room: say it here.
        self.border_subtitle = "Tab/Enter choose · Esc close"

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def filter_for(self, token: str) -> None:
        """Open (if closed) and show matches for `token`, the text typed after '@'."""
        self.token = token
        opening = not self.is_open
        self.add_class("-open")
        built_at = self.index.built_at if self.index is not None else None
        if opening and built_at is not None and time.monotonic() - built_at > STALE_AFTER_S:
            self._build_index()  # files come and go; meanwhile the old index answers
        if self.index is None:
            self.set_options([Option(Text("indexing files…", style="italic"), disabled=True)])
            self._build_index()
        else:
            self._search(token)

    def close(self) -> None:
        self.remove_class("-open")

    def choose_highlighted(self) -> bool:
        """Post `Chosen` for the highlighted row; False when there is nothing to choose."""
        if self.highlighted is None:
            return False
        option = self.get_option_at_index(self.highlighted)
        if option.disabled or option.id is None:
            return False
        self.post_message(self.Chosen(option.id))
        return True

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        # A mouse click on a row.
        event.stop()
        self.choose_highlighted()

    @work(thread=True, exclusive=True, group="path-index", name="index files")
    def _build_index(self) -> None:
        index = FileIndex(self.root).build()
        self.app.call_from_thread(self._index_ready, index)

    def _index_ready(self, index: FileIndex) -> None:
        self.index = index
        if self.is_open:
            self._search(self.token)

    @work(exclusive=True, group="path-search", name="search files")
    async def _search(self, token: str) -> None:
        index = self.index
        assert index is not None
        directory, _, query = token.rpartition("/")
        directory = f"{directory}/" if directory else ""
        if directory and not index.has_dir(directory):
            directory, query = "", token  # not a real folder: fuzzy over whole paths
        # Scoring thousands of paths is milliseconds to tens of them: keep it off the loop.
        entries = await asyncio.to_thread(index.search, query, directory)
        self._show(entries, directory, query)

    def _show(self, entries: list[Entry], directory: str, query: str) -> None:
        options: list[Option] = []
        if directory and not query:
            parent = directory.rstrip("/").rpartition("/")[0]
            options.append(Option(Text("../", style="bold"), id=f"{parent}/" if parent else ""))
        for entry in entries:
            shown = entry.path[len(directory):]
            label = Text(shown, style="bold" if entry.is_dir else "")
            options.append(Option(label, id=entry.path))
        if not options:
            options.append(Option(Text(f"no match for {query!r}", style="italic"), disabled=True))
        self.set_options(options)
        self.highlighted = 0 if not options[0].disabled else None
