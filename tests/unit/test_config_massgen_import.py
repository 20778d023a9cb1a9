"""MassGen configs (written from its documented schema) convert, and what is dropped is listed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mgtui.cli.config_cmd import main as config_main
from mgtui.config.loader import load_config_text
from mgtui.config.massgen_import import ImportResult, import_massgen

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "massgen"


def _import(name: str) -> ImportResult:
    return import_massgen((FIXTURES / name).read_text(), name)


def _dropped(result: ImportResult) -> dict[str, str]:
    return {d.path: d.why for d in result.dropped}


def test_three_agents_default() -> None:
    result = _import("three_agents_default.yaml")
    config = load_config_text(result.yaml_text).config  # the output is a valid mgtui config
    assert [(a.id, a.model) for a in config.agents] == [
        ("agent_a", "gemini/gemini-3-flash-preview"),
        ("agent_b", "openai/gpt-5.4"),
        ("agent_c", "xai/grok-4-1-fast-reasoning"),
    ]
    assert config.agents[1].params == {"reasoning_effort": "low"}
    assert config.orchestrator.max_new_answers_per_agent == 5
    assert config.orchestrator.turn_timeout_seconds == 1800
    dropped = _dropped(result)
    assert "agents[0].backend.enable_web_search" in dropped
    assert "agents[1].backend.text" in dropped
    assert "orchestrator.coordination" in dropped
    assert dropped["timeout_settings.round_timeout_grace_seconds"] == "mgtui has one per-turn timeout"
    assert "ui" in dropped
    # The file itself says what was left behind.
    assert "#   orchestrator.snapshot_storage: no mgtui equivalent" in result.yaml_text
    assert dropped["agents[0].backend.cwd"].startswith("agents have no private workspace")


def test_skills_config_drops_the_claude_code_agent_with_a_reason() -> None:
    result = _import("skills_existing_filesystem.yaml")
    config = load_config_text(result.yaml_text).config
    assert [(a.id, a.model) for a in config.agents] == [("agent_a", "openai/gpt-5-codex")]
    assert [(p.path, p.permission) for p in config.orchestrator.context_paths] == [("massgen", "read")]
    assert "claude_code" in _dropped(result)["agents[1]"]
    assert "orchestrator.skills_directory" in _dropped(result)


def test_local_servers_mcp_and_hooks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant")
    monkeypatch.setenv("EXA_API_KEY", "exa")
    result = _import("local_models_with_tools.yaml")
    config = load_config_text(result.yaml_text).config
    vllm, lmstudio, claude = config.agents
    assert (vllm.model, vllm.api_base, vllm.temperature) == ("openai/Qwen/Qwen2.5-7B-Instruct", "http://localhost:8000/v1", 0.6)
    assert vllm.system_message == "You are a careful analyst."
    assert (lmstudio.model, lmstudio.api_base) == ("openai/llama-3.2-3b-instruct", "http://localhost:1234/v1")
    assert (claude.model, claude.max_tokens) == ("anthropic/claude-sonnet-4-5", 4096)
    assert [s.name for s in claude.mcp_servers] == ["exa_search"]
    # Secrets stay references in the written file.
    written = yaml.safe_load(result.yaml_text)
    assert written["agents"][2]["api_key"] == "${ANTHROPIC_API_KEY}"
    assert written["agents"][2]["mcp_servers"][0]["env"] == {"EXA_API_KEY": "${EXA_API_KEY}"}
    assert config.orchestrator.final_answer_strategy == "synthesize"
    assert config.orchestrator.turn_timeout_seconds == 900
    assert config.orchestrator.context_paths[0].protected_paths == ["README.md"]
    hook = config.hooks.PreToolUse[0]
    assert (hook.matcher, hook.handler, hook.timeout, hook.fail_closed) == ("Write|Edit", "my_hooks:block_secrets", 10, True)
    dropped = _dropped(result)
    assert "sse" in dropped["agents[2].backend.mcp_servers[1]"]
    assert {"agents[2].backend.mcp_servers[0].security", "agents[2].voting_sensitivity", "orchestrator.voting_sensitivity"} <= set(dropped)


def test_single_agent_form_and_unsupported_only(tmp_path: Path) -> None:
    single = import_massgen("agent:\n  id: solo\n  backend: {type: together, model: meta-llama/Llama-3-70b}\n")
    assert single.data["agents"] == [{"id": "solo", "model": "together_ai/meta-llama/Llama-3-70b"}]
    with pytest.raises(ValueError, match="codex"):
        import_massgen("agents:\n  - id: c\n    backend: {type: codex, model: gpt-5-codex}\n")


def test_cli_import_writes_file_and_lists_dropped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "team.yaml"
    assert config_main(["import", str(FIXTURES / "skills_existing_filesystem.yaml"), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "not carried over: agents[1]: backend type 'claude_code'" in err
    assert load_config_text(out.read_text()).config.agents[0].id == "agent_a"
    assert config_main(["import", str(FIXTURES / "skills_existing_filesystem.yaml"), "-o", str(out)]) == 1
