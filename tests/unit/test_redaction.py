"""Secrets are redacted once, before the log and every consumer (screen, traces, API) see them."""

import json
from pathlib import Path

from mgtui.config.loader import config_from_data
from mgtui.engine.events import ToolResult
from mgtui.engine.logwriter import Redactor
from mgtui.engine.session import Session


def test_json_escaped_forms_of_a_secret_are_redacted_too() -> None:
    secret = 'sk-"quoted"\\ünï'
    redact = Redactor([secret])
    for text in (json.dumps({"v": secret}), json.dumps({"v": secret}, ensure_ascii=False), secret):
        assert "quoted" not in redact(text)


def test_sinks_get_the_redacted_event_not_the_raw_one(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MY_SERVICE_API_KEY", "env-secret-0123456789")
    loaded = config_from_data({"agents": [{"id": "a", "model": "openai/x", "api_key": "sk-literal-secret-42"}]})
    seen: list = []
    session = Session(loaded, log_root=tmp_path, sink=seen.append)
    session.emit(ToolResult(agent="a", name="read_file", result="key=sk-literal-secret-42 env=env-secret-0123456789"))
    session.close()
    (event,) = seen
    assert "secret" not in event.result and event.result.count("***") == 2
    log = (tmp_path / session.id / "events.jsonl").read_text()
    assert "sk-literal" not in log and "env-secret" not in log
