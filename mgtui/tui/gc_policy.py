"""When Python's cyclic garbage collector runs its full passes in the UI process.

Measured with 8 agents streaming into the app: a full pass scans every object Textual keeps
(each drawn Strip carries 7 small caches) and paused the UI 50-150 ms, about every 2 s with
Python's defaults; those pauses were the slowest key presses and palette openings. So the
objects that exist once the screen is built are frozen (they live as long as the app), full
passes are ten times rarer, and one runs when a turn is over and the UI idles. Deferring
them for a whole turn was also measured: no faster keys, and twice the memory (219 MB).
"""

from __future__ import annotations

import gc

FULL_EVERY = 100  # middle-generation passes per full one (Python's default: 10)
IDLE_COLLECT_DELAY_S = 1.0  # after a turn ends, so the final answer is drawn first


def freeze_startup_objects() -> None:
    """Call once the screen is built: modules, styles and the screen are never garbage."""
    gc.freeze()
    young, middle, _full = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_EVERY)


def collect_if(idle: bool) -> None:
    """The full pass scheduled IDLE_COLLECT_DELAY_S after a turn ends (skipped if busy again)."""
    if idle:
        gc.collect()
