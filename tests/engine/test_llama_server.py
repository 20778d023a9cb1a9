"""A real model server in the suite (issue 15): three agents on SmolLM2 served by llama.cpp's own
OpenAI-compatible server reach a consensus through `mgtui run`, the way a new user would try it.

One end-to-end run (a 2-core CI machine): the server is started once per test session.
It cuts streams without a finish_reason when requests overlap, and the model mostly answers
in plain text: both used to drop every agent ("no live agent left").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.support.llama_server import LlamaServer, smollm2_weights, why_unavailable

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    reason = why_unavailable()
    if reason is not None:
        pytest.skip(reason)
    weights = smollm2_weights()
    assert weights is not None
    server = LlamaServer(weights).start(tmp_path_factory.mktemp("llama") / "server.log")
    try:
        yield server
    finally:
        server.stop()


def test_three_agents_on_llama_cpp_server_reach_consensus(llama_server: LlamaServer, tmp_path: Path) -> None:
    config = {
        "agents": llama_server.agents(["ada", "bob", "cy"]),
        "orchestrator": {"turn_timeout_seconds": 480, "retry_base_seconds": 0.2, "max_new_answers_per_agent": 1},
    }
    config_path = tmp_path / "llama.yaml"
    config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_OFFLINE_MODE": "true"}
    done = subprocess.run(
        [sys.executable, "-m", "mgtui", "run", "--json", "-c", str(config_path), "--log-dir", str(tmp_path / "logs"),
         "What is the capital of France? Answer in one sentence."],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["status"] == "ok", result
    assert result["winner"] in ("ada", "bob", "cy") and result["final_answer"]
    assert result["dropped"] == []  # every agent stayed in the team
    assert set(result["answers"]) == {"ada", "bob", "cy"}

    events = [json.loads(line) for line in (Path(result["log_dir"]) / "events.jsonl").read_text().splitlines()]
    consensus = [e for e in events if e["type"] == "consensus"]
    assert len(consensus) == 1 and consensus[0]["how"] == "votes"
    assert not [e for e in events if e["type"] == "agent_error" and e["fatal"]]
    votes = [e for e in events if e["type"] == "vote"]
    assert {v["agent"] for v in votes} == {"ada", "bob", "cy"}
    # Whatever the model did not do by itself is marked on its event.
    assert all(e.get("fallback") in (None, "text", "forced", "parsed") for e in events if e["type"] in ("answer", "vote"))
