"""What the user reads: the text widgets draw and the toasts on screen.

Tests assert on this rather than on screen internals, so they hold while the screen's
structure changes (which class handles an event, which object keeps the turn state)."""

from __future__ import annotations

from textual.app import App
from textual.widget import Widget
from textual.widgets import Static, Tab

from mgtui.tui.widgets.agent_pane import AgentPane
from mgtui.tui.widgets.live_tail import LiveTail


def drawn_text(widget: Widget) -> str:
    """The text `widget` and everything in it draw, one block a line, in screen order."""
    parts: list[str] = []
    for node in (widget, *widget.query("*")):
        if isinstance(node, LiveTail):
            parts.append(node.shown_text)
        elif isinstance(node, Static):
            parts.append(str(node.render()))
    return "\n".join(parts)


def pane(app: App[object], agent: str) -> AgentPane:
    return next(p for p in app.screen.query(AgentPane) if p.agent_id == agent)


def pane_header(app: App[object], agent: str) -> str:
    """The pane's state line, e.g. `☑ voted  agent1.1`."""
    return str(pane(app, agent).query_one(".pane-header", Static).render())


def tab_labels(app: App[object]) -> list[str]:
    """The narrow layout's selector, e.g. ['alpha ✓ ▮0', ..., 'votes 0/3']."""
    return [str(tab.label) for tab in app.screen.query(Tab)]


def toasts(app: App[object]) -> list[str]:
    """The toasts on screen, each as drawn: title, newline, message."""
    return [str(toast.render()) for toast in app.screen.query("Toast")]
