"""`mgtui config init`: a starter config built from the API keys this machine has."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import yaml

LOCAL_MODEL = "local/smollm2"


@dataclass(frozen=True)
class ProviderChoice:
    env_var: str
    agent_id: str
    model: str


# In order of preference; each provider present contributes one agent (up to MAX_AGENTS).
PROVIDERS: tuple[ProviderChoice, ...] = (
    ProviderChoice("OPENAI_API_KEY", "gpt", "openai/gpt-5-mini"),
    ProviderChoice("ANTHROPIC_API_KEY", "claude", "anthropic/claude-sonnet-4-5"),
    ProviderChoice("GEMINI_API_KEY", "gemini", "gemini/gemini-2.5-flash"),
    ProviderChoice("XAI_API_KEY", "grok", "xai/grok-4"),
    ProviderChoice("DEEPSEEK_API_KEY", "deepseek", "deepseek/deepseek-chat"),
    ProviderChoice("MISTRAL_API_KEY", "mistral", "mistral/mistral-small-latest"),
    ProviderChoice("GROQ_API_KEY", "groq", "groq/llama-3.3-70b-versatile"),
    ProviderChoice("OPENROUTER_API_KEY", "openrouter", "openrouter/meta-llama/llama-3.3-70b-instruct"),
)
MAX_AGENTS = 3
# With a single provider, diversity comes from sampling: three temperatures.
SOLO_TEMPERATURES = (0.3, 0.7, 1.0)

HEADER = """\
# mgtui configuration (written by `mgtui config init`).
# Editor completion: `mgtui config schema -o mgtui.schema.json`, then add as the first line
#   # yaml-language-server: $schema=./mgtui.schema.json
# Keys are read from the environment: ${VAR} is never written back out or logged.
"""


def _agents(env: Mapping[str, str]) -> list[dict[str, object]]:
    present = [p for p in PROVIDERS if env.get(p.env_var)]
    if len(present) >= 2:
        return [{"id": p.agent_id, "model": p.model, "api_key": f"${{{p.env_var}}}"} for p in present[:MAX_AGENTS]]
    if present:
        p = present[0]
        return [
            {"id": f"{p.agent_id}{i}", "model": p.model, "api_key": f"${{{p.env_var}}}", "temperature": t}
            for i, t in enumerate(SOLO_TEMPERATURES, start=1)
        ]
    return [{"id": f"local{i}", "model": LOCAL_MODEL, "temperature": t} for i, t in enumerate(SOLO_TEMPERATURES, start=1)]


def starter_config(env: Mapping[str, str]) -> str:
    """YAML text of a valid starter config for the keys set in `env`."""
    agents = _agents(env)
    providers = sorted({str(a["model"]).split("/")[0] for a in agents})
    data = {
        "description": f"Starter team: {len(agents)} agents on {', '.join(providers)}",
        "agents": agents,
        "orchestrator": {"max_new_answers_per_agent": 3, "turn_timeout_seconds": 600, "final_answer_strategy": "winner_present"},
    }
    return HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
