"""`mgtui config import`: MassGen YAML -> mgtui YAML, plus a list of what could not come along.

MassGen agents name a backend type and a model; LiteLLM wants one model string. Only
settings mgtui has an equivalent for are carried; everything else is reported by key path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from mgtui.config.loader import load_yaml_data
from mgtui.config.models import MgtuiConfig

# backend type -> LiteLLM provider prefix
PROVIDER_PREFIX = {
    "openai": "openai",
    "claude": "anthropic",
    "gemini": "gemini",
    "grok": "xai",
    "openrouter": "openrouter",
    "groq": "groq",
    "together": "together_ai",
    "cerebras": "cerebras",
    "fireworks": "fireworks_ai",
    "azure_openai": "azure",
    "moonshot": "moonshot",
    "nvidia_nim": "nvidia_nim",
    "nebius": "nebius",
    "zai": "zai",
}
# OpenAI-compatible servers: openai/<model> against their base_url (default when MassGen has one).
OPENAI_COMPATIBLE = {
    "chatcompletion": None,
    "vllm": "http://localhost:8000/v1",
    "sglang": "http://localhost:30000/v1",
    "lmstudio": "http://localhost:1234/v1",
    "inference": None,
    "poe": "https://api.poe.com/v1",
    "qwen": "https://dashscope.aliyuncs.com/compatible-mode/v1",
}
# Backends that drive an external CLI/SDK with its own tools: no LiteLLM equivalent.
UNSUPPORTED_BACKENDS = {"claude_code", "codex", "gemini_cli", "antigravity_cli", "copilot", "ag2", "autogen", "uitars"}

AGENT_PARAMS = ("temperature", "top_p", "max_tokens", "seed")
MCP_KEYS = ("name", "type", "command", "args", "env", "cwd", "url", "headers", "allowed_tools", "exclude_tools")
ORCHESTRATOR_KEYS = ("max_new_answers_per_agent", "final_answer_strategy")
STRATEGIES = ("winner_present", "synthesize", "winner_reuse")
# Why common MassGen keys are dropped, with what to do instead; others get a generic reason.
REASONS = {
    "allowed_tools": "backend-wide tool filter; set allowed_tools on each MCP server instead",
    "exclude_tools": "backend-wide tool filter; set exclude_tools on each MCP server instead",
    "cwd": "agents have no private workspace; share folders with orchestrator.context_paths",
    "enable_web_search": "provider-side web search is not exposed; add a search MCP server",
    "enable_code_interpreter": "provider-side code execution is not exposed",
    "ui": "mgtui has one UI (the TUI; `mgtui run` for headless)",
}


@dataclass
class Dropped:
    path: str
    why: str


@dataclass
class ImportResult:
    yaml_text: str
    dropped: list[Dropped] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


class _Converter:
    def __init__(self) -> None:
        self.dropped: list[Dropped] = []

    def drop(self, path: str, why: str) -> None:
        self.dropped.append(Dropped(path, why))

    def drop_rest(self, source: dict[str, Any], used: set[str], path: str, why: str = "no mgtui equivalent") -> None:
        for key in source:
            if key not in used:
                self.drop(f"{path}.{key}" if path else str(key), REASONS.get(str(key), why))

    def model(self, backend: dict[str, Any], path: str) -> tuple[str, str | None] | None:
        """(LiteLLM model string, api_base) for a backend, or None if it cannot be expressed."""
        kind, model = str(backend.get("type", "")), backend.get("model")
        base_url = backend.get("base_url")
        if kind in UNSUPPORTED_BACKENDS:
            self.drop(path, f"backend type '{kind}' runs its own CLI/SDK agent; mgtui agents are LiteLLM models")
            return None
        if not model:
            self.drop(path, "backend has no 'model'")
            return None
        if kind in PROVIDER_PREFIX:
            return f"{PROVIDER_PREFIX[kind]}/{model}", base_url
        if kind in OPENAI_COMPATIBLE:
            return f"openai/{model}", base_url or OPENAI_COMPATIBLE[kind]
        self.drop(path, f"unknown backend type '{kind}'")
        return None

    def mcp_server(self, server: Any, path: str) -> dict[str, Any] | None:
        if not isinstance(server, dict):
            self.drop(path, "an MCP server is a mapping (name, command or url, ...)")
            return None
        if server.get("type", "stdio") not in ("stdio", "streamable-http"):
            self.drop(path, f"MCP transport '{server.get('type')}' is not supported (stdio, streamable-http)")
            return None
        self.drop_rest(server, set(MCP_KEYS), path)
        return {k: server[k] for k in MCP_KEYS if k in server}

    def hooks(self, hooks: dict[str, Any], path: str) -> dict[str, Any]:
        out: dict[str, list[dict[str, Any]]] = {}
        for event, entries in hooks.items():
            if event not in ("PreToolUse", "PostToolUse"):
                self.drop(f"{path}.{event}", "only PreToolUse and PostToolUse hooks exist")
                continue
            for i, hook in enumerate(entries or []):
                where = f"{path}.{event}[{i}]"
                if hook.get("type", "python") != "python" or "handler" not in hook:
                    self.drop(where, "only Python handlers are supported")
                    continue
                handler = str(hook["handler"])
                if ":" not in handler:  # MassGen writes module.function; mgtui wants module:function
                    module, _, func = handler.rpartition(".")
                    handler = f"{module}:{func}"
                entry = {"matcher": hook.get("matcher", "*"), "handler": handler}
                entry.update({k: hook[k] for k in ("timeout", "fail_closed") if k in hook})
                self.drop_rest(hook, {"matcher", "handler", "type", "timeout", "fail_closed"}, where)
                out.setdefault(event, []).append(entry)
        return out

    def agent(self, agent: dict[str, Any], index: int, path: str) -> dict[str, Any] | None:
        backend = agent.get("backend") or {}
        bpath = f"{path}.backend"
        resolved = self.model(backend, path)
        if resolved is None:
            return None
        model, api_base = resolved
        out: dict[str, Any] = {"id": str(agent.get("id") or f"agent{index + 1}"), "model": model}
        if api_base:
            out["api_base"] = api_base
        if backend.get("api_key"):
            out["api_key"] = backend["api_key"]
        message = agent.get("system_message") or backend.get("system_message")
        if message:
            out["system_message"] = message
        out.update({k: backend[k] for k in AGENT_PARAMS if k in backend})
        used = {"type", "model", "base_url", "api_key", "system_message", *AGENT_PARAMS}
        effort = (backend.get("reasoning") or {}).get("effort") if isinstance(backend.get("reasoning"), dict) else None
        if effort:
            out["params"] = {"reasoning_effort": effort}
            used.add("reasoning")
            self.drop_rest(backend["reasoning"], {"effort"}, f"{bpath}.reasoning")
        servers = [self.mcp_server(s, where) for where, s in _server_entries(backend.get("mcp_servers"), f"{bpath}.mcp_servers")]
        if any(servers):
            out["mcp_servers"] = [s for s in servers if s]
        used.add("mcp_servers")
        if isinstance(backend.get("hooks"), dict):
            hooks = self.hooks(backend["hooks"], f"{bpath}.hooks")
            if hooks:
                out["hooks"] = hooks
            used.add("hooks")
        self.drop_rest(backend, used, bpath)
        self.drop_rest(agent, {"id", "backend", "system_message"}, path)
        return out

    def orchestrator(self, source: dict[str, Any], timeouts: dict[str, Any]) -> dict[str, Any]:
        out = {k: source[k] for k in ORCHESTRATOR_KEYS if k in source}
        if out.get("final_answer_strategy") not in (None, *STRATEGIES):
            self.drop("orchestrator.final_answer_strategy", f"'{out.pop('final_answer_strategy')}' is not one of {', '.join(STRATEGIES)}")
        paths = []
        for i, entry in enumerate(source.get("context_paths") or []):
            keep = {k: entry[k] for k in ("path", "permission", "protected_paths") if k in entry}
            self.drop_rest(entry, set(keep), f"orchestrator.context_paths[{i}]")
            paths.append(keep)
        if paths:
            out["context_paths"] = paths
        self.drop_rest(source, {*ORCHESTRATOR_KEYS, "context_paths"}, "orchestrator")
        if "orchestrator_timeout_seconds" in timeouts:
            out["turn_timeout_seconds"] = timeouts["orchestrator_timeout_seconds"]
        self.drop_rest(timeouts, {"orchestrator_timeout_seconds"}, "timeout_settings", "mgtui has one per-turn timeout")
        return out


def convert_massgen(source: dict[str, Any]) -> tuple[dict[str, Any], list[Dropped]]:
    """mgtui config data (as written: ${VAR} kept) and what was dropped."""
    conv = _Converter()
    if "agents" in source:
        agents, key = source.get("agents") or [], "agents"
    else:
        agents, key = [source.get("agent") or {}], "agent"
    out_agents = []
    for i, agent in enumerate(agents):
        path = f"agents[{i}]" if key == "agents" else "agent"
        converted = conv.agent(agent, i, path)
        if converted:
            out_agents.append(converted)
    data: dict[str, Any] = {"agents": out_agents}
    orchestrator = conv.orchestrator(source.get("orchestrator") or {}, source.get("timeout_settings") or {})
    if orchestrator:
        data["orchestrator"] = orchestrator
    if isinstance(source.get("hooks"), dict):
        hooks = conv.hooks(source["hooks"], "hooks")
        if hooks:
            data["hooks"] = hooks
    conv.drop_rest(source, {"agents", "agent", "orchestrator", "timeout_settings", "hooks"}, "")
    return data, conv.dropped


def _server_entries(servers: Any, path: str) -> list[tuple[str, Any]]:
    """MassGen writes `mcp_servers` as a list of servers or as a mapping name -> server."""
    if isinstance(servers, dict):
        return [(f"{path}.{name}", {"name": str(name), **server} if isinstance(server, dict) else server) for name, server in servers.items()]
    if isinstance(servers, list):
        return [(f"{path}[{i}]", server) for i, server in enumerate(servers)]
    return [(path, servers)] if servers else []


def import_massgen(text: str, source_name: str = "massgen.yaml") -> ImportResult:
    """Convert MassGen YAML text; the result validates against mgtui's schema (raises ValueError if not,
    ConfigError for YAML that is broken or an alias bomb)."""
    source = load_yaml_data(text, source_name) or {}
    if not isinstance(source, dict):
        raise ValueError("a MassGen config is a mapping with 'agents' or 'agent'")
    data, dropped = convert_massgen(source)
    if not data["agents"]:
        raise ValueError("no agent could be converted: " + "; ".join(f"{d.path}: {d.why}" for d in dropped))
    MgtuiConfig.model_validate(data)  # ${VAR} strings are still plain strings here: the check is on shape only
    header = f"# Imported from {source_name} by `mgtui config import`.\n"
    if dropped:
        header += "# Not carried over:\n" + "".join(f"#   {d.path}: {d.why}\n" for d in dropped)
    return ImportResult(header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True), dropped, data)
