"""Evals: past `mgtui eval` runs under `<log root>/evals`, with the report table and chart.

The folders are listed from their small `meta.json`; the highlighted one's results are
read and summarised in a thread. The chart is the report's data drawn as text (the SVG is
the file artefact). Everything shown is plain `Content`, never markup: questions and
answers come from outside. Opened from the command palette; imported only then.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from mgtui.eval.chart import text_chart
from mgtui.eval.finish import load_summary
from mgtui.eval.report import disagreement_lines, grid, verdict
from mgtui.eval.store import EVALS_DIR, REPORT_SVG, SESSIONS_DIR, EvalInfo, list_evals
from mgtui.eval.summary import EvalSummary
from mgtui.eval.text import one_line


def eval_option(info: EvalInfo) -> Option:
    meta = info.meta
    team = ", ".join(str(a.get("id")) for a in meta.get("team") or [])
    head = Content.assemble((one_line(str(meta.get("suite", "?")), 40), "bold"), ("  " + str(meta.get("status", "running")), "$text-accent"))
    detail = Content.assemble((f"{meta.get('n', '?')} questions · {meta.get('score', '?')} · {one_line(team, 50)}", "$text-muted"))
    when = Content.assemble((str(meta.get("created", ""))[:19].replace("T", " "), "$text-muted"))
    return Option(Content("\n").join([head, detail, when]), id=info.name)


class EvalScreen(Screen[None]):
    CSS_PATH = "evals.tcss"
    BINDING_GROUP_TITLE = "Evals"
    BINDINGS = [
        Binding("escape,q", "close", "Close", id="evals.close", tooltip="Back to where you were"),
        Binding("r", "reload", "Reload", id="evals.reload", tooltip="Read the eval folders again (a running eval grows)"),
        Binding("s", "sessions", "Team sessions", id="evals.sessions",
                tooltip="This eval's team sessions: replay or analyse the turn of any question"),
    ]

    def __init__(self, log_root: Path) -> None:
        super().__init__()
        self.root = Path(log_root) / EVALS_DIR
        self.evals: list[EvalInfo] = []
        self.shown: EvalInfo | None = None
        self.summary: EvalSummary | None = None
        self._swap = asyncio.Lock()

    def compose(self) -> ComposeResult:
        yield Static(Content(f"Evals in {self.root}"), id="evals-title")
        with Horizontal(id="evals-body"):
            yield OptionList(id="evals-list")
            with VerticalScroll(id="eval-detail"):
                yield Static(Content("Reading the eval folders…"), classes="eval-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.load()

    @work(thread=True, exclusive=True, group="evals-list", name="list-evals")
    def load(self) -> None:
        evals = list_evals(self.root.parent)
        self.app.call_from_thread(self._listed, evals)  # type: ignore[arg-type]  # awaited: Textual's stub says sync

    async def _listed(self, evals: list[EvalInfo]) -> None:
        self.evals = evals
        listing = self.query_one(OptionList)
        keep = listing.highlighted
        listing.clear_options()
        listing.add_options([eval_option(e) for e in evals])
        if not evals:
            await self._status(f"No evals yet. Run one with: mgtui eval @arithmetic -c CONFIG (results go to {self.root}/…)")
            return
        listing.highlighted = keep if keep is not None and keep < len(evals) else 0
        self.read(evals[listing.highlighted or 0])

    @on(OptionList.OptionHighlighted, "#evals-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if 0 <= event.option_index < len(self.evals) and self.evals[event.option_index] is not self.shown:
            self.read(self.evals[event.option_index])

    @work(thread=True, exclusive=True, group="eval-detail", name="read-eval")
    def read(self, info: EvalInfo) -> None:
        summary, notices = load_summary(info.path, info.meta)
        self.app.call_from_thread(self._show, info, summary, notices)  # type: ignore[arg-type]

    async def _replace(self, parts: list[Static]) -> None:
        """Swap the detail's widgets; one swap at a time (two reads may finish together)."""
        async with self._swap:
            detail = self.query_one("#eval-detail", VerticalScroll)
            await detail.remove_children()
            await detail.mount_all(parts)

    async def _status(self, text: str) -> None:
        await self._replace([Static(Content(text), classes="eval-status")])

    async def _show(self, info: EvalInfo, summary: EvalSummary, notices: list[str]) -> None:
        index = self.query_one(OptionList).highlighted
        if index is None or index >= len(self.evals) or self.evals[index].path != info.path:
            return  # the user moved on; that eval's read is on its way
        if not summary.n:
            await self._status(f"{info.name}: no question scored yet.")
            self.shown, self.summary = info, summary
            return
        meta = info.meta
        header = f"{one_line(str(meta.get('dataset')), 100)} · seed {meta.get('seed')} · config {one_line(str(meta.get('config')), 80)}"
        parts = [Static(Content(header), classes="eval-meta")]
        parts += [Static(Content(f"⚠ {n}"), classes="eval-notice") for n in notices[:5]]
        parts.append(Static(Content(grid(summary)), classes="eval-table"))
        parts.append(Static(Content(verdict(summary)), classes="eval-verdict"))
        parts.append(Static(Content(text_chart(summary)), classes="eval-chart"))
        if lines := disagreement_lines(summary, 50):
            parts.append(Static(Content("\n".join(lines)), classes="eval-disagreements"))
        parts.append(Static(Content(f"Files: {info.path} (report.md, {REPORT_SVG}, results.jsonl) · team sessions: key s"), classes="eval-meta"))
        await self._replace(parts)
        self.shown, self.summary = info, summary  # set once shown: what tests and `s` rely on

    def action_reload(self) -> None:
        self.load()

    def action_sessions(self) -> None:
        from mgtui.tui.screens.log_browser import LogBrowserScreen  # noqa: PLC0415

        if self.shown is None:
            self.notify("No eval selected.", severity="warning")
            return
        # The app's handler replays or analyses the chosen session (SessionScreensMixin).
        self.app.push_screen(LogBrowserScreen(self.shown.path / SESSIONS_DIR), getattr(self.app, "_open_session", None))

    def action_close(self) -> None:
        self.dismiss()
