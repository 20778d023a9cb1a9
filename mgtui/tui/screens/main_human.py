"""The main screen's part for the person in the turn: hints (Enter while a turn runs), the
human vote, picking the winner, dropping or restarting one agent, copying an answer.

Keys live on the agent pane (`v d x r y`, widgets/agent_pane.py); the pane posts
`PaneAction` and this mixin sends the engine command (mgtui/engine/human.py). Nothing here is
imported before the first frame beyond this module itself.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mgtui.tui.widgets.agent_pane import AgentPane

if TYPE_CHECKING:
    from mgtui.tui import messages as m

ENGINE_COMMANDS = {"vote": "vote", "decide": "decide", "drop": "drop", "restart": "restart"}


class HumanControls:
    """Mixed into MainScreen (which provides panes, board, engine, notify, status…)."""

    engine_options: dict[str, Any]

    # -- what is allowed ------------------------------------------------------------------
    @property
    def human_votes(self) -> bool:
        return self.engine_options.get("human") == "voter"  # type: ignore[attr-defined]

    def pane_action_enabled(self, agent: str, action: str) -> bool:
        screen: Any = self
        has_answer = agent in screen.board.latest_label
        if action == "copy_answer":
            pane = screen.panes.get(agent)
            return pane is not None and bool(pane.latest_answer)
        if not hasattr(screen.engine, "human"):
            return False  # a replay: nothing to act on
        if not screen.turn_running or screen.board.winner is not None:
            return False
        if action == "vote":
            return self.human_votes and has_answer
        if action == "decide":
            return has_answer
        return agent not in screen.board.dropped  # drop, restart

    def focused_pane(self) -> AgentPane | None:
        screen: Any = self
        focused = screen.focused
        while focused is not None and not isinstance(focused, AgentPane):
            focused = focused.parent
        return focused

    # -- hints ----------------------------------------------------------------------------
    def on_hint_submitted(self, message: m.HintSubmitted) -> None:
        screen: Any = self
        if not screen.turn_running or screen.engine is None or not screen.engine.alive:
            screen.notify("No turn is running: nothing to steer.", severity="warning")
            return
        if screen.board.winner is not None:
            screen.notify("The coordination is over and the winner is presenting: the hint was not sent.", severity="warning")
            return
        from mgtui.engine.hints import split_address  # noqa: PLC0415 - pure text, no engine

        # `@agent2` as the answer labels (and blind mode) show it reaches that agent too.
        order = list(screen.panes)
        aliases = {screen.anon_ids.get(a) or f"agent{i}": a for i, a in enumerate(order, start=1)}
        text, to = split_address(message.text, order, aliases)
        if not text:
            return
        screen.engine.human("hint", text=text, to=to)
        screen.status.detail = f"hint sent to {', '.join(to) if to else 'the agents still working'}"

    def on_hint_given(self, message: m.HintGiven) -> None:
        screen: Any = self
        for agent in message.to:
            if (pane := screen.panes.get(agent)) is not None:
                pane.hint(message.text)
        if not message.to:
            screen.notify("No agent was working: the hint reached nobody.", severity="warning")
        else:
            screen.status.detail = f"hint reached {', '.join(message.to)}"

    # -- writes need consent ----------------------------------------------------------------
    def on_writes_proposed_msg(self, message: m.WritesProposedMsg) -> None:
        screen: Any = self
        if not hasattr(screen.engine, "human") or not message.files:
            return  # a replay shows what was decided then, it decides nothing now
        from mgtui.tui.screens.writes_review import WritesReviewScreen  # noqa: PLC0415

        def decided(accept: list[str] | None) -> None:
            if screen.engine is not None and screen.engine.alive:
                screen.engine.human("apply_writes", accept=list(accept or []))

        self._files_line("✎ proposed, waiting for your review: " + ", ".join(str(f.get("path", "")) for f in message.files))
        screen.app.push_screen(WritesReviewScreen(message.files), decided)

    def _files_line(self, text: str) -> None:
        """The final answer's files line says what really happened on disk."""
        from rich.text import Text  # noqa: PLC0415
        from textual.widgets import Static  # noqa: PLC0415

        screen: Any = self
        for line in screen.final_view.query(".final-files").results(Static):
            line.update(Text(text))

    def on_writes_decided_msg(self, message: m.WritesDecidedMsg) -> None:
        screen: Any = self
        parts = []
        if message.applied:
            parts.append("wrote " + ", ".join(message.applied))
        if message.rejected:
            parts.append("left unchanged " + ", ".join(message.rejected))
        screen.notify("; ".join(parts) or "nothing to write", title="Files")
        self._files_line("✎ " + ("; ".join(parts) or "nothing written"))

    # -- pane keys --------------------------------------------------------------------------
    def on_agent_pane_action(self, message: AgentPane.Action) -> None:
        screen: Any = self
        message.stop()
        if message.action == "copy_answer":
            pane = screen.panes.get(message.agent)
            if pane is not None and pane.latest_answer:
                screen.copy_text(pane.latest_answer, f"{message.agent}'s answer")
            return
        if not self.pane_action_enabled(message.agent, message.action):
            return
        if screen.engine is None or not screen.engine.alive:
            return
        screen.engine.human(ENGINE_COMMANDS[message.action], agent=message.agent)
        name = screen.display_name(message.agent)  # blind mode: still agentN
        screen.status.detail = {
            "vote": f"your vote: {name}",
            "decide": f"you picked {name}",
            "drop": f"dropping {name}",
            "restart": f"restarting {name}",
        }[message.action]

    def action_pick_focused(self) -> None:
        """The palette's "Pick this answer": the focused pane's answer wins now."""
        pane = self.focused_pane()
        if pane is not None:
            pane.post_message(AgentPane.Action(pane.agent_id, "decide"))

    def copy_text(self, text: str, what: str) -> None:
        """Copy raw Markdown both ways and say which worked: OSC 52 reaches the clipboard only
        if the terminal (and tmux: `set -g set-clipboard on`) lets it; the file always can."""
        screen: Any = self
        screen.app.copy_to_clipboard(text)  # OSC 52: the terminal cannot tell us if it took it
        clip = "sent to the terminal clipboard (OSC 52"
        clip += "; tmux passes it on only with set-clipboard on)" if os.environ.get("TMUX") else ")"
        folder = Path(screen.session_dir) if screen.session_dir else Path.cwd() / ".mgtui"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / "clipboard.md"
            target.write_text(text, encoding="utf-8")
            saved = f"saved to {_shown(target)}"
        except OSError as exc:
            saved = f"not saved to a file ({exc.strerror or exc})"
        screen.notify(f"{what}: {clip} · {saved}", title="Copy")


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
