"""When Python's cyclic garbage collector runs its full passes in the UI process.

A full pass scans every object Textual keeps (each drawn Strip carries 7 small caches): with 8
agents streaming it paused the UI 90-270 ms, and Python starts one whenever enough objects have
piled up, which is often just when a key press or a new screen allocates. Those pauses were the
slowest key presses and palette openings. So:
- the objects that exist once the screen is built are frozen (they live as long as the app);
- Python never starts a full pass on its own; `FullPasses` runs one when it is due and no key
  has been pressed for a second (or, at the latest, MAX_DEFER_SECONDS after the last one);
- one runs when a turn is over and the UI idles (not only then: a turn's garbage would double
  the UI's memory).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from time import monotonic

FULL_EVERY = 100  # middle-generation passes per full one (Python's default: 10)
NEVER = 2**30  # Python's own trigger for full passes, switched off
CHECK_SECONDS = 0.5
KEY_IDLE_SECONDS = 1.0  # no key for this long: a pause now keeps nobody waiting
MAX_DEFER_SECONDS = 30.0  # keys never stop: collect anyway, so memory stays bounded
IDLE_COLLECT_DELAY_S = 1.0  # after a turn ends, so the final answer is drawn first


def freeze_startup_objects() -> None:
    """Call once the screen is built: modules, styles and the screen are never garbage.
    From then on full passes are run by `FullPasses`, not by Python."""
    gc.freeze()
    young, middle, _full = gc.get_threshold()
    gc.set_threshold(young, middle, NEVER)


class FullPasses:
    """Runs a full pass when one is due, at a moment no key is waiting; `check` every CHECK_SECONDS."""

    def __init__(self, last_key_at: Callable[[], float], clock: Callable[[], float] = monotonic) -> None:
        self._last_key_at = last_key_at
        self._clock = clock
        self._last_full = clock()

    def due(self) -> bool:
        return gc.get_count()[2] >= FULL_EVERY

    def check(self) -> bool:
        """Run the pass if it is due and the keyboard is quiet (or it waited too long); True if it ran."""
        if not self.due():
            return False
        now = self._clock()
        if now - self._last_key_at() < KEY_IDLE_SECONDS and now - self._last_full < MAX_DEFER_SECONDS:
            return False
        self.collect()
        return True

    def collect(self) -> None:
        gc.collect()
        self._last_full = self._clock()
