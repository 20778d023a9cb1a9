"""One turn at a time per session folder, across processes.

Two `mgtui run --continue` (or a TUI and a script) on one session both became turn 2 and
overwrote each other's answers and final.md. A turn now holds an exclusive `flock` on
`<session>/turn.lock`; another process waits for it (bounded, saying so once), then reads
the turns it missed from the log and goes on as the next turn. The lock goes with the
process: a killed turn never leaves the session locked.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

try:
    import fcntl
except ImportError:  # not on this platform: turns are not serialised across processes
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = "turn.lock"
POLL_SECONDS = 0.2
BUSY_MESSAGE = "session busy, waiting… (another process is running a turn of it)"


class SessionBusy(RuntimeError):
    """The session's turn lock was not free within the wait."""


def print_to_stderr(message: str) -> None:
    print(f"mgtui: {message}", file=sys.stderr, flush=True)


class TurnLock:
    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_NAME
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    async def acquire(self, wait_s: float, on_wait: Callable[[str], None], given_up: Callable[[], bool] = lambda: False) -> None:
        """Take the lock, waiting up to `wait_s` (polling: flock has no async form).

        `given_up` is polled while waiting (a cancel); then, or after the wait, SessionBusy.
        """
        if self._fd is not None or fcntl is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)  # not inherited by tool processes
        deadline = time.monotonic() + wait_s
        told = False
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    pass
                if given_up():
                    raise SessionBusy(f"session {self.path.parent.name} is busy; stopped waiting")
                if time.monotonic() >= deadline:
                    raise SessionBusy(f"session {self.path.parent.name} is busy: another process is running a turn "
                                      f"of it (waited {wait_s:g} s)")
                if not told:
                    on_wait(BUSY_MESSAGE)
                    told = True
                await asyncio.sleep(POLL_SECONDS)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
