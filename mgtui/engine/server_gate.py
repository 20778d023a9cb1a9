"""One request at a time to servers that cut a stream when another request arrives.

llama.cpp's Python server (`interrupt_requests`, on by default) ends the running stream, with
no finish_reason, as soon as a second request waits for its one model: three agents on it
interrupt each other until every one of them has run out of retries. Once a server has shown
that (a stream ended without a finish_reason), this engine sends it one request at a time.
Servers that stream to many clients at once never trip it and keep full parallelism.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator

_serial: set[str] = set()  # servers seen cutting streams (kept for the life of the process)
_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = weakref.WeakKeyDictionary()


def server_key(api_base: str | None, model: str) -> str:
    return (api_base or model.split("/", 1)[0]).rstrip("/")


def mark_serial(key: str) -> None:
    _serial.add(key)


def is_serial(key: str) -> bool:
    return key in _serial


@contextlib.asynccontextmanager
async def gate(key: str) -> AsyncIterator[None]:
    """Hold the server's lock while streaming, if it needs one; otherwise nothing."""
    if key not in _serial:
        yield
        return
    locks = _locks.setdefault(asyncio.get_running_loop(), {})
    lock = locks.setdefault(key, asyncio.Lock())
    async with lock:
        yield
