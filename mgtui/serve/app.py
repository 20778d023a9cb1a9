"""The ASGI app: `POST /v1/chat/completions` (plain and SSE streaming), `GET /v1/models`, `GET /health`.

Every request runs one consensus turn in a fresh session (clients send the whole
conversation each time, as with any OpenAI model) and writes the usual session log.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.datastructures import Headers

from mgtui.api import Result, Session, answer_chunks
from mgtui.api_inputs import split_messages
from mgtui.config.loader import ConfigError, LoadedConfig
from mgtui.providers.litellm_access import get_litellm
from mgtui.serve import openai_format as fmt
from mgtui.serve.teams import TeamRequestError, http_team, model_list

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class ServeSettings:
    config: str | None = None  # the served team (`model="mgtui"`): a path or @NAME; None: discovery
    config_label: str = "config discovery"
    api_key: str | None = None  # when set, /v1/* needs `Authorization: Bearer <api_key>`
    log_dir: str | None = None
    loopback_only: bool = True  # then Host must name this machine (defeats DNS rebinding)
    keepalive_seconds: float = 15.0


def _error(status: int, message: str, kind: str = "invalid_request_error", code: str | None = None) -> JSONResponse:
    return JSONResponse(fmt.error(message, kind, code), status_code=status)


def _authorised(header: str, key: str) -> bool:
    scheme, _, token = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), key.encode())


async def _disconnected(request: Request) -> None:
    """Returns once the client has gone away (the body has been read already)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def _run_until_disconnect(session: Session, question: str, request: Request) -> Result | None:
    """The turn's result, or None (and the turn cancelled) if the client left first."""
    turn = asyncio.create_task(session.ask(question))
    gone = asyncio.create_task(_disconnected(request))
    await asyncio.wait({turn, gone}, return_when=asyncio.FIRST_COMPLETED)
    gone.cancel()
    if not turn.done():
        await session.stop(turn)
        return None
    return turn.result()


def _no_answer(result: Result) -> str:
    return f"the team gave no answer ({result.status}: {result.error or 'no live agent'}); session {result.session_id}"


async def _stream(session: Session, question: str, request: Request, reply: fmt.Reply, include_usage: bool, keepalive: float) -> AsyncIterator[str]:
    """SSE: a role chunk at once, keep-alive comments while the team works, then the final answer."""
    turn = asyncio.create_task(session.ask(question))
    # Starlette notices a gone client only at the next write (ASGI 2.4): watch for it ourselves
    gone = asyncio.create_task(_disconnected(request))
    try:
        yield fmt.sse(fmt.chunk(reply, {"role": "assistant", "content": ""}))
        while not turn.done():
            done, _ = await asyncio.wait({turn, gone}, timeout=keepalive, return_when=asyncio.FIRST_COMPLETED)
            if gone in done:
                return  # the finally block cancels the turn
            if not done:
                yield fmt.SSE_KEEPALIVE
        try:
            result = turn.result()
        except Exception as exc:  # e.g. a missing local model: tell the client, not just the log
            yield fmt.sse(fmt.error(f"{type(exc).__name__}: {exc}", "server_error"))
            yield fmt.SSE_DONE
            return
        if result.final_answer is None:
            yield fmt.sse(fmt.error(_no_answer(result), "server_error"))
            yield fmt.SSE_DONE
            return
        for piece in answer_chunks(result.final_answer):
            yield fmt.sse(fmt.chunk(reply, {"content": piece}))
        yield fmt.sse(fmt.chunk(reply, {}, "stop", mgtui=fmt.details(result)))
        if include_usage:
            yield fmt.sse(fmt.usage_chunk(reply, result.total_usage))
        yield fmt.SSE_DONE
    finally:  # also when the client disconnects mid-stream
        gone.cancel()
        await session.stop(turn)
        session.close()


def create_app(settings: ServeSettings) -> Any:
    """The ASGI application (FastAPI wrapped in the host/API-key guard)."""
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(get_litellm)  # seconds of import: pay them before the first request
        yield

    app = FastAPI(title="mgtui", summary="A multi-agent consensus team as an OpenAI-compatible model", lifespan=lifespan)
    started = int(time.time())

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        return {"object": "list", "data": model_list(settings.config_label, started)}

    @app.post("/v1/chat/completions", response_model=None)
    async def chat_completions(request: Request) -> Response:
        # JSON only: a browser page cannot send this content type cross-site without a preflight
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            return _error(415, "send the request body as application/json")
        try:
            body = json.loads(await request.body())
            if not isinstance(body, dict):
                raise ValueError("the body must be a JSON object")
            model = str(body.get("model") or "")
            question, history = split_messages(body.get("messages") or [])
            loaded: LoadedConfig = http_team(model, body, settings.config)
        except TeamRequestError as exc:
            return _error(exc.status, str(exc), code=exc.code)
        except (ValueError, ConfigError) as exc:
            return _error(400, str(exc))
        session = Session(loaded, history=history, log_dir=settings.log_dir)
        reply = fmt.Reply(model=model)
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return StreamingResponse(_stream(session, question, request, reply, include_usage, settings.keepalive_seconds), media_type="text/event-stream")
        try:
            result = await _run_until_disconnect(session, question, request)
        except Exception as exc:  # noqa: BLE001 - one clear error body instead of a bare 500
            return _error(500, f"{type(exc).__name__}: {exc}", "server_error")
        finally:
            session.close()
        if result is None:
            return Response(status_code=499)  # client closed the request; nobody reads this
        if result.final_answer is None:
            return _error(502, _no_answer(result), "server_error")
        return JSONResponse(fmt.completion(reply, result))

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
            host = urlsplit("//" + headers.get("host", "")).hostname or ""
            if host not in LOOPBACK_NAMES:
                return _error(421, f"this server only answers requests addressed to this machine, not '{host}'")
        key = self.settings.api_key
        if key and path.startswith("/v1/") and not _authorised(headers.get("authorization", ""), key):
            return _error(401, "missing or wrong API key (Authorization: Bearer ...)", "authentication_error", "invalid_api_key")
        return None
