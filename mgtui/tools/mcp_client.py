"""MCP servers through the official SDK (mcp 2.x `Client`), stdio and streamable HTTP.

Each server runs in its own task that holds the SDK's async context open (anyio scopes
must be entered and left in the same task) until `stop()`. Its tools are offered as
`mcp__<server>__<tool>`, filtered by `allowed_tools` / `exclude_tools`. A server that
fails to start or dies is marked failed with a reason; its tools disappear and calls fail.
`mcp` is imported lazily: it costs about a second and most configs do not use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
from pathlib import Path
from typing import Any, TextIO

from mgtui.config.models import McpServerConfig
from mgtui.engine.streaming import short_error
from mgtui.tools.permissions import ToolError

PREFIX = "mcp__"
_CURRENT: contextvars.ContextVar[McpServer] = contextvars.ContextVar("mgtui_mcp_server")


def tool_name(server: str, tool: str) -> str:
    return f"{PREFIX}{server}__{tool}"


class McpServer:
    """One running MCP server for one agent."""

    def __init__(self, config: McpServerConfig, errlog_path: Path | None = None) -> None:
        self.config = config
        self.tools: dict[str, dict[str, Any]] = {}  # prefixed name -> OpenAI tool spec
        self.failure: str | None = None  # why it is unusable (failed start, died)
        self._errlog_path = errlog_path
        self._client: Any = None
        self._ready = asyncio.Event()
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._scope: Any = None  # anyio.CancelScope around the SDK client, once it starts

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def alive(self) -> bool:
        return self._client is not None and self.failure is None

    async def start(self) -> None:
        """Connect and list tools; on failure `failure` says why (never raises)."""
        if self._task is None:
            self._task = asyncio.create_task(self._hold(), name=f"mcp-{self.name}")
        try:
            await asyncio.wait_for(self._ready.wait(), self.config.timeout_seconds)
        except TimeoutError:
            self.failure = f"MCP server '{self.name}' did not start within {self.config.timeout_seconds:g} s"
            # The handshake will never end: abort it now (the SDK's bounded shutdown then runs in
            # the background, during the turn) instead of waiting for it to notice a stop.
            self._abort()

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            if self._client is None:  # still in the handshake: nothing to wait for but its shutdown
                self._abort()
            try:
                await asyncio.wait_for(asyncio.shield(self._task), 10)
            except (TimeoutError, asyncio.CancelledError):
                self._task.cancel()
            except Exception:  # the holder reports its own failure
                pass

    async def call(self, tool: str, arguments: dict[str, Any], timeout: float) -> str:
        client = self._client
        if client is None or self.failure:
            raise ToolError(self.failure or f"MCP server '{self.name}' is not running")
        try:
            result = await client.call_tool(tool, arguments, read_timeout_seconds=timeout)
        except Exception as exc:
            message = short_error(exc)
            if "closed" in message.lower() or (self._task is not None and self._task.done()):
                self.failure = f"MCP server '{self.name}' died: {message}"
                raise ToolError(self.failure) from None
            raise ToolError(f"MCP tool '{tool}' failed: {message}") from None
        text = result_text(result)
        if result.is_error:
            raise ToolError(text or f"MCP tool '{tool}' reported an error")
        return text

    # the holder task --------------------------------------------------------------------
    async def _hold(self) -> None:
        errlog: TextIO | None = None
        _CURRENT.set(self)  # the SDK's reader tasks inherit it: its log records name this server
        try:
            from mcp import Client

            if self._errlog_path is not None and self.config.type == "stdio":
                self._errlog_path.parent.mkdir(parents=True, exist_ok=True)
                errlog = self._errlog_path.open("a", encoding="utf-8")
            import anyio

            quiet_sdk_logs()
            # A cancel scope, not task.cancel(): one native cancel can be absorbed by the SDK's
            # shielded shutdown, and the handshake would then wait on for its full timeout.
            with anyio.CancelScope() as self._scope:
                async with Client(self._transport(errlog), read_timeout_seconds=self.config.timeout_seconds, message_handler=self._on_message) as client:
                    listing = await client.list_tools()
                    self.tools = self._specs(listing.tools)
                    self._client = client
                    self._ready.set()
                    await self._stop.wait()
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # spawn errors, handshake errors, anyio exception groups
            reason = _unwrap(exc)
            what = "died" if self._client else "failed to start"
            self.failure = self.failure or f"MCP server '{self.name}' {what}: {reason}"
        finally:
            self._client = None
            self._ready.set()
            if errlog is not None:
                errlog.close()

    async def _on_message(self, message: Any) -> None:
        """Transport errors after the handshake arrive here."""
        if isinstance(message, Exception):
            self.bad_output(message)

    def bad_output(self, exc: BaseException | None) -> None:
        """Output that is not JSON-RPC: this is no MCP server (or a broken one). One line."""
        if self.failure:
            return
        self.failure = f"MCP server '{self.name}' does not speak MCP: its output is not JSON-RPC{_bad_line(exc)}"
        if self._client is None:
            self._abort()  # the handshake cannot succeed: fail now, not at the start timeout

    def _abort(self) -> None:
        if self._scope is not None:
            self._scope.cancel()
        elif self._task is not None:
            self._task.cancel()  # still importing the SDK

    def _transport(self, errlog: TextIO | None) -> Any:
        cfg = self.config
        if cfg.type == "stdio":
            import sys

            from mcp import StdioServerParameters
            from mcp.client.stdio import stdio_client

            params = StdioServerParameters(command=cfg.command or "", args=cfg.args, env=cfg.env or None, cwd=cfg.cwd)
            return stdio_client(params, errlog=errlog or sys.stderr)
        from mcp.client.streamable_http import streamable_http_client
        from mcp.shared._httpx_utils import create_mcp_http_client

        return streamable_http_client(cfg.url or "", http_client=create_mcp_http_client(headers=cfg.headers or None))

    def _specs(self, tools: list[Any]) -> dict[str, dict[str, Any]]:
        allowed = set(self.config.allowed_tools) if self.config.allowed_tools is not None else None
        specs: dict[str, dict[str, Any]] = {}
        for tool in tools:
            if (allowed is not None and tool.name not in allowed) or tool.name in self.config.exclude_tools:
                continue
            schema = dict(tool.input_schema or {"type": "object", "properties": {}})
            schema.pop("title", None)
            specs[tool_name(self.name, tool.name)] = {
                "type": "function",
                "function": {"name": tool_name(self.name, tool.name), "description": tool.description or tool.name, "parameters": schema},
            }
        return specs


def result_text(result: Any) -> str:
    """A CallToolResult as text: text blocks joined; other blocks described."""
    parts: list[str] = []
    for block in result.content or []:
        kind = getattr(block, "type", "")
        if kind == "text":
            parts.append(block.text)
        elif kind == "resource":
            resource = block.resource
            parts.append(getattr(resource, "text", None) or f"[resource {resource.uri}]")
        else:
            parts.append(f"[{kind} content: {getattr(block, 'mime_type', '') or 'not shown'}]")
    if not parts and result.structured_content is not None:
        parts.append(json.dumps(result.structured_content, ensure_ascii=False))
    return "\n".join(parts)


def _bad_line(exc: BaseException | None) -> str:
    """` ('first 60 characters of the line')` when the parse error carries the line."""
    errors = getattr(exc, "errors", None)
    try:
        text = errors()[0].get("input") if callable(errors) else None
    except Exception:  # noqa: BLE001 - only a nicer message is at stake
        text = None
    return f" ({str(text)[:60]!r})" if text else ""


class _OneLine(logging.Filter):
    """The SDK logs a full traceback per bad line (and more); we report each problem as one line
    through the server's failure, so keep only the message, without the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().startswith("Failed to parse JSONRPC message"):
            server = _CURRENT.get(None)
            if server is not None:
                server.bad_output(record.exc_info[1] if record.exc_info else None)
            return False  # the server's failure says it, once
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


def quiet_sdk_logs() -> None:
    for name in ("mcp.client.stdio", "mcp.client.streamable_http", "mcp.shared.session", "mcp.client.session", "mcp.shared.jsonrpc_dispatcher"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _OneLine) for f in logger.filters):
            logger.addFilter(_OneLine())


def _unwrap(exc: BaseException) -> str:
    """The first real error inside (possibly nested) exception groups."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return short_error(exc)


async def stop_all(servers: list[McpServer]) -> None:
    with contextlib.suppress(Exception):
        await asyncio.gather(*(s.stop() for s in servers), return_exceptions=True)
