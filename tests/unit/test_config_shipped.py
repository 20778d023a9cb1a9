"""Every shipped example validates, has a description, and `config list` shows it."""

from __future__ import annotations

import pytest

from mgtui.cli.config_cmd import main as config_main
from mgtui.config.loader import load_config_file
from mgtui.config.shipped import data_dir, shipped_configs

SHIPPED = sorted(p.stem for p in data_dir("configs").glob("*.yaml"))
# Issue 7 asks for these; local and ollama come from the local-model work and are checked too.
REQUIRED = {"cloud", "openrouter", "mcp-tools", "project", "council"}


def test_the_required_examples_ship() -> None:
    assert REQUIRED <= set(SHIPPED)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_config_validates_without_warnings(name: str) -> None:
    loaded = load_config_file(data_dir("configs") / f"{name}.yaml")
    assert loaded.warnings == []
    assert loaded.config.description, "config list shows the description: every example needs one"


def test_council_uses_synthesize_and_project_uses_context_paths() -> None:
    by_name = {c.name: load_config_file(c.path).config for c in shipped_configs()}
    assert by_name["council"].orchestrator.final_answer_strategy == "synthesize"
    assert by_name["council"].orchestrator.coordination == "council"
    large = by_name["large_team"]
    assert len(large.agents) == 16 and large.orchestrator.visibility == "neighbours"
    assert {p.permission for p in by_name["project"].orchestrator.context_paths} == {"read", "write"}
    assert all(a.mcp_servers for a in by_name["mcp-tools"].agents)


def test_config_list_prints_names_and_descriptions(capsys: pytest.CaptureFixture[str]) -> None:
    assert config_main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [f"@{n}" for n in SHIPPED]
    council = next(line for line in lines if line.startswith("@council"))
    assert council.split(None, 1)[1] == load_config_file(data_dir("configs") / "council.yaml").config.description
