"""One clock draws every live tail of an app together, ten times a second.

Tails that each drew on a timer of their own would repaint the screen at up to 60 unrelated
moments a second with eight streaming panes, and a key press would nearly always wait behind
a tail's frame. Drawn together, the screen is busy for a few short moments a second and idle
in between, so a key is drawn at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol
from weakref import WeakKeyDictionary, ref

if TYPE_CHECKING:
    from textual.app import App

FLUSH_SECONDS = 0.1


class Stoppable(Protocol):
    def stop(self) -> None: ...


Schedule = Callable[[float, Callable[[], None]], Stoppable]
"""(delay, callback) -> a timer that can be stopped: the app's `set_timer`, or a test's hand."""


class Drawable(Protocol):
    @property
    def is_mounted(self) -> bool: ...

    @property
    def is_attached(self) -> bool: ...

    def drawable_now(self) -> bool: ...

    def flush(self) -> None: ...


class TailClock:
    def __init__(self, app: App[object]) -> None:
        self._app = ref(app)  # weak: the clock is the value of a dict keyed weakly by the app
        self._due: dict[Drawable, None] = {}  # an ordered set: tails draw in the order they asked
        self._timer: Stoppable | None = None
        # None: the app's timers. Tests set their own and call `tick()` themselves (no sleeps).
        self.schedule: Schedule | None = None
        app.screen_change_signal.subscribe(app, self._screen_changed)

    @property
    def armed(self) -> bool:
        """A tick is due (some tail waits to be drawn)."""
        return self._timer is not None

    def want(self, tail: Drawable) -> None:
        """Draw this tail at the next tick."""
        self._due[tail] = None
        self._arm()

    def drawn(self, tail: Drawable) -> None:
        """The tail drew itself (e.g. when its answer arrived): nothing left for the tick."""
        self._due.pop(tail, None)

    def _screen_changed(self, _screen: object) -> None:
        """A dialog closed: draw what waited under it now, not at the next tick."""
        if any(_alive(tail) and tail.drawable_now() for tail in self._due):
            if self._timer is not None:
                self._timer.stop()
            self.tick()

    def tick(self) -> None:
        """Draw every tail that asked since the last tick (the timer calls this)."""
        self._timer = None
        due, self._due = self._due, {}
        for tail in due:
            if not _alive(tail):
                continue
            if tail.drawable_now():
                tail.flush()
            else:
                self._due[tail] = None
        if self._due:
            self._arm()

    def _arm(self) -> None:
        if self._timer is not None:
            return
        if self.schedule is not None:
            self._timer = self.schedule(FLUSH_SECONDS, self.tick)
        elif (app := self._app()) is not None:
            self._timer = app.set_timer(FLUSH_SECONDS, self.tick)


def _alive(tail: Drawable) -> bool:
    # A tail of a closed screen (Esc on a replay mid-stream) stays mounted a while after its
    # screen left the app: it is dropped, never asked for a screen it no longer has.
    return tail.is_mounted and tail.is_attached


_clocks: WeakKeyDictionary[App[object], TailClock] = WeakKeyDictionary()


def tail_clock(app: App[object]) -> TailClock:
    """The app's clock, made on first use."""
    clock = _clocks.get(app)
    if clock is None:
        clock = _clocks[app] = TailClock(app)
    return clock
