"""Replay: a recorded session drives the same team view as a live run, through the same adapter.

`ReplayEngine` stands where the engine process would: it reads events from a `ReplaySource`
and posts them with `messages.post_event`, exactly as the live client does with the engine's
stdout. `ReplayScreen` composes a replay bar and the `TeamView` and has the replay keys
(pause, speed, step); there is no prompt because a replay cannot be asked anything.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.widgets import Footer, Static

from mgtui.engine.events import SessionNotice, SessionStarted
from mgtui.logs.reader import read_events
from mgtui.logs.replay import ReplaySource, speed_label
from mgtui.tui import messages as m
from mgtui.tui.widgets.team_view import VIEW_BINDINGS, TeamView

# Messages posted ahead of the screen: kept small so pause and step take effect at once
# and an instant replay of a huge log does not queue it all in memory.
QUEUE_HIGH_WATER = 32


class ReplayEngine:
    """Plays a log to the screen as the engine process would post its events."""

    def __init__(self, target: MessagePump, source: ReplaySource, session_dir: Path) -> None:
        self.target = target
        self.source = source
        self.session_dir = session_dir
        self._task: asyncio.Task[None] | None = None

    @property
    def alive(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def finished(self) -> bool:
        return self._task is not None and self._task.done()

    async def start(self) -> None:
        if not self.source.events:  # read the log off the event loop: a big one takes a second
            events, report = await asyncio.to_thread(read_events, self.session_dir)
            self.source.load(events, report)
        first = next((e for e in self.source.events if isinstance(e, SessionStarted)), None)
        agents = list(first.agents) if first is not None else []
        session = first.session if first is not None else self.session_dir.name
        self.target.post_message(m.EngineReady(session, str(self.session_dir), agents))
        for notice in self.source.notices:
            m.post_event(self.target, SessionNotice(level="warning", message=notice))
        self._task = asyncio.create_task(self._play(), name="replay")

    async def _play(self) -> None:
        # The screen builds its panes on EngineReady; events for them must wait until they exist.
        while self.target.message_queue_size:
            await asyncio.sleep(0.005)
        await self.target.wait_for_refresh()
        async for event in self.source:
            m.post_event(self.target, event)
            while self.target.message_queue_size > QUEUE_HIGH_WATER:
                await asyncio.sleep(0.005)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


class ReplayBar(Static):
    """The always-visible replay mark: state, speed, progress and the keys."""


class ReplayScreen(Screen[None]):
    CSS_PATH = ["team.tcss", "replay.tcss"]
    BINDING_GROUP_TITLE = "Replay"
    AUTO_FOCUS = None  # a focused pane would take the replay keys' place
    BINDINGS = [
        *VIEW_BINDINGS,
        Binding("escape", "close_replay", "Close", id="replay.close", tooltip="Leave the replay"),
        Binding("space", "toggle_pause", "Pause/resume", id="replay.pause", tooltip="Pause or resume the replay"),
        Binding("n", "step", "Step", id="replay.step", tooltip="Play up to the next answer or vote, then pause"),
        Binding("plus,equals_sign", "faster", "Faster", id="replay.faster", tooltip="Replay faster (up to 20×, then instant)"),
        Binding("minus", "slower", "Slower", id="replay.slower", tooltip="Replay slower (down to 0.5×)"),
    ]

    def __init__(self, source: ReplaySource, session_dir: Path) -> None:
        super().__init__()
        self.source = source
        self.session_dir = Path(session_dir)
        self.team = TeamView(id="team")
        self.team.session_dir = str(self.session_dir)
        self.engine = ReplayEngine(self, source, self.session_dir)

    def compose(self) -> ComposeResult:
        yield ReplayBar(id="replay-bar")
        yield self.team

    async def on_mount(self) -> None:
        self.team.status.replay = True
        self.set_interval(0.25, self._refresh_bar)
        self._refresh_bar()
        await self.team.mount_rest()
        await self.mount(Footer())
        await self.engine.start()

    @on(m.EngineReady)
    async def _ready(self, message: m.EngineReady) -> None:
        self.team.status.engine = "ready"
        self.team.status.session = message.session
        await self.team.set_agents(message.agents)

    @on(m.EngineEvent)
    async def _event(self, message: m.EngineEvent) -> None:
        await self.team.apply(message.event)

    def _refresh_bar(self) -> None:
        s = self.source
        if self.engine.finished:
            state = "■ replay finished"
        else:
            state = "⏸ replay paused" if s.paused else "▶ replay"
        parts: list[str | tuple[str, str]] = [(f" {state} ", "bold reverse $accent"), f"  {speed_label(s.speed)}",
                                              (f"  {s.position:,}/{s.total:,} events", "$text-muted")]
        parts.append(("   space pause · n step · +/- speed · esc close", "$text-muted"))
        self.query_one(ReplayBar).update(Content.assemble(*parts))

    def action_focus_pane(self, step: int) -> None:
        self.team.focus_pane(step)

    def action_toggle_maximize(self) -> None:
        self.team.toggle_maximize()

    def action_copy_final(self) -> None:
        self.team.copy_final()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "copy_final":
            return (self.team.ready and bool(self.team.final_view.content)) or None
        return True

    def action_toggle_pause(self) -> None:
        self.source.toggle_pause()
        self._refresh_bar()

    def action_step(self) -> None:
        self.source.step()
        self._refresh_bar()

    def action_faster(self) -> None:
        self.source.faster()
        self._refresh_bar()

    def action_slower(self) -> None:
        self.source.slower()
        self._refresh_bar()

    async def action_close_replay(self) -> None:
        await self.engine.stop()
        if len(self.app.screen_stack) > 1:
            self.dismiss()
        else:
            self.app.exit()
