"""The session's tools: builds each agent run's `AgentTools` (the engine's tool factory).

`SessionTools` lives as long as the session: it owns the MCP servers (started once,
stopped in `aclose`), the workspaces, and an event sink that writes an execution trace
and a workspace snapshot for every answer. Called as `tools(agent, phase)` it returns the
tools for one run, or None when that agent has nothing to work with.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mgtui.config.loader import LoadedConfig
from mgtui.config.models import AgentConfig, ContextPath, MgtuiConfig
from mgtui.engine import protocol
from mgtui.engine.events import AgentError
from mgtui.engine.streaming import short_error
from mgtui.tools.custom import CustomTool, load_custom_tool
from mgtui.tools.executor import AgentTools
from mgtui.tools.file_tools import FileTools
from mgtui.tools.hooks import HookRunner
from mgtui.tools.mcp_client import McpServer, stop_all
from mgtui.tools.permissions import PathPolicy, SecretFiles, context_roots
from mgtui.tools.traces import TraceBook, render_trace
from mgtui.tools.workspaces import Workspaces


def needs_tools(config: MgtuiConfig, extra_paths: Sequence[ContextPath] = ()) -> bool:
    """Whether any agent has something to work with (plain configs offer no tools)."""
    o = config.orchestrator
    return bool(o.context_paths or extra_paths or o.agent_workspaces or any(a.mcp_servers or a.tools for a in config.agents))


class SessionTools:
    def __init__(self, config: MgtuiConfig, session: Any, cwd: Path | None = None, config_path: Path | None = None) -> None:
        self.config = config
        self.session = session  # needs .dir, .turn, .emit, .add_sink, .turn_context_paths
        self.cwd = (cwd or Path.cwd()).resolve()
        # Never writable, whatever a context path allows: the config the engine reloads when it
        # changes (a model must not give itself tools or keys), the whole log root (every session's
        # logs, not only this one's) and any `.mgtui/` folder (folder config and default logs):
        # ".mgtui" is relative, so it is read against every context path and the working folder.
        log_root = Path(session.dir).parent
        self.always_protected = [str(p.resolve()) for p in (config_path, log_root, self.cwd / ".mgtui") if p is not None]
        self.always_protected.append(".mgtui")
        # Never readable either (literal keys): the config and the .env files beside it and here.
        env_dirs = tuple({self.cwd, *((config_path.resolve().parent,) if config_path else ())})
        self.secrets = SecretFiles((config_path.resolve(),) if config_path else (), env_dirs)
        self.anon = protocol.anonymous_ids([a.id for a in config.agents])
        self.workspaces = Workspaces(Path(session.dir), self.anon)
        self.traces = TraceBook()
        self.servers: dict[str, list[McpServer]] = {
            a.id: [McpServer(s, Path(session.dir) / "mcp" / f"{a.id}-{s.name}.log") for s in a.mcp_servers] for a in config.agents
        }
        self.custom: dict[str, list[CustomTool]] = {}
        self.problems: dict[str, list[str]] = {a.id: [] for a in config.agents}
        for agent in config.agents:
            self.custom[agent.id] = self._load_custom(agent)
        self._reported: set[tuple[int, str, str]] = set()
        self._start: asyncio.Future[list[None]] | None = None
        session.add_sink(self.on_event)

    # lifecycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        """Start every MCP server once (concurrently); failures are recorded, not raised."""
        if self._start is None:
            self._start = asyncio.ensure_future(asyncio.gather(*(s.start() for group in self.servers.values() for s in group)))
        await self._start

    async def aclose(self) -> None:
        await stop_all([s for group in self.servers.values() for s in group])

    def _load_custom(self, agent: AgentConfig) -> list[CustomTool]:
        tools = []
        for spec in agent.tools:
            try:
                tools.append(load_custom_tool(spec))
            except Exception as exc:  # a bad tool must not stop the agent
                self.problems[agent.id].append(f"custom tool {spec.function} unavailable: {short_error(exc)}")
        return tools

    # the tool factory -------------------------------------------------------------------
    def __call__(self, agent: AgentConfig, phase: str) -> AgentTools | None:
        files = self._file_tools(agent, phase)
        servers = self.servers.get(agent.id, [])
        for problem in self.problems.get(agent.id, []) + [s.failure for s in servers if s.failure]:
            self._report(agent.id, problem)
        custom = self.custom.get(agent.id, [])
        live = [s for s in servers if s.alive]
        if files is None and not custom and not any(s.tools for s in live):
            return None
        hooks_cfg = self.config.hooks
        own = agent.hooks
        hooks = HookRunner(
            hooks_cfg.PreToolUse + (own.PreToolUse if own else []),
            hooks_cfg.PostToolUse + (own.PostToolUse if own else []),
            agent.id,
            phase,
            self.session.emit,
        )
        return AgentTools(
            agent=agent.id,
            emit=self.session.emit,
            hooks=hooks,
            timeout=self.config.orchestrator.tool_timeout_seconds,
            files=files,
            mcp=live,
            custom=custom,
            before_files=self.workspaces.settled,
            on_server_failed=lambda server: self._report(agent.id, server.failure or ""),
        )

    def context_paths(self) -> list[ContextPath]:
        return list(self.config.orchestrator.context_paths) + list(getattr(self.session, "turn_context_paths", []) or [])

    def _file_tools(self, agent: AgentConfig, phase: str) -> FileTools | None:
        paths = self.context_paths()
        if not paths and not self.config.orchestrator.agent_workspaces:
            return None
        resolved = [(self._absolute(p.path), p.permission == "write", [*p.protected_paths, *self.always_protected])
                    for p in paths]
        policy = PathPolicy(
            workspace=self.workspaces.workspace(agent.id),
            context=context_roots(resolved, phase, self.cwd),
            peer_ids=[anon for agent_id, anon in self.anon.items() if agent_id != agent.id],
            peer_lookup=self.workspaces.latest_for_anon,
            secrets=self.secrets,
        )
        review = phase == "final" and getattr(self.session, "review_writes", False)
        return FileTools(policy, staging=self.session.staged_writes if review else None)

    def _absolute(self, path: str) -> Path:
        candidate = Path(path).expanduser()
        return candidate if candidate.is_absolute() else self.cwd / candidate

    def _report(self, agent: str, problem: str) -> None:
        key = (self.session.turn, agent, problem)
        if problem and key not in self._reported:
            self._reported.add(key)
            self.session.emit(AgentError(agent=agent, error=problem, fatal=False, kind="tools"))

    def _redact(self, text: str) -> str:
        redact = getattr(self.session, "redact", None)  # test doubles of the session may have none
        return redact(text) if redact is not None else text

    # the event sink: traces and snapshots ------------------------------------------------------
    def on_event(self, event: Any) -> None:
        self.traces.feed(event)
        if event.type == "answer":
            run = self.traces.take(event.agent)
            trace = self._redact(render_trace(event.label, run, event.content, event.turn))  # joined text: no key split in pieces
            self.workspaces.record_answer(event.agent, event.turn, event.answer_index, trace)
        elif event.type == "final_answer" and event.strategy != "winner_reuse":
            anon = self.anon.get(event.agent, event.agent)
            trace = self._redact(render_trace(f"final presentation by {anon}", self.traces.take(event.agent), event.content, event.turn))
            self.workspaces.write_trace(event.agent, event.turn, "execution_trace_final.md", trace)


def build_tool_factory(loaded: LoadedConfig, session: Any, extra_paths: Sequence[ContextPath] = ()) -> SessionTools | None:
    """The session's tool factory, or None when no agent has anything to work with."""
    if not needs_tools(loaded.config, extra_paths):
        return None
    return SessionTools(loaded.config, session, config_path=Path(loaded.path) if loaded.path else None)
