"""One agent run's ordinary tools (the engine's `ToolExecutor`): file, MCP and custom tools.

Every call is a `tool_call` event, goes through the PreToolUse hooks, runs with the per-call
timeout, goes through the PostToolUse hooks and ends as a `tool_result` event with its
duration. Results are truncated so one tool cannot flood the context window.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from mgtui.engine.events import ToolCall, ToolResult
from mgtui.engine.streaming import Emit, short_error
from mgtui.tools.custom import CustomTool
from mgtui.tools.file_tools import FileTools
from mgtui.tools.hooks import HookRunner
from mgtui.tools.mcp_client import PREFIX, McpServer
from mgtui.tools.permissions import ToolError

RESULT_MAX_CHARS = 20_000


def truncate(text: str, limit: int = RESULT_MAX_CHARS) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n[... truncated: {len(text) - limit} more characters]"


class AgentTools:
    def __init__(
        self,
        *,
        agent: str,
        emit: Emit,
        hooks: HookRunner,
        timeout: float,
        files: FileTools | None = None,
        mcp: Sequence[McpServer] = (),
        custom: Sequence[CustomTool] = (),
        before_files: Callable[[], Awaitable[None]] | None = None,
        on_server_failed: Callable[[McpServer], None] | None = None,
    ) -> None:
        self.agent = agent
        self._emit = emit
        self._hooks = hooks
        self._timeout = timeout
        self._files = files
        self._mcp = {name: server for server in mcp if server.alive for name in server.tools}
        self._custom = {tool.name: tool for tool in custom}
        self._before_files = before_files
        self._on_server_failed = on_server_failed

    @property
    def files_written(self) -> list[str]:
        return list(self._files.files_written) if self._files else []

    def specs(self) -> list[dict[str, Any]]:
        specs = self._files.specs() if self._files else []
        specs += [server.tools[name] for name, server in self._mcp.items()]
        specs += [tool.spec() for tool in self._custom.values()]
        return specs

    def handles(self, name: str) -> bool:
        return name in self._mcp or name in self._custom or bool(self._files and self._files.handles(name))

    async def execute(self, call_id: str, name: str, arguments: dict[str, Any]) -> str:
        started = time.monotonic()
        self._emit(ToolCall(agent=self.agent, call_id=call_id, name=name, arguments=arguments))
        text, error = "", None
        pre = await self._hooks.before(name, call_id, arguments)
        if not pre.allowed:
            error = f"denied by a hook: {pre.reason}"
        else:
            try:
                text = await asyncio.wait_for(self._dispatch(name, pre.arguments), self._timeout)
            except TimeoutError:
                error = f"timed out after {self._timeout:g} s"
            except ToolError as exc:
                error = str(exc)
            except Exception as exc:  # a tool's own bug becomes a tool error the model can see
                error = short_error(exc)
            post = await self._hooks.after(name, call_id, pre.arguments, text, error)
            if post.withheld:
                text, error = "", post.withheld
            if post.appended:
                text = "\n\n".join([text, *post.appended]) if text else "\n\n".join(post.appended)
        if error:
            text = f"Error: {error}" + (f"\n\n{text}" if text else "")  # hook notes stay visible
        result = truncate(text)
        self._emit(
            ToolResult(
                agent=self.agent,
                call_id=call_id,
                name=name,
                result=result,
                error=error,
                duration_s=round(time.monotonic() - started, 4),
            )
        )
        return result

    async def _dispatch(self, name: str, arguments: dict[str, Any]) -> str:
        if name in self._custom:
            return await self._custom[name].call(arguments)
        if name in self._mcp:
            server = self._mcp[name]
            try:
                return await server.call(name.removeprefix(f"{PREFIX}{server.name}__"), arguments, self._timeout)
            finally:
                if server.failure and self._on_server_failed is not None:
                    self._on_server_failed(server)
        if self._files is not None and self._files.handles(name):
            if self._before_files is not None:
                await self._before_files()  # snapshots still being copied
            return await self._files.call(name, arguments)
        raise ToolError(f"Unknown tool '{name}'.")
