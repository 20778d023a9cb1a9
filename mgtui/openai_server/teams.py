"""Which team an HTTP request runs, and the teams `GET /v1/models` lists.

Over HTTP the caller is less trusted than in-process code. A request may only pick a team
the server was started with (`mgtui serve -c TEAM ...`), never a shipped team it was not,
never a file on the server (`path:`), never endpoints or keys (agent dicts) or `${VAR}`
(environment secrets). Teams that reach outside the conversation (context paths, agent
workspaces, MCP servers, custom tools, hooks) are refused unless the server was started
with `--allow-tools`; teams built from the request's model strings need `--allow-build`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mgtui.api_inputs import BUILD, MODEL_PREFIX, PATH_PREFIX, PROVIDERS, load_team, team_from_model_name
from mgtui.config.loader import LoadedConfig
from mgtui.config.models import MgtuiConfig

DEFAULT_NAMES = ("", "default")  # `mgtui`, `mgtui/` and `mgtui/default`: the first team


class TeamRequestError(ValueError):
    """A request naming a team it may not have; `status` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


@dataclass(frozen=True)
class OfferedTeam:
    """A team the server was started with: `mgtui/<name>`; `spec` is a path or @NAME (None: discovery)."""

    name: str
    spec: str | None
    label: str


def team_name(arg: str | None, taken: set[str]) -> str:
    """`@council` -> council, `teams/review.yaml` -> review; unique among `taken`."""
    base = "team" if arg is None else arg.removeprefix("@") if arg.startswith("@") else Path(arg).stem or "team"
    name, n = base, 1
    while name in taken or name in (BUILD, *DEFAULT_NAMES):
        n += 1
        name = f"{base}-{n}"
    return name


def tool_uses(config: MgtuiConfig) -> list[str]:
    """What in a team reaches outside the conversation (files, programs, Python code)."""
    o = config.orchestrator
    found = []
    if o.context_paths:
        found.append("context paths (" + ", ".join(p.path for p in o.context_paths) + ")")
    if o.agent_workspaces:
        found.append("agent workspaces")
    for agent in config.agents:
        if agent.mcp_servers:
            found.append(f"MCP servers of {agent.id} (" + ", ".join(s.name for s in agent.mcp_servers) + ")")
        if agent.tools:
            found.append(f"custom tools of {agent.id}")
        if agent.hooks and (agent.hooks.PreToolUse or agent.hooks.PostToolUse):
            found.append(f"hooks of {agent.id}")
    if config.hooks.PreToolUse or config.hooks.PostToolUse:
        found.append("hooks")
    return found


def _plain_models(value: Any) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(m, str) and m for m in value):
        raise TeamRequestError("'models' must be a non-empty list of model strings")
    return value


def _no_env(text: str) -> None:
    if "${" in text:
        raise TeamRequestError("${VAR} references are not accepted over HTTP")


def _built(name: str, body: Mapping[str, Any], allow_build: bool) -> LoadedConfig:
    if not allow_build:
        raise TeamRequestError(f"mgtui/{name}: teams built from model strings are not served here (the server needs --allow-build)", 403, "build_not_allowed")
    options: dict[str, Any] = {}
    if name == BUILD:
        options["models"] = _plain_models(body.get("models"))
        for m in options["models"]:
            _no_env(m)
    return team_from_model_name(name, options)


def http_team(model: str, body: Mapping[str, Any], teams: Sequence[OfferedTeam], *, allow_tools: bool = False, allow_build: bool = False) -> LoadedConfig:
    """The team for a request's `model` (`mgtui`, `mgtui/<name>`, `massgen/...`) and body."""
    provider, _, name = model.partition("/")
    if provider not in PROVIDERS:
        raise TeamRequestError(f"unknown model '{model}': use mgtui or mgtui/<team> (see GET /v1/models)", 404, "model_not_found")
    if name.startswith(PATH_PREFIX):
        raise TeamRequestError("path: teams are not served over HTTP; start the server with -c PATH instead", 403, "team_not_allowed")
    _no_env(name)
    if body.get("models") is not None and name != BUILD:
        raise TeamRequestError("'models' only goes with the model mgtui/build")
    try:
        if name == BUILD or name.startswith(MODEL_PREFIX):
            loaded = _built(name, body, allow_build)
        else:
            team = teams[0] if name in DEFAULT_NAMES and teams else next((t for t in teams if t.name == name), None)
            if team is None:
                served = ", ".join(f"mgtui/{t.name}" for t in teams) or "none"
                message = f"team '{name}' is not served here (served: mgtui = {served}); the server's owner can add it with -c"
                raise TeamRequestError(message, 404, "model_not_found")
            loaded = load_team(team.spec)  # read again per request: edits to the file apply
    except TeamRequestError:
        raise
    except ValueError as exc:  # ConfigError is not a ValueError; the caller maps both
        raise TeamRequestError(str(exc)) from None
    uses = tool_uses(loaded.config)
    if uses and not allow_tools:
        message = f"team '{model}' uses " + "; ".join(uses) + ": not served over HTTP unless the server was started with --allow-tools"
        raise TeamRequestError(message, 403, "team_has_tools")
    return loaded


def model_list(teams: Sequence[OfferedTeam], created: int, allow_build: bool = False) -> list[dict[str, Any]]:
    """The first team as `mgtui`, every team as `mgtui/<name>`, and `mgtui/build` when allowed."""

    def entry(model_id: str, description: str) -> dict[str, Any]:
        return {"id": model_id, "object": "model", "created": created, "owned_by": "mgtui", "description": description}

    models = [entry("mgtui", f"the served team: {teams[0].label}")] if teams else []
    models += [entry(f"mgtui/{t.name}", t.label) for t in teams]
    if allow_build:
        models.append(entry(f"mgtui/{BUILD}", "a team of one agent per entry of the request's 'models' list"))
    return models
