"""The app opened by `mgtui replay`: the replay screen alone, no engine process."""

from __future__ import annotations

import math
from pathlib import Path

from textual.screen import Screen

from mgtui.logs.replay import ReplaySource
from mgtui.tui.app import MgtuiApp
from mgtui.tui.screens.replay import ReplayScreen


class ReplayApp(MgtuiApp):
    def __init__(self, session_dir: Path, *, speed: float = 1.0, paused: bool = False, theme: str | None = None) -> None:
        super().__init__(theme=theme)
        self.replay_dir = Path(session_dir)
        self.source = ReplaySource(speed=speed if speed > 0 else math.inf)
        if paused:
            self.source.pause()

    def get_default_screen(self) -> Screen:
        return Screen()  # not the live main screen: a replay runs no engine

    def on_mount(self) -> None:
        # Closing the replay closes the app: under it is only a blank default screen.
        self.push_screen(ReplayScreen(self.source, self.replay_dir), lambda _: self.exit())
