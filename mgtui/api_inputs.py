"""What API callers hand us, turned into engine inputs: teams (configs, model lists, `mgtui/…`
model names) and conversations (history pairs, OpenAI-style message lists).

Shared by the Python API, the LiteLLM provider and the HTTP server so that all three
accept the same things and fail with the same messages.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mgtui.config.loader import ConfigError, ConfigIssue, LoadedConfig, config_from_data
from mgtui.config.models import MgtuiConfig, OrchestratorConfig

ConfigSpec = str | os.PathLike[str] | Mapping[str, Any] | MgtuiConfig | LoadedConfig | None
ModelSpec = str | Mapping[str, Any]
HistorySpec = Sequence[tuple[str, str]] | Sequence[Mapping[str, Any]] | None

# LiteLLM provider names of a team (`massgen/` lets MassGen users switch with one import)
PROVIDERS = ("mgtui", "massgen")
# `mgtui/<name>` forms besides shipped config names
BUILD, MODEL_PREFIX, PATH_PREFIX = "build", "model:", "path:"
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


# -- teams ---------------------------------------------------------------------------------


def agent_id_for(model: str) -> str:
    """A readable agent id from a model string: `openai/gpt-4o-mini` -> `gpt-4o-mini`."""
    tail = model.rstrip("/").rsplit("/", 1)[-1]
    cleaned = _ID_UNSAFE.sub("-", tail).strip("-.") or "agent"
    return cleaned if re.match(r"[A-Za-z0-9_]", cleaned) else f"a{cleaned}"


def agents_from_models(models: Sequence[ModelSpec], *, api_base: str | None = None, api_key: str | None = None) -> list[dict[str, Any]]:
    """One agent per entry (a model string or an agent dict); ids unique in list order.

    `api_base`/`api_key` fill in for agents that do not set their own (LiteLLM's top-level
    arguments of a `mgtui/build` call mean "use this endpoint for the team").
    """
    if isinstance(models, (str, Mapping)) or not models:
        raise ValueError("models must be a non-empty list of model strings or agent dicts")
    agents: list[dict[str, Any]] = []
    taken: set[str] = set()
    for spec in models:
        agent = {"model": spec} if isinstance(spec, str) else dict(spec)
        if "model" not in agent:
            raise ValueError(f"agent {spec!r} has no 'model'")
        base = str(agent.get("id") or agent_id_for(str(agent["model"])))
        agent_id, n = base, 1
        while agent_id in taken:
            n += 1
            agent_id = f"{base}-{n}"
        taken.add(agent_id)
        agent["id"] = agent_id
        if api_base and not agent.get("api_base"):
            agent["api_base"] = api_base
        if api_key and not agent.get("api_key"):
            agent["api_key"] = api_key
        agents.append(agent)
    return agents


def _with_agents(loaded: LoadedConfig, agents: list[dict[str, Any]]) -> LoadedConfig:
    """`loaded` with its agents replaced (orchestrator settings kept)."""
    built = config_from_data({"agents": agents})
    config = loaded.config.model_copy(update={"agents": built.config.agents})
    return LoadedConfig(config=config, path=loaded.path, secrets=loaded.secrets | built.secrets, raw={**loaded.raw, "agents": agents})


def with_orchestrator(loaded: LoadedConfig, overrides: Mapping[str, Any]) -> LoadedConfig:
    """`loaded` with some orchestrator settings changed (validated like a config file)."""
    if not overrides:
        return loaded
    try:
        settings = OrchestratorConfig.model_validate({**loaded.config.orchestrator.model_dump(), **overrides})
    except ValueError as exc:
        raise ConfigError("<orchestrator>", [ConfigIssue(str(exc))]) from None
    config = loaded.config.model_copy(update={"orchestrator": settings})
    raw = {**loaded.raw, "orchestrator": {**(loaded.raw.get("orchestrator") or {}), **overrides}}
    return LoadedConfig(config=config, path=loaded.path, secrets=loaded.secrets, raw=raw, warnings=loaded.warnings)


def load_team(
    config: ConfigSpec = None,
    models: Sequence[ModelSpec] | None = None,
    *,
    cwd: Path | None = None,
    api_base: str | None = None,
    api_key: str | None = None,
) -> LoadedConfig:
    """The team to run. `config`: a path, `@NAME`, a dict, an MgtuiConfig or a LoadedConfig;
    None means the usual discovery (project, user, built-in default) unless `models` is given.
    `models` alone builds a team of one agent per model; with `config` it replaces its agents.
    """
    agents = agents_from_models(models, api_base=api_base, api_key=api_key) if models is not None else None
    if config is None and agents is not None:
        return config_from_data({"agents": agents})
    if isinstance(config, LoadedConfig):
        loaded = config
    elif isinstance(config, (MgtuiConfig, Mapping)):
        loaded = config_from_data(config if isinstance(config, MgtuiConfig) else dict(config))
    else:
        from mgtui.config.discovery import resolve_config  # noqa: PLC0415 - platformdirs only when needed

        loaded = resolve_config(os.fspath(config) if config is not None else None, cwd or Path.cwd()).loaded
    return _with_agents(loaded, agents) if agents is not None else loaded


def team_from_model_name(
    name: str,
    options: Mapping[str, Any],
    *,
    default: ConfigSpec = None,
    api_base: str | None = None,
    api_key: str | None = None,
    cwd: Path | None = None,
) -> LoadedConfig:
    """The team a `mgtui/<name>` model string stands for (the provider prefix already removed).

    `build` (team from options `models`/`agents`, or `model` x `num_agents`), `model:<m>`
    (one agent), `path:<config.yaml>`, `default` or "" (`default`, else discovery), or the
    name of a shipped config. Options `orchestrator` override settings for any form.
    """
    if name == BUILD:
        models = options.get("models") or options.get("agents")
        if models is None and options.get("model"):
            models = [options["model"]] * int(options.get("num_agents") or 1)
        if not models:
            raise ValueError("mgtui/build needs models=[...] (model strings or agent dicts)")
        loaded = load_team(None, models, api_base=api_base, api_key=api_key)
    elif name.startswith(MODEL_PREFIX):
        loaded = load_team(None, [name[len(MODEL_PREFIX) :]], api_base=api_base, api_key=api_key)
    elif name.startswith(PATH_PREFIX):
        loaded = load_team(name[len(PATH_PREFIX) :], cwd=cwd)
    elif name in ("", "default"):
        loaded = load_team(default, cwd=cwd)
    else:
        loaded = load_team(f"@{name}", cwd=cwd)
    return with_orchestrator(loaded, options.get("orchestrator") or {})


# -- conversations -----------------------------------------------------------------------------


def message_text(message: Mapping[str, Any]) -> str:
    """The text of an OpenAI-style message; teams take text only."""
    content = message.get("content")
    if content is None or isinstance(content, str):
        return content or ""
    parts = []
    for part in content:
        if not isinstance(part, Mapping) or part.get("type") != "text":
            kind = part.get("type") if isinstance(part, Mapping) else type(part).__name__
            raise ValueError(f"only text message content is supported (got a '{kind}' part)")
        parts.append(str(part.get("text", "")))
    return "".join(parts)


def _pairs(messages: Sequence[Mapping[str, Any]]) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """(question, answer) pairs, the user texts after the last answer, and system texts."""
    pairs: list[tuple[str, str]] = []
    pending: list[str] = []
    system: list[str] = []
    for message in messages:
        role = message.get("role")
        if role in ("system", "developer"):
            system.append(message_text(message))
        elif role == "user":
            pending.append(message_text(message))
        elif role == "assistant":
            pairs.append(("\n\n".join(pending), message_text(message)))
            pending = []
        # tool messages carry nothing a team can use: the engine runs its own tools
    return pairs, pending, system


def split_messages(messages: Sequence[Mapping[str, Any]]) -> tuple[str, list[tuple[str, str]]]:
    """An OpenAI message list -> (question, history).

    The question is the user text after the last assistant message; system messages
    (wherever they are) go in front of it, since agents keep their own system prompts.
    """
    if not messages:
        raise ValueError("messages must not be empty")
    pairs, pending, system = _pairs(messages)
    if not pending or not "".join(pending).strip():
        raise ValueError("the last message must be a user message with the question")
    return "\n\n".join([*(s for s in system if s), *pending]), pairs


def normalize_history(history: HistorySpec) -> list[tuple[str, str]]:
    """(question, answer) pairs from pairs or from OpenAI-style messages."""
    if not history:
        return []
    if all(isinstance(item, Mapping) for item in history):
        pairs, pending, _system = _pairs(history)  # type: ignore[arg-type]
        if pending:
            raise ValueError("history ends with a user message that has no answer")
        return pairs
    out = []
    for item in history:
        if isinstance(item, Mapping) or len(item) != 2:
            raise ValueError("history must be (question, answer) pairs or a list of OpenAI-style messages")
        out.append((str(item[0]), str(item[1])))
    return out
