"""Who may use `mgtui --web`: checks on every request, before any websocket is upgraded.

Browsers apply no CORS to websockets, and DNS rebinding makes a foreign site's name
resolve to 127.0.0.1; without these checks any page the user visits could open the app
(and its `@path` file access) through `ws://127.0.0.1:PORT/ws`. So:

- the `Host` header must name this server (the bound host, what `--host` named, or a
  loopback name) with its port: a rebound name is refused, pages and websockets alike;
- a websocket's `Origin` must be this very server (same scheme, host and port);
- a websocket must present the per-run token that only our own pages carry (a foreign
  page cannot read them: same-origin policy plus the Host check).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, Iterable

from aiohttp import web

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
WS_PREFIX = "/ws"
# A page of another site may not frame ours: inside a frame our page is same-origin, so its
# websocket passes the Origin check, and every frame starts an app and an engine process
# (a hostile page with 3 iframes started 3 apps and 3 engines) and could trick the user into typing.
PAGE_HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def host_name(host: str) -> str:
    """How a host appears in a Host header: IPv6 addresses in brackets, lower case."""
    host = host.strip().lower()
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def allowed_hosts(names: Iterable[str], port: int) -> frozenset[str]:
    """Host header values naming this server: `name:port` (and bare `name` on port 80)."""
    every = {host_name(n) for n in (*LOOPBACK_NAMES, *names) if n}
    allowed = {f"{name}:{port}" for name in every}
    if port == 80:  # browsers leave the default port out of Host and Origin
        allowed |= every
    return frozenset(allowed)


class AccessGuard:
    """`middleware` is the aiohttp middleware; `hosts` is filled in once the port is known (see WebServer.run)."""

    def __init__(self, token: str | None = None) -> None:
        self.token = token or secrets.token_urlsafe(24)
        self.hosts: frozenset[str] = frozenset()

    def refusal(self, request: web.Request) -> str | None:
        """Why `request` is refused, or None when it may go on."""
        host = (request.headers.get("Host") or "").lower()
        if host not in self.hosts:
            return f"Host '{host}' does not name this server"
        if request.host.lower() != host:
            # An absolute request line (`GET http://evil.example/ HTTP/1.1`) makes aiohttp's
            # `request.host` the URL's, which our page would put in its websocket URL.
            return f"request line names another host '{request.host}'"
        path = request.path
        if path != WS_PREFIX and not path.startswith(WS_PREFIX + "/"):
            return None
        scheme = "https" if request.secure else "http"
        origin = (request.headers.get("Origin") or "").lower()
        if origin != f"{scheme}://{host}":
            return f"websocket from a foreign origin '{origin or 'none'}'"
        given = request.match_info.get("token", "")
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            return "websocket without this server's page token"
        return None

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        reason = self.refusal(request)
        if reason is not None:
            # Plain 403 before the handler runs: a websocket is never upgraded, no app started.
            return web.Response(status=403, text=f"mgtui web: refused: {reason}\n", headers=PAGE_HEADERS)
        response = await handler(request)
        if not response.prepared:  # a websocket's (101) headers are already sent
            response.headers.update(PAGE_HEADERS)
        return response
