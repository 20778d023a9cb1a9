"""Replay: a recorded session drives the very same main screen, through the same adapter.

`ReplayEngine` stands where the engine process would: it reads events from a `ReplaySource`
and posts them with `messages.post_event`, exactly as the live client does with the engine's
stdout. `ReplayScreen` is the main screen plus a visible replay bar and the replay keys
(pause, speed, step); its prompt is hidden because a replay cannot be asked anything.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message_pump import MessagePump
from textual.widgets import Static

from mgtui.logs.reader import read_events
from mgtui.logs.replay import ReplaySource, speed_label
from mgtui.tui import messages as m
from mgtui.tui.engine_client import EngineLike
from mgtui.tui.screens.main import MainScreen

# Messages posted ahead of the screen: kept small so pause and step take effect at once
# and an instant replay of a huge log does not queue it all in memory.
QUEUE_HIGH_WATER = 32


class ReplayEngine:
    """An `EngineLike` that plays a log instead of running agents."""

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
        first = next((e for e in self.source.events if e.type == "session_started"), None)
        agents = list(first.agents) if first is not None else []
        session = first.session if first is not None else self.session_dir.name
        self.target.post_message(m.EngineReady(session, str(self.session_dir), agents))
        for notice in self.source.notices:
            self.target.post_message(m.EngineNotice(0, "warning", notice))
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

    def ask(self, question: str) -> None:
        self.target.post_message(m.EngineBusy("This is a replay: it cannot be asked anything."))

    def cancel(self) -> None:
        self.source.pause()

    def reload(self, config_path: str) -> None:
        """A replay has no config to reload."""

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


class ReplayBar(Static):
    """The always-visible replay mark: state, speed, progress and the keys."""


class ReplayScreen(MainScreen):
    CSS_PATH = ["main.tcss", "replay.tcss"]
    BINDING_GROUP_TITLE = "Replay"
    BINDINGS = [
        Binding("space", "toggle_pause", "Pause/resume", id="replay.pause", tooltip="Pause or resume the replay"),
        Binding("n", "step", "Step", id="replay.step", tooltip="Play up to the next answer or vote, then pause"),
        Binding("plus,equals_sign", "faster", "Faster", id="replay.faster", tooltip="Replay faster (up to 20×, then instant)"),
        Binding("minus", "slower", "Slower", id="replay.slower", tooltip="Replay slower (down to 0.5×)"),
        Binding("escape", "close_replay", "Close", id="replay.close", tooltip="Leave the replay"),
    ]

    def __init__(self, source: ReplaySource, session_dir: Path) -> None:
        self.source = source
        self.replay_dir = Path(session_dir)
        self.replay_engine: ReplayEngine | None = None
        super().__init__(self._make_engine, None)

    def _make_engine(self, target: MessagePump, _config: str | None, _session: str | None) -> EngineLike:
        self.replay_engine = ReplayEngine(target, self.source, self.replay_dir)
        return self.replay_engine

    def compose(self) -> ComposeResult:
        yield ReplayBar(id="replay-bar")
        yield from super().compose()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("cancel_turn", "restart_engine"):
            return False  # nothing runs in a replay: space pauses it
        return super().check_action(action, parameters)

    def on_mount(self) -> None:
        self.status.replay = True
        self.set_interval(0.25, self._refresh_bar)
        self._refresh_bar()
        # The main screen focuses its (hidden) prompt, which would swallow the replay keys.
        self.call_after_refresh(self.set_focus, None)

    def _refresh_bar(self) -> None:
        s = self.source
        if self.replay_engine is not None and self.replay_engine.finished:
            state = "■ replay finished"
        else:
            state = "⏸ replay paused" if s.paused else "▶ replay"
        parts: list[str | tuple[str, str]] = [(f" {state} ", "bold reverse $accent"), f"  {speed_label(s.speed)}",
                                              (f"  {s.position:,}/{s.total:,} events", "$text-muted")]
        parts.append(("   space pause · n step · +/- speed · esc close", "$text-muted"))
        self.query_one(ReplayBar).update(Content.assemble(*parts))

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
        await self.stop_engine()
        if len(self.app.screen_stack) > 1:
            self.dismiss()
        else:
            self.app.exit()
