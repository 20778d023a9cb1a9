"""One clock draws every live tail of the app together; a tail under a dialog waits for it to close.

The clock's timer is the test's hand (`HandTimer`): a tick happens when the test says so, never
after a sleep."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from mgtui.tui.performance.tail_clock import FLUSH_SECONDS, TailClock, tail_clock
from mgtui.tui.widgets.live_tail import LiveTail
from tests.tui.engines import wait_until


class CountingTail(LiveTail):
    DEFAULT_CSS = "CountingTail { width: 1fr; }"

    def __init__(self, draws: list[str]) -> None:
        super().__init__()
        self.draws = draws

    def flush(self) -> None:
        self.draws.append(str(self.id))
        super().flush()


class ThreeTails(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.draws: list[str] = []

    def compose(self) -> ComposeResult:
        with Horizontal():
            for n in range(3):
                tail = CountingTail(self.draws)
                tail.id = f"t{n}"
                yield tail


class Dialog(ModalScreen[None]):
    def compose(self) -> ComposeResult:
        yield Static("a dialog")


class HandTimer:
    """Stands in for the app's timers: remembers what the clock armed; `fire()` runs it."""

    def __init__(self) -> None:
        self.armed: list[tuple[float, Callable[[], None]]] = []

    def __call__(self, delay: float, callback: Callable[[], None]) -> HandTimer.Handle:
        entry = (delay, callback)
        self.armed.append(entry)
        return HandTimer.Handle(self, entry)

    class Handle:
        def __init__(self, timers: HandTimer, entry: tuple[float, Callable[[], None]]) -> None:
            self.timers, self.entry = timers, entry

        def stop(self) -> None:
            if self.entry in self.timers.armed:
                self.timers.armed.remove(self.entry)

    def fire(self) -> None:
        """The timer runs out: the one armed tick happens."""
        assert len(self.armed) == 1, f"one tick is armed at a time, not {len(self.armed)}"
        (_delay, callback), self.armed = self.armed[0], []
        callback()


def by_hand(app: App[None]) -> tuple[TailClock, HandTimer]:
    clock, timers = tail_clock(app), HandTimer()
    clock.schedule = timers
    return clock, timers


def tails(app: App[None]) -> list[LiveTail]:
    return list(app.query(CountingTail))


async def test_tails_that_got_text_are_drawn_in_one_tick() -> None:
    app = ThreeTails()
    async with app.run_test() as pilot:
        _clock, timers = by_hand(app)
        a, b, _ = tails(app)
        a.append("one\n")
        b.append("two\n")  # later, but before the tick: drawn with the first
        await pilot.pause()
        assert app.draws == []  # nothing is drawn before the tick
        assert [delay for delay, _ in timers.armed] == [FLUSH_SECONDS]  # one tick for both
        timers.fire()
        assert app.draws == ["t0", "t1"]  # in the order they asked; c had nothing new
        await pilot.pause()
        assert "one" in a.shown_text and "two" in b.shown_text
        assert timers.armed == []  # no text, no ticks


async def test_a_tail_drawn_directly_is_not_drawn_again_by_the_tick() -> None:
    app = ThreeTails()
    async with app.run_test() as pilot:
        _clock, timers = by_hand(app)
        a, _, _ = tails(app)
        a.append("answer arrived\n")
        a.flush()  # e.g. the pane draws it at once when the answer is complete
        app.draws.clear()
        await pilot.pause()
        if timers.armed:  # an armed tick may run out, with nothing left to draw
            timers.fire()
        assert app.draws == []


async def test_under_a_dialog_tails_keep_buffering_and_draw_once_it_closes() -> None:
    app = ThreeTails()
    async with app.run_test() as pilot:
        clock, timers = by_hand(app)
        a, _, _ = tails(app)
        await app.push_screen(Dialog())
        a.append("while the dialog is open\n")
        for _ in range(3):
            timers.fire()  # ticks come and go: the tail under the dialog waits for the next
            await pilot.pause()
        assert app.draws == []
        assert "while the dialog" not in a.shown_text  # buffered, not drawn
        assert "while the dialog" in a.text  # and nothing lost
        app.pop_screen()
        await pilot.pause()
        await pilot.pause()
        assert app.draws == ["t0"]  # at once, not at the next tick
        assert "while the dialog" in a.shown_text
        assert timers.armed == [] and not clock.armed  # and only once: no tick left for it


async def test_the_app_timer_ticks_when_nobody_drives_the_clock() -> None:
    """Without a hand on it the clock arms the app's own timer (no sleep: the test waits for
    the draw, however long the loaded machine takes)."""
    app = ThreeTails()
    async with app.run_test() as pilot:
        a, _, _ = tails(app)
        a.append("by the app's timer\n")
        assert tail_clock(app).armed
        await wait_until(pilot, lambda: bool(app.draws))
        assert app.draws == ["t0"] and "by the app's timer" in a.shown_text


async def test_one_clock_per_app() -> None:
    app = ThreeTails()
    other = ThreeTails()
    async with app.run_test(), other.run_test():
        assert tail_clock(app) is tail_clock(app)
        assert tail_clock(other) is not tail_clock(app)


class TailScreen(Screen[None]):
    def compose(self) -> ComposeResult:
        yield LiveTail()


async def test_tails_of_a_closed_screen_are_dropped_not_drawn() -> None:
    # Esc on a replay still streaming (from the sessions browser): its tails were due at the
    # next tick, which then asked a tail being removed for its screen and crashed (NoScreen).
    app = ThreeTails()
    async with app.run_test() as pilot:
        clock, timers = by_hand(app)
        screen = TailScreen()
        await app.push_screen(screen)
        tail = screen.query_one(LiveTail)
        tail.append("streaming text")
        assert clock.armed
        await app.pop_screen()
        await pilot.pause()
        timers.fire()  # the tick that was due when the screen closed
        await pilot.pause()
        assert not clock.armed  # nothing left to draw, nothing re-armed for ever
    assert app._exception is None
