"""What one client may cost the server: the request body's size and the number of turns at
once (each turn runs a stream per agent; without a bound, 100 requests ran 200 streams)."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI reads the defaults here without the `serve` extra
    from starlette.requests import Request

DEFAULT_MAX_BODY = 4 * 1024 * 1024
DEFAULT_MAX_CONCURRENT = 4
DEFAULT_QUEUE_TIMEOUT = 30.0
DEFAULT_BODY_TIMEOUT = 30.0  # seconds to send a whole body: a slow sender may not hold a reader forever
WAITING_PER_SLOT = 4  # requests that may wait per running turn; more are told to retry at once
READERS_PER_SLOT = 1 + WAITING_PER_SLOT  # bodies read at once per turn slot (each up to max_body)


class BodyTooLarge(Exception):
    pass


class BodyTooSlow(Exception):
    """The body did not arrive within the body timeout (slowloris): answered 408."""


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
            except TimeoutError:
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


class BodyReaders:
    """At most `limit` request bodies read (and parsed) at once, each within `timeout` seconds.

    Bodies are read before a turn slot is taken, so without this, N connections that send
    their bodies slowly held N x max_body bytes for as long as they liked (300 connections
    held 300 MB and were never timed out). A request waits up to `wait` for a reader, then
    gets 429 (Busy); a body that takes longer than `timeout` gets 408 (BodyTooSlow).
    """

    def __init__(self, limit: int, wait: float, timeout: float) -> None:
        self._free = asyncio.Semaphore(limit)
        self._wait = wait
        self._timeout = timeout
        self.retry_after = max(1, math.ceil(wait))

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Held while one body is read and parsed (parsed JSON takes many times its size)."""
        try:
            await asyncio.wait_for(self._free.acquire(), max(self._wait, 0.001))
        except TimeoutError:
            raise Busy(self.retry_after) from None
        try:
            yield
        finally:
            self._free.release()

    async def read(self, request: Request, max_body: int) -> bytes:
        """`read_body` within the body timeout (call it holding `slot`)."""
        try:
            return await asyncio.wait_for(read_body(request, max_body), self._timeout)
        except TimeoutError:
            raise BodyTooSlow from None
