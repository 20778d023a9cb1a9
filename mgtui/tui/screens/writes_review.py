"""Writes need consent: before the presenter's changes to the user's files are written, the
person sees a diff per file and accepts all, some, or none. Dismisses with the accepted paths.

The diffs are model output: shown as plain `Content` lines, never markup.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Static

LINE_STYLES = {"+": "$text-success", "-": "$text-error", "@": "$text-accent"}


def diff_content(diff: str) -> Content:
    """One style per diff line (added, removed, hunk header); the text itself stays inert."""
    parts: list[tuple[str, str] | str] = []
    for line in diff.splitlines(keepends=True):
        style = "" if line.startswith(("+++", "---")) else LINE_STYLES.get(line[:1], "")
        parts.append((line, style) if style else line)
    return Content.assemble(*parts) if parts else Content("(no changes)")


class WritesReviewScreen(ModalScreen[list[str]]):
    CSS_PATH = "writes_review.tcss"
    AUTO_FOCUS = "#apply"
    BINDINGS = [
        Binding("a", "accept_all", "Accept all", id="review.accept_all", tooltip="Write every proposed file"),
        Binding("escape,r", "reject_all", "Reject all", id="review.reject_all", tooltip="Write nothing"),
        Binding("enter", "apply_selected", "Apply checked", id="review.apply", show=True,
                tooltip="Write the checked files only (space toggles the focused one)"),
    ]

    def __init__(self, files: list[dict[str, Any]]) -> None:
        super().__init__()
        self.files = files

    def compose(self) -> ComposeResult:
        with Vertical(id="review"):
            count = len(self.files)
            yield Static(Content(f"The presenter wants to change {count} file{'s' * (count != 1)}: review before anything is written"),
                         id="review-title")
            with VerticalScroll(id="review-files"):
                for index, item in enumerate(self.files):
                    path = str(item.get("path", ""))
                    tag = "new file" if item.get("new") else "changed"
                    yield Checkbox(Content(f"{path}  ({tag}, {int(item.get('bytes', 0)):,} bytes)"), value=True,
                                   id=f"file-{index}", classes="review-file")
                    yield Static(diff_content(str(item.get("diff", ""))), classes="review-diff")
            with Horizontal(id="review-buttons"):
                yield Button("Reject all", id="reject")
                yield Button("Accept all", id="accept", variant="success")
                yield Button("Apply checked", id="apply", variant="primary")

    def checked(self) -> list[str]:
        return [str(item.get("path", "")) for index, item in enumerate(self.files)
                if self.query_one(f"#file-{index}", Checkbox).value]

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        {"reject": self.action_reject_all, "accept": self.action_accept_all, "apply": self.action_apply_selected}[
            str(event.button.id)]()

    def action_accept_all(self) -> None:
        self.dismiss([str(item.get("path", "")) for item in self.files])

    def action_reject_all(self) -> None:
        self.dismiss([])

    def action_apply_selected(self) -> None:
        self.dismiss(self.checked())
