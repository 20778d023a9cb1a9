"""One request's turn, looked after whether or not anybody still reads the response.

The turn starts as soon as the request has its slot. A supervisor task cancels it when the
client goes away and, once it has ended, closes the session and frees the slot: a
streaming response whose body is never iterated (the client left before the first byte)
must not keep a slot forever.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from fastapi import Request

from mgtui.api import Result, Session


async def _disconnected(request: Request) -> None:
    """Returns once the client has gone away (the body has been read already)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


class TurnRun:
    _alive: set[asyncio.Task[None]] = set()  # a task nobody references may be collected mid-run

    def __init__(self, session: Session, question: str, request: Request, release: Callable[[], None]) -> None:
        self.session = session
        self.turn: asyncio.Task[Result] = asyncio.create_task(session.ask(question))
        # Starlette notices a gone client only at its next write (ASGI 2.4): watch for it ourselves
        self._gone = asyncio.create_task(_disconnected(request))
        self.ended = asyncio.create_task(self._supervise(release))
        self._alive.add(self.ended)
        self.ended.add_done_callback(self._alive.discard)

    async def _supervise(self, release: Callable[[], None]) -> None:
        try:
            await asyncio.wait({self.turn, self._gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._gone.cancel()
            try:
                await self.session.stop(self.turn)  # nothing to do when the turn has finished
            finally:
                self.session.close()
                release()

    @property
    def client_left(self) -> bool:
        return self._gone.done() and not self._gone.cancelled()

    async def stop(self) -> None:
        """Cancel the turn (if still running) and wait until everything is cleaned up."""
        await self.session.stop(self.turn)
        await asyncio.gather(self.ended, return_exceptions=True)
