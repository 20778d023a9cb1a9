"""Turning API inputs into engine inputs: ids from model names, message lists, history, chunks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mgtui.api import answer_chunks
from mgtui.api_inputs import agent_id_for, agents_from_models, load_team, normalize_history, split_messages, team_from_model_name
from mgtui.config.loader import ConfigError
from mgtui.integrations.litellm import team_options


@pytest.mark.parametrize(
    ("model", "expected"),
    [("openai/gpt-4o-mini", "gpt-4o-mini"), ("ollama_chat/qwen2.5:7b", "qwen2.5-7b"), ("local/smollm2", "smollm2"), ("gpt-4o", "gpt-4o"), ("x/.hidden",
        "hidden")],
)
def test_agent_id_for(model: str, expected: str) -> None:
    assert agent_id_for(model) == expected


def test_agents_from_models_dedupes_and_fills_the_endpoint() -> None:
    agents = agents_from_models(["openai/a", "openai/a", {"model": "openai/b", "api_base": "http://own"}], api_base="http://team", api_key="k")
    assert [a["id"] for a in agents] == ["a", "a-2", "b"]
    assert [a["api_base"] for a in agents] == ["http://team", "http://team", "http://own"]
    assert load_team(None, ["openai/a", "anthropic/a"]).config.agents[1].id == "a-2"


def test_models_replace_config_agents_but_keep_orchestrator() -> None:
    loaded = load_team({"agents": [{"id": "x", "model": "m"}], "orchestrator": {"max_new_answers_per_agent": 1}}, ["openai/y"])
    assert [a.id for a in loaded.config.agents] == ["y"] and loaded.config.orchestrator.max_new_answers_per_agent == 1


def test_split_messages() -> None:
    question, history = split_messages(
        [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "q1"},
            {"role": "assistant", "content": "a1"},
            {"role": "user", "content": [{"type": "text", "text": "q2 "}, {"type": "text", "text": "part two"}]},
            {"role": "user", "content": "more"},
        ]
    )
    assert question == "Be brief.\n\nq2 part two\n\nmore"
    assert history == [("q1", "a1")]
    with pytest.raises(ValueError, match="last message"):
        split_messages([{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}])
    with pytest.raises(ValueError, match="only text"):
        split_messages([{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}])


def test_normalize_history() -> None:
    assert normalize_history([("q", "a")]) == [("q", "a")]
    assert normalize_history([{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]) == [("q", "a")]
    assert normalize_history(None) == []
    with pytest.raises(ValueError, match="pairs"):
        normalize_history([("q", "a", "extra")])


def test_team_from_model_name_forms() -> None:
    assert [a.model for a in team_from_model_name("build", {"model": "openai/m", "num_agents": 3}).config.agents] == ["openai/m"] * 3
    assert team_from_model_name("model:openai/m", {}).config.agents[0].id == "m"
    tuned = team_from_model_name("build", {"models": ["openai/m"], "orchestrator": {"turn_timeout_seconds": 5}})
    assert tuned.config.orchestrator.turn_timeout_seconds == 5
    with pytest.raises(ValueError, match="needs models"):
        team_from_model_name("build", {})
    with pytest.raises(ConfigError, match="no shipped config"):
        team_from_model_name("no-such-team", {})
    with pytest.raises(ConfigError):
        team_from_model_name("build", {"models": ["openai/m"], "orchestrator": {"max_new_answers_per_agent": 0}})


def test_team_options_from_every_place_litellm_puts_them() -> None:
    assert team_options({"models": ["a"], "temperature": 0.2}) == {"models": ["a"]}
    assert team_options({"optional_params": {"models": ["b"], "log_dir": "x"}}) == {"models": ["b"], "log_dir": "x"}
    assert team_options({"extra_body": {"models": ["c"]}}) == {"models": ["c"]}


@pytest.mark.parametrize("text", ["", "short", "word " * 40, "line one\n\nline two  with  spaces\n" * 5, "x" * 200])
def test_answer_chunks_rebuild_the_text(text: str) -> None:
    chunks = answer_chunks(text, size=16)
    assert "".join(chunks) == text
    assert all(len(c) <= 16 or " " not in c.strip() for c in chunks)


def test_import_mgtui_stays_light() -> None:
    code = "import sys, mgtui; heavy = [m for m in ('pydantic', 'litellm', 'mgtui.api') if m in sys.modules]; print(heavy)"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root).stdout.strip()
    assert out == "[]"
