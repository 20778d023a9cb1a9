"""Log analysis: a session's numbers as tables and its turns as timeline charts.

The log is read and summarised in a thread (a long one takes a second). Prices need LiteLLM,
which the TUI process never imports, so this screen shows tokens; `mgtui logs summary`
adds the cost.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import RenderableType
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from mgtui.logs.reader import read_events
from mgtui.logs.summary import SessionSummary, summarize
from mgtui.logs.tables import agents_table, costs_table, turns_table, vote_flow_table
from mgtui.logs.timeline import session_timeline
from mgtui.terminal_text import safe_model


def load_summary(session_dir: Path) -> SessionSummary:
    events, report = read_events(session_dir)
    # Terminal-safe here: these screens draw questions, answers and reasons straight from the log.
    return summarize([safe_model(e) for e in events], report.notices)


class LogAnalysisScreen(Screen[None]):
    CSS_PATH = "log_analysis.tcss"
    BINDING_GROUP_TITLE = "Log analysis"
    BINDINGS = [
        Binding("escape,q", "close", "Close", id="log_analysis.close", tooltip="Back to where you were"),
        Binding("r", "reload", "Reload", id="log_analysis.reload", tooltip="Read the log again (a running session grows)"),
    ]

    def __init__(self, session_dir: Path) -> None:
        super().__init__()
        self.session_dir = Path(session_dir)
        self.summary: SessionSummary | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content(f"Analysis of {self.session_dir.name}"), id="analysis-title")
        with VerticalScroll(id="analysis-body"):
            yield Static(Content("Reading the log…"), id="analysis-status")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, name="log-analysis")
    def load(self) -> None:
        summary = load_summary(self.session_dir)
        self.app.call_from_thread(self._show, summary)  # type: ignore[arg-type]  # awaited: Textual's stub says sync

    async def _show(self, summary: SessionSummary) -> None:
        self.summary = summary
        body = self.query_one("#analysis-body", VerticalScroll)
        await body.remove_children()
        parts: list[tuple[str, RenderableType]] = []
        for notice in summary.notices:
            parts.append(("analysis-notice", Content(f"⚠ {notice}")))
        if not summary.turns:
            parts.append(("analysis-status", Content("This log has no turns yet.")))
        else:
            parts += [("analysis-table", turns_table(summary)), ("analysis-table", agents_table(summary)),
                      ("analysis-table", costs_table(summary, with_cost=False))]
            parts.append(("analysis-chart", session_timeline(summary)))
            parts += [("analysis-table", vote_flow_table(t)) for t in summary.turns if t.rounds]
        await body.mount_all(Static(renderable, classes=css) for css, renderable in parts)

    def action_reload(self) -> None:
        self.load()

    def action_close(self) -> None:
        self.dismiss()
