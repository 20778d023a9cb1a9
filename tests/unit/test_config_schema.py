"""`mgtui config schema` is a valid JSON schema that accepts our configs and rejects typos."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from mgtui.cli.config_cmd import main as config_main
from mgtui.config.schema import config_json_schema
from mgtui.config.shipped import data_dir


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = config_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", sorted(data_dir("configs").glob("*.yaml")), ids=lambda p: p.stem)
def test_schema_accepts_shipped_configs_as_written(path: Path) -> None:
    jsonschema.validate(yaml.safe_load(path.read_text()), config_json_schema())


def test_schema_rejects_unknown_keys_like_the_loader() -> None:
    bad = {"agents": [{"id": "a", "model": "openai/x", "tempature": 1}]}
    with pytest.raises(jsonschema.ValidationError, match="tempature"):
        jsonschema.validate(bad, config_json_schema())


def test_cli_prints_and_writes_the_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert config_main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == config_json_schema()
    out = tmp_path / "mgtui.schema.json"
    assert config_main(["schema", "-o", str(out)]) == 0
    assert json.loads(out.read_text()) == config_json_schema()
