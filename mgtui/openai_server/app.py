"""The ASGI app: `POST /v1/chat/completions` (plain and SSE streaming), `GET /v1/models`, `GET /health`.

Every request runs one consensus turn in a fresh session (clients send the whole
conversation each time, as with any OpenAI model) and writes the usual session log.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.datastructures import Headers

from mgtui.api import Result, Session, answer_chunks
from mgtui.api_inputs import split_messages
from mgtui.config.loader import ConfigError, LoadedConfig
from mgtui.openai_server import openai_format as fmt
from mgtui.openai_server.body import checked_messages, parse_body, stream_flags
from mgtui.openai_server.limits import (
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_MAX_BODY,
    DEFAULT_MAX_CONCURRENT,
    DEFAULT_QUEUE_TIMEOUT,
    READERS_PER_SLOT,
    BodyReaders,
    BodyTooLarge,
    BodyTooSlow,
    Busy,
    TurnSlots,
)
from mgtui.openai_server.teams import OfferedTeam, TeamRequestError, http_team, model_list, team_name
from mgtui.openai_server.turns import TurnRun
from mgtui.providers.litellm_access import get_litellm

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
Redact = Callable[[str], str]


@dataclass(frozen=True)
class ServeSettings:
    config: str | None = None  # the served team when `teams` is empty: a path or @NAME; None: discovery
    config_label: str = "config discovery"
    api_key: str | None = None  # when set, /v1/* needs `Authorization: Bearer <api_key>`
    log_dir: str | None = None
    loopback_only: bool = True  # then Host must name this machine (defeats DNS rebinding)
    keepalive_seconds: float = 15.0
    teams: tuple[OfferedTeam, ...] = ()  # `-c TEAM ...`; the first is also model `mgtui`
    allow_tools: bool = False  # serve teams with files, MCP servers, custom tools or hooks
    allow_build: bool = False  # `mgtui/build` and `mgtui/model:...` from the request's model strings
    max_body: int = DEFAULT_MAX_BODY  # bytes; larger bodies get 413
    max_concurrent: int = DEFAULT_MAX_CONCURRENT  # turns at once
    queue_timeout: float = DEFAULT_QUEUE_TIMEOUT  # seconds a request waits for a turn, then 429
    body_timeout: float = DEFAULT_BODY_TIMEOUT  # seconds to send the whole body, then 408

    def offered(self) -> tuple[OfferedTeam, ...]:
        return self.teams or (OfferedTeam(team_name(self.config, set()), self.config, self.config_label),)


def _limits(settings: ServeSettings) -> tuple[TurnSlots, BodyReaders]:
    readers = BodyReaders(settings.max_concurrent * READERS_PER_SLOT, settings.queue_timeout, settings.body_timeout)
    return TurnSlots(settings.max_concurrent, settings.queue_timeout), readers


def _error(status: int, message: str, kind: str = "invalid_request_error", code: str | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(fmt.error(message, kind, code), status_code=status, headers=headers)


def _json(body: dict[str, Any], redact: Redact, status: int = 200) -> Response:
    """A JSON body passed through the session's redactor (the log's: keys never go out)."""
    return Response(redact(json.dumps(body, ensure_ascii=False)), status_code=status, media_type="application/json")


# name or [IPv6] with an optional port, and nothing else: a URL parser would read
# `evil.example@127.0.0.1` or `localhost#@evil.example` as a loopback name
_HOST_HEADER = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?")


def _host_name(header: str) -> str:
    """The host a Host header names (lower case, IPv6 without brackets); '' when malformed."""
    match = _HOST_HEADER.fullmatch(header.strip())
    return match.group(1).strip("[]").lower() if match else ""


def _authorised(header: str, key: str) -> bool:
    scheme, _, token = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), key.encode())


def _no_answer(result: Result) -> str:
    return f"the team gave no answer ({result.status}: {result.error or 'no live agent'}); session {result.session_id}"


async def _stream(run: TurnRun, reply: fmt.Reply, include_usage: bool, keepalive: float) -> AsyncIterator[str]:
    """SSE: a role chunk at once, keep-alive comments while the team works, then the final answer."""
    redact = run.session.redact

    def sse(data: dict[str, Any]) -> str:
        return redact(fmt.sse(data))

    try:
        yield fmt.sse(fmt.chunk(reply, {"role": "assistant", "content": ""}))
        while not run.ended.done():
            done, _ = await asyncio.wait({run.ended}, timeout=keepalive)
            if not done:
                yield fmt.SSE_KEEPALIVE
        if run.client_left:
            return
        try:
            result = run.turn.result()
        except Exception as exc:  # e.g. a missing local model: tell the client, not just the log
            yield sse(fmt.error(f"{type(exc).__name__}: {exc}", "server_error"))
            yield fmt.SSE_DONE
            return
        if result.final_answer is None:
            yield sse(fmt.error(_no_answer(result), "server_error"))
            yield fmt.SSE_DONE
            return
        # Redacted whole, then cut: a key the model streamed in pieces is joined here, so no
        # piece can carry part of it.
        for piece in answer_chunks(redact(result.final_answer)):
            yield sse(fmt.chunk(reply, {"content": piece}))
        yield sse(fmt.chunk(reply, {}, "stop", mgtui=fmt.details(result)))
        if include_usage:
            yield fmt.sse(fmt.usage_chunk(reply, result.total_usage))
        yield fmt.SSE_DONE
    finally:  # also when the client disconnects mid-stream
        await run.stop()


def create_app(settings: ServeSettings) -> Any:
    """The ASGI application (FastAPI wrapped in the host/API-key guard)."""
    slots: TurnSlots | None = None  # made in the server's event loop
    readers: BodyReaders | None = None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        nonlocal slots, readers
        slots, readers = _limits(settings)
        await asyncio.to_thread(get_litellm)  # seconds of import: pay them before the first request
        yield

    # No /docs, /redoc or /openapi.json: they answered without the API key, and /docs loads
    # its scripts from a CDN. docs/api.md describes the API.
    app = FastAPI(title="mgtui", summary="A multi-agent consensus team as an OpenAI-compatible model", lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None)
    started = int(time.time())
    teams = settings.offered()

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        return {"object": "list", "data": model_list(teams, started, settings.allow_build)}

    @app.post("/v1/chat/completions", response_model=None)
    async def chat_completions(request: Request) -> Response:
        nonlocal slots, readers
        # JSON only: a browser page cannot send this content type cross-site without a preflight
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            return _error(415, "send the request body as application/json")
        if slots is None or readers is None:  # no lifespan (an ASGI host that skips it): make them in this loop
            slots, readers = _limits(settings)
        try:
            async with readers.slot():  # bounds the bodies held in memory, read or parsed
                body = parse_body(await readers.read(request, settings.max_body))
                model = str(body.get("model") or "")
                question, history = split_messages(checked_messages(body.get("messages") or []))
                stream, include_usage = stream_flags(body)
                loaded: LoadedConfig = http_team(model, body, teams, allow_tools=settings.allow_tools, allow_build=settings.allow_build)
                del body
        except BodyTooLarge:
            return _error(413, f"the request body is over {settings.max_body} bytes (the server's --max-body)", code="request_too_large")
        except BodyTooSlow:
            return _error(408, f"the request body did not arrive within {settings.body_timeout:g} s", code="request_timeout")
        except TeamRequestError as exc:
            return _error(exc.status, str(exc), code=exc.code)
        except (ValueError, ConfigError) as exc:
            return _error(400, str(exc))
        except Busy as exc:
            return _error(429, str(exc), "rate_limit_error", "server_busy", headers={"Retry-After": str(exc.retry_after)})
        try:
            release = await slots.acquire()
        except Busy as exc:
            return _error(429, str(exc), "rate_limit_error", "server_busy", headers={"Retry-After": str(exc.retry_after)})
        try:
            session = Session(loaded, history=history, log_dir=settings.log_dir)
        except BaseException:
            release()
            raise
        run = TurnRun(session, question, request, release)
        reply = fmt.Reply(model=model)
        if stream:
            return StreamingResponse(_stream(run, reply, include_usage, settings.keepalive_seconds), media_type="text/event-stream")
        await asyncio.gather(run.ended, return_exceptions=True)
        if run.client_left:
            return Response(status_code=499)  # client closed the request; nobody reads this
        try:
            result = run.turn.result()
        except Exception as exc:  # noqa: BLE001 - one clear error body instead of a bare 500
            return _json(fmt.error(f"{type(exc).__name__}: {exc}", "server_error"), session.redact, 500)
        if result.final_answer is None:
            return _json(fmt.error(_no_answer(result), "server_error"), session.redact, 502)
        return _json(fmt.completion(reply, result), session.redact)

    return _Guard(app, settings)


class _Guard:
    """Pure ASGI middleware (BaseHTTPMiddleware would interfere with disconnect detection):
    refuses foreign Host headers on loopback servers and checks the API key on /v1/*."""

    def __init__(self, app: FastAPI, settings: ServeSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: dict[str, Any], receive: Callable[[], Awaitable[Any]], send: Callable[[Any], Awaitable[None]]) -> None:
        if scope["type"] == "http":
            refusal = self._refusal(Headers(scope=scope), scope["path"])
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _refusal(self, headers: Headers, path: str) -> JSONResponse | None:
        if self.settings.loopback_only:
            host = _host_name(headers.get("host", ""))
            if host not in LOOPBACK_NAMES:
                return _error(421, f"this server only answers requests addressed to this machine, not '{host}'")
        key = self.settings.api_key
        if key and path.startswith("/v1/") and not _authorised(headers.get("authorization", ""), key):
            return _error(401, "missing or wrong API key (Authorization: Bearer ...)", "authentication_error", "invalid_api_key")
        return None
