"""Broken config files give messages a user can act on: file:line:col, key path, a hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from mgtui.config.loader import ConfigError, load_config_file, load_config_text

GOOD_AGENT = "  - id: a\n    model: openai/gpt-4o-mini\n"

# (file text, the exact messages expected in file order). {f} is the file path.
BROKEN: dict[str, tuple[str, list[str]]] = {
    "yaml_syntax": (
        "agents:\n  - id: a\n    model: [openai/gpt\n",
        ["{f}:4:1: YAML syntax error: expected ',' or ']', but got '<stream end>'"],
    ),
    "bad_indent": (
        "agents:\n  - id: a\n   model: x/y\n",
        ["{f}:3:4: YAML syntax error: expected <block end>, but found '<block mapping start>' (check the indentation)"],
    ),
    "top_level_list": ("- id: a\n", ["{f}:1:1: the top level must be a mapping with an 'agents' list"]),
    "wrong_type": (
        "agents:\n" + GOOD_AGENT + "    temperature: hot\n",
        ["{f}:4:18: agents[0].temperature: Input should be a valid number, unable to parse string as a number"],
    ),
    "out_of_range": (
        "agents:\n" + GOOD_AGENT + "    temperature: 3\n",
        ["{f}:4:18: agents[0].temperature: Input should be less than or equal to 2"],
    ),
    "unknown_key_with_hint": (
        "agents:\n" + GOOD_AGENT + "    tempature: 0.5\n",
        ["{f}:4:5: agents[0].tempature: unknown key 'tempature' (did you mean 'temperature'?)"],
    ),
    "unknown_nested_key": (
        "agents:\n" + GOOD_AGENT + "orchestrator:\n  max_new_answer_per_agent: 2\n",
        [
            "{f}:5:3: orchestrator.max_new_answer_per_agent: unknown key 'max_new_answer_per_agent'"
            " (did you mean 'max_new_answers_per_agent'?)"
        ],
    ),
    "unknown_key_no_hint": (
        "agents:\n" + GOOD_AGENT + "colour: blue\n",
        ["{f}:4:1: colour: unknown key 'colour'"],
    ),
    "missing_env_var": (
        "agents:\n" + GOOD_AGENT + "    api_key: ${MGTUI_TEST_UNSET_KEY}\n",
        ["{f}:4:14: agents[0].api_key: environment variable ${MGTUI_TEST_UNSET_KEY} is not set"],
    ),
    "duplicate_agent_ids": (
        "agents:\n" + GOOD_AGENT + GOOD_AGENT,
        ["{f}:4:9: agents[1].id: duplicate agent id 'a' (first at line 2)"],
    ),
    "zero_agents": ("agents: []\n", ["{f}:1:9: agents: at least one agent is required"]),
    "no_agents_key": ("orchestrator: {}\n", ["{f}:1:1: agents: missing required key 'agents'"]),
    "missing_model": ("agents:\n  - id: a\n", ["{f}:2:5: agents[0].model: missing required key 'model'"]),
    "bad_strategy": (
        "agents:\n" + GOOD_AGENT + "orchestrator:\n  final_answer_strategy: synthesise\n",
        [
            "{f}:5:26: orchestrator.final_answer_strategy: Input should be 'winner_present', 'synthesize'"
            " or 'winner_reuse' (did you mean 'synthesize'?)"
        ],
    ),
    "duplicate_yaml_key": (
        "agents:\n" + GOOD_AGENT + "    temperature: 0.1\n    temperature: 0.9\n",
        ["{f}:5:5: agents[0].temperature: duplicate key 'temperature' (first at line 4)"],
    ),
    "bad_mcp_server": (
        "agents:\n" + GOOD_AGENT + "    mcp_servers:\n      - name: fs\n",
        ["{f}:5:9: agents[0].mcp_servers[0]: a stdio MCP server needs 'command'"],
    ),
    "bad_agent_id": (
        "agents:\n  - id: 'my agent'\n    model: openai/x\n",
        ["{f}:2:9: agents[0].id: String should match pattern '^[A-Za-z0-9_][A-Za-z0-9_.-]*$'"],
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_file_messages(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MGTUI_TEST_UNSET_KEY", raising=False)
    text, expected = BROKEN[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config_file(path)
    assert str(caught.value).splitlines() == [e.replace("{f}", str(path)) for e in expected]


def test_every_issue_of_a_file_is_reported_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MGTUI_TEST_UNSET_KEY", raising=False)
    text = (
        "agents:\n"
        "  - id: a\n"
        "    model: openai/x\n"
        "    tempature: 1\n"
        "  - id: a\n"
        "    model: openai/y\n"
        "    api_key: ${MGTUI_TEST_UNSET_KEY}\n"
        "orchestrator:\n"
        "  max_new_answers_per_agent: 0\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_config_text(text, "team.yaml")
    assert [(i.line, i.path) for i in caught.value.issues] == [
        (4, "agents[0].tempature"),
        (5, "agents[1].id"),
        (7, "agents[1].api_key"),
        (9, "orchestrator.max_new_answers_per_agent"),
    ]


def test_env_var_default_and_secret_tracking(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MGTUI_TEST_KEY", "sk-test-123")
    text = "agents:\n  - id: a\n    model: openai/x\n    api_key: ${MGTUI_TEST_KEY}\n    api_base: ${MGTUI_TEST_BASE:-http://localhost:1}\n"
    loaded = load_config_text(text)
    agent = loaded.config.agents[0]
    assert (agent.api_key, agent.api_base) == ("sk-test-123", "http://localhost:1")
    assert loaded.secrets == {"sk-test-123"}
    assert loaded.raw["agents"][0]["api_key"] == "${MGTUI_TEST_KEY}"


@pytest.mark.parametrize(
    ("model", "warning"),
    [
        ("opnai/gpt-4o", "unknown LiteLLM provider 'opnai' in model 'opnai/gpt-4o' (did you mean 'openai'?)"),
        ("gpt-4o", "model 'gpt-4o' has no provider prefix; LiteLLM will guess one (write e.g. openai/gpt-4o)"),
        ("zzqq/m", "unknown LiteLLM provider 'zzqq' in model 'zzqq/m'"),
    ],
)
def test_unknown_provider_is_a_warning_not_an_error(model: str, warning: str) -> None:
    loaded = load_config_text(f"agents:\n  - id: a\n    model: {model}\n", "w.yaml")
    assert [w.format("w.yaml") for w in loaded.warnings] == [f"w.yaml:3:12: agents[0].model: {warning}"]


@pytest.mark.parametrize("model", ["openai/gpt-4o", "anthropic/claude-x", "openrouter/meta/llama", "ollama_chat/qwen", "local/smollm2", "hosted_vllm/m"])
def test_known_providers_give_no_warning(model: str) -> None:
    assert load_config_text(f"agents:\n  - id: a\n    model: {model}\n").warnings == []


def test_warnings_come_along_with_errors() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config_text("agents:\n  - id: a\n    model: opnai/x\n    temperature: hot\n", "w.yaml")
    assert [i.path for i in caught.value.issues] == ["agents[0].temperature"]
    assert [w.format("w.yaml") for w in caught.value.warnings] == [
        "w.yaml:3:12: agents[0].model: unknown LiteLLM provider 'opnai' in model 'opnai/x' (did you mean 'openai'?)"
    ]
