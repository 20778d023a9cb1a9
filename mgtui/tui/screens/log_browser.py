"""Log browser: past sessions in a virtualised list with fuzzy filtering.

Listing reads each session's small index in a thread (thousands stay fast), and filtering
runs in a thread too. Open a session to replay it, continue it, or analyse it; the screen
dismisses with the choice and the app acts on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from mgtui.logs.store import SessionInfo, list_sessions
from mgtui.logs.tables import short_time

Action = Literal["replay", "continue", "analyze"]


@dataclass(frozen=True)
class BrowserChoice:
    action: Action
    session_dir: Path


def _subsequence(term: str, text: str) -> bool:
    position = 0
    for char in term:
        position = text.find(char, position) + 1
        if position == 0:
            return False
    return True


def fuzzy_score(query: str, text: str) -> float:
    """0 when some word of the query is not in `text` even as a subsequence; higher is better.

    Whole-substring hits count more than scattered letters, and hits at a word start more still.
    """
    text = text.lower()
    score = 0.0
    for term in query.lower().split():
        at = text.find(term)
        if at >= 0:
            score += 3.0 if at == 0 or not text[at - 1].isalnum() else 2.0
        elif _subsequence(term, text):
            score += 1.0 / (1 + len(term))
        else:
            return 0.0
    return score


def search_text(row: SessionInfo) -> str:
    return " ".join([row.id, row.first_question[:200], *row.winners, *row.models, row.status])


def session_option(row: SessionInfo) -> Option:
    if not row.readable:
        return Option(Content.assemble(("⚠ ", "$text-warning"), row.id, (f"  {row.warning}", "$text-muted")), id=row.id)
    winners = ", ".join(dict.fromkeys(row.winners)) or "–"
    models = ", ".join(dict.fromkeys(row.models))
    head = Content.assemble(
        (short_time(row.created), "bold"), f"  {len(row.turns)} turn(s)  ", (row.status or "?", "$text-accent"),
        ("  winners ", "$text-muted"), winners, ("  " + models, "$text-muted"),
    )
    if row.warning:
        head = head + Content.assemble(("  ⚠ " + row.warning, "$text-warning"))
    question = Content((row.first_question.splitlines() or ["(no question yet)"])[0][:160])
    return Option(Content("\n").join([head, question]), id=row.id)


class LogBrowserScreen(Screen[BrowserChoice | None]):
    CSS_PATH = "log_browser.tcss"
    BINDING_GROUP_TITLE = "Sessions"
    BINDINGS = [
        Binding("escape", "close", "Close", id="log_browser.close", tooltip="Back without opening a session"),
        Binding("slash", "focus_filter", "Filter", id="log_browser.filter", tooltip="Type to filter the sessions"),
        Binding("r", "choose('replay')", "Replay", id="log_browser.replay", tooltip="Replay the session (also Enter)"),
        Binding("c", "choose('continue')", "Continue", id="log_browser.continue", tooltip="Continue the session with a new turn"),
        Binding("a", "choose('analyze')", "Analyse", id="log_browser.analyze", tooltip="Numbers, vote flow and timeline"),
    ]

    def __init__(self, log_root: Path) -> None:
        super().__init__()
        self.log_root = Path(log_root)
        self.rows: list[SessionInfo] = []
        self.shown: list[SessionInfo] = []

    def compose(self) -> ComposeResult:
        yield Static(Content(f"Sessions in {self.log_root}"), id="browser-title")
        yield Input(placeholder="filter: words of the question, id, winner, model…", id="browser-filter")
        yield OptionList(id="browser-list")
        yield Static(Content("Reading the session list…"), id="browser-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.load()

    @work(thread=True, exclusive=True, group="browser-list", name="list-sessions")
    def load(self) -> None:
        rows = list_sessions(self.log_root)
        self.app.call_from_thread(self._loaded, rows)

    def _loaded(self, rows: list[SessionInfo]) -> None:
        self.rows = rows
        self.apply_filter(self.query_one(Input).value)

    @on(Input.Changed, "#browser-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.apply_filter(event.value)

    @on(Input.Submitted, "#browser-filter")
    def _filter_done(self) -> None:
        self.query_one(OptionList).focus()

    @work(thread=True, exclusive=True, group="browser-filter", name="filter-sessions")
    def apply_filter(self, query: str) -> None:
        if query.strip():
            scored = [(fuzzy_score(query, search_text(r)), i, r) for i, r in enumerate(self.rows)]
            shown = [r for score, _, r in sorted((s for s in scored if s[0] > 0), key=lambda s: (-s[0], s[1]))]
        else:
            shown = list(self.rows)
        options = [session_option(r) for r in shown]
        self.app.call_from_thread(self._show, shown, options)

    def _show(self, shown: list[SessionInfo], options: list[Option]) -> None:
        self.shown = shown
        listing = self.query_one(OptionList)
        listing.clear_options()
        listing.add_options(options)
        if options:
            listing.highlighted = 0
        bad = sum(1 for r in self.rows if not r.readable)
        status = f"{len(shown):,} of {len(self.rows):,} sessions" + (f" · {bad} unreadable" if bad else "")
        self.query_one("#browser-status", Static).update(Content(status))

    @property
    def current(self) -> SessionInfo | None:
        index = self.query_one(OptionList).highlighted
        return self.shown[index] if index is not None and index < len(self.shown) else None

    @on(OptionList.OptionSelected, "#browser-list")
    def _selected(self) -> None:
        self.action_choose("replay")

    def action_choose(self, action: Action) -> None:
        row = self.current
        if row is None:
            return
        if not row.readable:
            self.notify(f"{row.id}: {row.warning}", title="Unreadable session", severity="warning")
            return
        self.dismiss(BrowserChoice(action, row.path))

    def action_focus_filter(self) -> None:
        self.query_one(Input).focus()

    def action_close(self) -> None:
        if self.query_one(Input).has_focus and self.query_one(Input).value:
            self.query_one(Input).value = ""  # first Escape clears the filter
            return
        self.dismiss(None)
