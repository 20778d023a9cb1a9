"""App actions for sessions: the history, the log browser (replay, continue, analyse) and
the analysis of the session on screen. Mixed into the App so app.py only lists the keys.

The screens are imported when first opened: they pull in the event models (pydantic),
which must stay off the app's first frame.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mgtui.tui.screens.main import MainScreen

if TYPE_CHECKING:
    from textual.app import App

    from mgtui.tui.screens.log_browser import BrowserChoice

    _Base = App[None]
else:
    _Base = object


class SessionScreensMixin(_Base):
    log_root: str | None = None

    def _live_main(self) -> MainScreen | None:
        return next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)

    def _session_on_screen(self) -> Path | None:
        """The log folder of the session shown: a replay on top, else the live one."""
        from mgtui.tui.widgets.team_view import TeamView  # noqa: PLC0415

        for screen in reversed(self.screen_stack):
            for team in screen.query_children(TeamView):
                return Path(team.session_dir) if team.session_dir else None
        return None

    def _sessions_root(self) -> Path:
        from mgtui.logs.store import default_log_root  # noqa: PLC0415

        if self.log_root:
            return Path(self.log_root)
        current = self._session_on_screen()
        return current.parent if current is not None else default_log_root()

    def action_history(self) -> None:
        from mgtui.tui.screens.history import HistoryScreen  # noqa: PLC0415

        if not isinstance(self.screen, HistoryScreen):
            self.push_screen(HistoryScreen(self._session_on_screen()))

    def action_log_analysis(self) -> None:
        from mgtui.tui.screens.log_analysis import LogAnalysisScreen  # noqa: PLC0415

        folder = self._session_on_screen()
        if folder is None:
            self.notify("No session yet: ask a question first, or open one from the session list (F4).")
        elif not isinstance(self.screen, LogAnalysisScreen):
            self.push_screen(LogAnalysisScreen(folder))

    def action_sessions(self) -> None:
        from mgtui.tui.screens.log_browser import LogBrowserScreen  # noqa: PLC0415

        if not isinstance(self.screen, LogBrowserScreen):
            self.push_screen(LogBrowserScreen(self._sessions_root()), self._open_session)

    async def _open_session(self, choice: BrowserChoice | None) -> None:
        from mgtui.logs.replay import ReplaySource  # noqa: PLC0415
        from mgtui.tui.screens.log_analysis import LogAnalysisScreen  # noqa: PLC0415
        from mgtui.tui.screens.replay import ReplayScreen  # noqa: PLC0415

        if choice is None:
            return
        if choice.action == "replay":
            self.push_screen(ReplayScreen(ReplaySource(), choice.session_dir))
        elif choice.action == "analyze":
            self.push_screen(LogAnalysisScreen(choice.session_dir))
        else:
            await self._continue_session(choice.session_dir)

    async def _continue_session(self, folder: Path) -> None:
        """The next question adds a turn to that session: the engine restarts, resuming it."""
        main = self._live_main()
        if main is None:  # `mgtui replay` runs no engine
            self.notify(f"To continue it, run: mgtui --session {folder.name}", title="Session", severity="warning")
            return
        if main.team.running:
            self.notify("A turn is running: wait for it or cancel it first.", severity="warning")
            return
        while self.screen is not main:
            await self.pop_screen()
        main.control.session_dir = str(folder)
        await main.action_restart_engine()
        self.notify(f"Continuing session {folder.name}.", title="Session")
