"""`mgtui serve` with a council team: the chairman's streamed answer is the reply."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openai
import pytest
import yaml

from mgtui.cli import serve_cmd
from tests.api.test_serve import ROOT, _wait_for_url
from tests.conftest import make_config
from tests.engine.test_council import council_member
from tests.support.model_server import ModelServer

# The OpenAI-compatible server needs the `serve` extra; without it these tests skip, not error.
for _module in ("fastapi", "uvicorn"):
    pytest.importorskip(_module, reason="the 'serve' extra (fastapi, uvicorn) is not installed: pip install 'mgtui[serve]'")


def test_a_council_team_serves_the_chairmans_answer(tmp_path: Path) -> None:
    with ModelServer() as models:
        for name in ("alpha", "beta"):
            models.script(name, council_member(f"{name} says: iron oxide.", ["agent2", "agent1"], final=f"Chaired by {name}: iron oxide dust."))
        config = tmp_path / "council.yaml"
        config.write_text(yaml.safe_dump(make_config(models, coordination="council")), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k != serve_cmd.DEFAULT_KEY_ENV}
        env.update(PYTHONPATH=str(ROOT))
        command = [sys.executable, "-m", "mgtui", "serve", "--port", "0", "-c", str(config), "--log-dir", str(tmp_path / "logs")]
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        try:
            client = openai.OpenAI(base_url=_wait_for_url(process, timeout=120), api_key="unused", max_retries=0)
            stream = client.chat.completions.create(model="mgtui", messages=[{"role": "user", "content": "Why is Mars red?"}], stream=True)
            text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
            reply = client.chat.completions.create(model="mgtui", messages=[{"role": "user", "content": "Why is Mars red?"}])
        finally:
            process.terminate()
            process.wait(timeout=30)
    assert text == "Chaired by beta: iron oxide dust."
    assert reply.choices[0].message.content == "Chaired by beta: iron oxide dust."
    assert [r for r in models.requests if "rank" in r.tool_names]  # the stages really ran
