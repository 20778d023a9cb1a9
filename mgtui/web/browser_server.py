"""The textual-serve server, adjusted for mgtui.

What textual-serve 1.1.3 does as is: one app process per browser websocket (so one app
session per tab), its own xterm.js bundle and fonts. What changes here:

- the page is our template: its stock one loads a Google Fonts stylesheet, and nothing
  may be fetched from the internet; ours declares the bundled Roboto Mono instead;
- page and websocket URLs come from the request's Host header (checked first: see
  `guard.py`), and the websocket URL carries the per-run token, `/ws/<token>`;
- every request passes the access guard: foreign Host, foreign Origin or a websocket
  without the token get a 403 before anything is upgraded or started;
- each app runs in its own process group and dies with the server; a tab that closes,
  or the server stopping, waits for the group to end and kills whatever lingers, so no
  app or engine process outlives the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from pathlib import Path
from typing import Any

import aiohttp_jinja2
from aiohttp import WSCloseCode, web
from aiohttp.abc import AbstractAccessLogger
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from mgtui.web.guard import AccessGuard, allowed_hosts
from mgtui.web.procs import die_with_parent, group_alive, signal_group

TEMPLATES = Path(__file__).resolve().parent / "templates"
QUIT_GRACE_SECONDS = 5.0  # an app asked to quit stops its engine and exits well within this
KILL_GRACE_SECONDS = 2.0
POLL_SECONDS = 0.1
SESSION_ROUTE = "session"  # /ws/{token}: the only websocket our pages open


class AccessLog(AbstractAccessLogger):
    """Who asked for what, and the answer (the user agent only adds noise); the page token
    is left out: the log may be kept where others can read it."""

    token = ""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        line = f"{request.method} {request.path_qs} HTTP/{request.version.major}.{request.version.minor}"
        if self.token:
            line = line.replace(self.token, "<token>")
        self.logger.info('%s "%s" %s', request.remote, line, response.status)


class AppProcess(AppService):
    """One tab's app, started in a new session (its own process group)."""

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        # Same as the base class, plus: own process group (a terminal's Ctrl+C reaches only
        # the server, which then stops apps in order) and a parent-death signal.
        self._process = process = await asyncio.create_subprocess_shell(
            self.command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._build_environment(width=width, height=height),
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    @property
    def pgid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def _wait_group(self, timeout: float) -> bool:
        """True once every process of the app's group has exited."""
        pgid = self.pgid
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while pgid is not None and group_alive(pgid):
            if loop.time() >= deadline:
                return False
            await asyncio.sleep(POLL_SECONDS)
        return True

    async def finish(self) -> None:
        """Ask the app to quit, then make sure its whole group is gone."""
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.stop(), QUIT_GRACE_SECONDS)
        pgid = self.pgid
        if pgid is None or await self._wait_group(QUIT_GRACE_SECONDS):
            return
        signal_group(pgid, signal.SIGTERM)
        if not await self._wait_group(KILL_GRACE_SECONDS):
            signal_group(pgid, signal.SIGKILL)
            await self._wait_group(KILL_GRACE_SECONDS)


class WebServer(Server):
    def __init__(self, command: str, host: str, port: int, banner: str) -> None:
        super().__init__(command, host=host, port=port, title="mgtui", templates_path=TEMPLATES)
        self.banner = banner
        self.guard = AccessGuard()
        self._live: dict[AppProcess, web.WebSocketResponse] = {}
        self._all_done = asyncio.Event()

    async def _make_app(self) -> web.Application:
        """textual-serve's app, plus the access guard and the token-carrying websocket route."""
        app = await super()._make_app()
        app.middlewares.append(self.guard.middleware)  # still open to changes until the runner starts
        app.router.add_get("/ws/{token}", self.handle_websocket, name=SESSION_ROUTE)
        return app

    async def on_startup(self, app: web.Application) -> None:
        """Nothing: the banner waits until the port is bound (see `run`)."""

    def serve(self, debug: bool = False) -> None:
        """Serve until SIGINT/SIGTERM; raises OSError when the address cannot be bound."""
        self.debug = debug
        self.initialize_logging()
        asyncio.run(self.run())

    async def run(self) -> None:
        AccessLog.token = self.guard.token
        runner = web.AppRunner(await self._make_app(), handle_signals=False, access_log_class=AccessLog)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
            port = self.port or int(runner.addresses[0][1])  # --port 0: the one picked
            self.guard.hosts = allowed_hosts([self.host], port)  # the bound host and loopback names
            print(self.banner, flush=True)
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            await stop.wait()
            for sig in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl+C interrupts the clean-up
                loop.remove_signal_handler(sig)
        finally:
            await runner.cleanup()  # on_shutdown stops every tab's app

    async def on_shutdown(self, app: web.Application) -> None:
        """Close every tab's websocket; each handler then stops its app (see `finish`)."""
        if not self._live:
            return
        self._all_done.clear()
        print(f"mgtui web: stopping {len(self._live)} app session(s)...", flush=True)
        for websocket in list(self._live.values()):
            await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"server shutting down")
        # Handlers finish on their own; the bound only guards against a stuck handler.
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._all_done.wait(), QUIT_GRACE_SECONDS + 2 * KILL_GRACE_SECONDS + 1)

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        origin = f"{request.scheme}://{request.host}"
        ws_scheme = "wss" if request.scheme == "https" else "ws"
        return {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{ws_scheme}://{request.host}{request.app.router[SESSION_ROUTE].url_for(token=self.guard.token)}",
            "config": {"static": {"url": f"{origin}/static/"}},
            "application": {"name": self.title},
        }

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One tab: start its app, pump browser input to it, stop it when the tab goes."""
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        await websocket.prepare(request)

        async def close() -> None:  # textual-serve awaits None; aiohttp's close says whether it closed
            await websocket.close()

        service = AppProcess(
            self.command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=close,
            download_manager=self.download_manager,
            debug=self.debug,
        )
        self._live[service] = websocket
        try:
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            pass  # the server is going away; the app is stopped below all the same
        finally:
            await service.finish()
            await websocket.close()
            del self._live[service]
            if not self._live:
                self._all_done.set()
        return websocket
