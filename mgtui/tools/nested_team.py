"""A nested mgtui team as a tool (see configs/nested_team.yaml): the outer agent asks a
question, a whole inner team answers, votes and presents, and the final answer comes back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mgtui.config.loader import LoadedConfig, config_from_data, load_config_file
from mgtui.config.shipped import shipped_config


def _load(config: str | dict[str, Any]) -> LoadedConfig:
    if isinstance(config, dict):
        return config_from_data(config)
    shipped = shipped_config(config) if config.startswith("@") else None
    return load_config_file(shipped.path if shipped else Path(config))


async def ask_team(question: str, *, config: str | dict[str, Any] = "@council") -> str:
    """Ask a team of agents; they discuss, vote, and the winner's final answer is returned.

    Args:
        question: The complete question for the team (it sees nothing else).
        config: (bound in the config, never chosen by the model) the team's config:
            a path, an @shipped name, or an inline config mapping.
    """
    from mgtui.engine.session import Session  # the engine imports the tools package

    session = Session(_load(config))
    try:
        result = await session.ask(question)
    finally:
        await session.aclose()
    if result.final_answer:
        return result.final_answer
    return f"The team did not finish ({result.status}): {result.error or 'no final answer'}. Log: {result.log_dir}"
