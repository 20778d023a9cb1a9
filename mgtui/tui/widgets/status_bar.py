"""One line of status: engine state, session, turn and what is happening now."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

ENGINE_STYLES = {
    "starting": "$text-warning",
    "ready": "$text-success",
    "busy": "$text-accent",
    "stopped": "$text-error",
    "dead": "bold $text-error",
}


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { height: 1; padding: 0 1; background: $panel; color: $text; }
    """

    engine: reactive[str] = reactive("starting")
    """Engine process: starting, ready, busy, stopped, dead."""
    session: reactive[str] = reactive("")
    turn: reactive[int] = reactive(0)
    replay: reactive[bool] = reactive(False)
    """A replay: no engine runs, so the bar never says "engine busy"."""
    config: reactive[str] = reactive("")
    """The config in use and where it came from: "@local · built-in", "./.mgtui/config.yaml"."""
    detail: reactive[str] = reactive("")
    """What is going on: "3 agents streaming", "turn cancelled", ..."""

    def render(self) -> Content:
        parts: list[str | tuple[str, str]] = [("● ", ENGINE_STYLES.get(self.engine, "")), f"engine {self.engine}"]
        if self.replay:
            parts = [("▶ ", "$text-accent"), "replay"]
        if self.config:
            parts.append((f"  {self.config}", "$text-muted"))
        if self.session:
            parts.append((f"  session {self.session}", "$text-muted"))
        if self.turn:
            parts.append(f"  turn {self.turn}")
        if self.detail:
            parts.append(f"  {self.detail}")
        return Content.assemble(*parts)
