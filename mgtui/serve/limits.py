"""What one client may cost the server: the request body's size and the number of turns at
once (each turn runs a stream per agent; without a bound, 100 requests ran 200 streams)."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI reads the defaults here without the `serve` extra
    from starlette.requests import Request

DEFAULT_MAX_BODY = 4 * 1024 * 1024
DEFAULT_MAX_CONCURRENT = 4
DEFAULT_QUEUE_TIMEOUT = 30.0
WAITING_PER_SLOT = 4  # requests that may wait per running turn; more are told to retry at once


class BodyTooLarge(Exception):
    pass


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it passes `limit` bytes (a declared or a chunked length)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    parts: list[bytes] = []
    size = 0
    async for part in request.stream():
        size += len(part)
        if size > limit:
            raise BodyTooLarge
        parts.append(part)
    return b"".join(parts)


class Busy(Exception):
    """No turn slot within the wait; `retry_after` (seconds) goes into the 429's Retry-After."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"the server is busy with other requests; retry in {retry_after} s")
        self.retry_after = retry_after


class TurnSlots:
    """At most `limit` turns at once; a request waits up to `wait` seconds for a slot, and at
    most `limit * WAITING_PER_SLOT` requests wait (each holds its body in memory)."""

    def __init__(self, limit: int, wait: float) -> None:
        self._free = asyncio.Semaphore(limit)
        self._wait = wait
        self._max_waiting = limit * WAITING_PER_SLOT
        self._waiting = 0
        self.retry_after = max(1, math.ceil(wait))

    async def acquire(self) -> Callable[[], None]:
        """Wait for a slot; returns its release (safe to call more than once). Raises Busy."""
        if self._free.locked() and self._waiting >= self._max_waiting:
            raise Busy(self.retry_after)
        if not self._free.locked():
            await self._free.acquire()  # returns at once
        elif self._wait <= 0:
            raise Busy(self.retry_after)
        else:
            self._waiting += 1
            try:
                await asyncio.wait_for(self._free.acquire(), self._wait)
            except asyncio.TimeoutError:
                raise Busy(self.retry_after) from None
            finally:
                self._waiting -= 1
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self._free.release()

        return release
