"""Which team an HTTP request runs, and the teams `GET /v1/models` lists.

Over HTTP the caller is less trusted than in-process code, so requests may pick the
served team, a shipped team or plain model strings, but never read files on the server
(`path:`), set endpoints or keys (agent dicts), or expand `${VAR}` (environment secrets).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mgtui.api_inputs import BUILD, PATH_PREFIX, PROVIDERS, team_from_model_name
from mgtui.config.loader import LoadedConfig


class TeamRequestError(ValueError):
    """A request naming a team it may not have; `status` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def _plain_models(value: Any) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(m, str) and m for m in value):
        raise TeamRequestError("'models' must be a non-empty list of model strings")
    return value


def _no_env(text: str) -> None:
    if "${" in text:
        raise TeamRequestError("${VAR} references are not accepted over HTTP")


def http_team(model: str, body: Mapping[str, Any], default_config: str | None) -> LoadedConfig:
    """The team for a request's `model` (`mgtui`, `mgtui/<name>`, `massgen/...`) and body."""
    provider, _, name = model.partition("/")
    if provider not in PROVIDERS:
        raise TeamRequestError(f"unknown model '{model}': use mgtui, mgtui/<team> or mgtui/build (see GET /v1/models)", 404, "model_not_found")
    if name.startswith(PATH_PREFIX):
        raise TeamRequestError("path: teams are not served over HTTP; start the server with -c PATH instead", 403)
    _no_env(name)
    options: dict[str, Any] = {}
    if body.get("models") is not None:
        if name != BUILD:
            raise TeamRequestError("'models' only goes with the model mgtui/build")
        options["models"] = _plain_models(body["models"])
        for m in options["models"]:
            _no_env(m)
    try:
        return team_from_model_name(name, options, default=default_config)
    except ValueError as exc:  # ConfigError is not a ValueError; the caller maps both
        raise TeamRequestError(str(exc)) from None


def model_list(default_label: str, created: int) -> list[dict[str, Any]]:
    """The served team as `mgtui`, each shipped team as `mgtui/<name>`, and `mgtui/build`."""
    from mgtui.config.shipped import shipped_configs  # noqa: PLC0415

    def entry(model_id: str, description: str) -> dict[str, Any]:
        return {"id": model_id, "object": "model", "created": created, "owned_by": "mgtui", "description": description}

    models = [entry("mgtui", f"the served team: {default_label}")]
    models += [entry(f"mgtui/{c.name}", c.description or f"shipped team @{c.name}") for c in shipped_configs()]
    models.append(entry(f"mgtui/{BUILD}", "a team of one agent per entry of the request's 'models' list"))
    return models
