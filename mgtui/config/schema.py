"""The config's JSON schema, for yaml-language-server and other editors.

Use it with a first line `# yaml-language-server: $schema=./mgtui.schema.json`
after `mgtui config schema -o mgtui.schema.json`.
"""

from __future__ import annotations

import json
from typing import Any

from mgtui.config.models import MgtuiConfig

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def config_json_schema() -> dict[str, Any]:
    schema = MgtuiConfig.model_json_schema()
    schema = {"$schema": SCHEMA_DIALECT, **schema}
    schema["title"] = "mgtui configuration"
    schema.setdefault(
        "description",
        "Agents (LiteLLM model strings) and orchestrator settings for mgtui. Strings may use ${VAR} from the environment.",
    )
    return schema


def config_json_schema_text() -> str:
    return json.dumps(config_json_schema(), indent=2) + "\n"
