"""`mgtui config validate | init | show`: exit codes, every error, secrets never printed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mgtui.cli.config_cmd import main as config_main
from mgtui.config.loader import load_config_file, load_config_text
from mgtui.config.starter import LOCAL_MODEL, starter_config

KEY_VARS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "XAI_API_KEY", "DEEPSEEK_API_KEY",
            "MISTRAL_API_KEY", "GROQ_API_KEY", "OPENROUTER_API_KEY")


@pytest.fixture
def no_keys(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for var in KEY_VARS:
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


def test_validate_reports_every_file_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("agents:\n  - id: a\n    model: opnai/x\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("agents:\n  - id: a\n    model: openai/x\n    tempature: 1\n    max_tokens: -5\n")
    assert config_main(["validate", str(good), str(bad), "@cloud"]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"ok: {good} (1 agent: a)", f"invalid: {bad} (2 errors)", "ok: @cloud (shipped) (3 agents: gpt, claude, gemini)"]
    assert err.splitlines() == [
        f"warning: {good}:3:12: agents[0].model: unknown LiteLLM provider 'opnai' in model 'opnai/x' (did you mean 'openai'?)",
        f"error: {bad}:4:5: agents[0].tempature: unknown key 'tempature' (did you mean 'temperature'?)",
        f"error: {bad}:5:17: agents[0].max_tokens: Input should be greater than 0",
    ]
    assert config_main(["validate", str(good)]) == 0


@pytest.mark.parametrize(
    ("keys", "models"),
    [
        ({}, [LOCAL_MODEL] * 3),
        ({"GEMINI_API_KEY": "g"}, ["gemini/gemini-2.5-flash"] * 3),
        ({"OPENAI_API_KEY": "o", "OPENROUTER_API_KEY": "r"}, ["openai/gpt-5-mini", "openrouter/meta-llama/llama-3.3-70b-instruct"]),
        (
            {"ANTHROPIC_API_KEY": "a", "OPENAI_API_KEY": "o", "GEMINI_API_KEY": "g", "GROQ_API_KEY": "q"},
            ["openai/gpt-5-mini", "anthropic/claude-sonnet-4-5", "gemini/gemini-2.5-flash"],
        ),
    ],
)
def test_starter_picks_models_from_the_keys_present(keys: dict[str, str], models: list[str], no_keys: pytest.MonkeyPatch) -> None:
    for var, value in keys.items():
        no_keys.setenv(var, value)
    text = starter_config(keys)
    loaded = load_config_text(text)
    assert [a.model for a in loaded.config.agents] == models
    assert loaded.warnings == []
    for value in keys.values():  # keys are referenced, never written
        assert f": {value}\n" not in text
    assert all(a["api_key"].startswith("${") for a in yaml.safe_load(text)["agents"] if "api_key" in a)


def test_init_writes_project_config_and_refuses_to_overwrite(
    tmp_path: Path, no_keys: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    no_keys.chdir(tmp_path)
    no_keys.setenv("ANTHROPIC_API_KEY", "sk-ant-secret")
    assert config_main(["init"]) == 0
    written = tmp_path / ".mgtui" / "config.yaml"
    loaded = load_config_file(written)
    assert {a.model for a in loaded.config.agents} == {"anthropic/claude-sonnet-4-5"}
    assert "sk-ant-secret" not in written.read_text()

    written.write_text("# mine\n")
    assert config_main(["init"]) == 1
    assert "exists; use --force" in capsys.readouterr().err
    assert written.read_text() == "# mine\n"
    assert config_main(["init", "--force"]) == 0
    assert written.read_text() != "# mine\n"

    other = tmp_path / "elsewhere.yaml"
    assert config_main(["init", str(other)]) == 0
    load_config_file(other)


def test_show_prints_the_active_config_with_secrets_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MGTUI_TEST_SECRET", "sk-very-secret")
    project = tmp_path / ".mgtui" / "config.yaml"
    project.parent.mkdir()
    project.write_text(
        "agents:\n"
        "  - {id: a, model: openai/x, api_key: '${MGTUI_TEST_SECRET}'}\n"
        "  - {id: b, model: openai/y, api_key: sk-literal-key}\n"
    )
    assert config_main(["show"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# active config: ./.mgtui/config.yaml\n")
    assert "${MGTUI_TEST_SECRET}" in out
    assert "sk-very-secret" not in out and "sk-literal-key" not in out


def test_config_commands_never_import_litellm_or_textual() -> None:
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from mgtui.cli import main\n"
        "assert main(['config', 'validate', '@cloud']) == 0\n"
        "heavy = sorted(m for m in ('litellm', 'textual') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", probe], cwd=root, check=True, capture_output=True)
