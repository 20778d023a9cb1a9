"""Shared fixtures. LiteLLM's offline switches are set here, before anything imports it."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# Without these LiteLLM downloads its cost map at import time (no internet here).
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")
# Every engine turn in the suite checks that TurnState (what the UI, logs and API read) agrees
# with the engine's ConsensusLedger (mgtui/engine/reducer_check.py).
os.environ["MGTUI_CHECK_REDUCER"] = "1"

# `tests.support` must import under the plain `pytest` script too (cwd not on sys.path).
_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import pytest  # noqa: E402 - after the offline switches and the path fix above

from tests.support.model_server import ModelServer  # noqa: E402


@pytest.fixture(autouse=True)
def _private_ui_state(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app remembers the theme (mgtui/tui/ui_state.py): never in the real home from tests."""
    monkeypatch.setenv("MGTUI_STATE_DIR", str(tmp_path_factory.mktemp("ui-state")))

# Small enough that retry scenarios stay quick, large enough to exercise the backoff path.
FAST_ORCHESTRATOR: dict[str, Any] = {
    "retry_base_seconds": 0.05,
    "retry_max_seconds": 0.2,
    "text_coalesce_ms": 0,
    "turn_timeout_seconds": 60,
}


@pytest.fixture
def model_server() -> Iterator[ModelServer]:
    """A fresh loopback OpenAI-compatible server per test (see tests/support/replies.py)."""
    server = ModelServer().start()
    try:
        yield server
    finally:
        server.stop()
    # A script that raised was answered with HTTP 500: fail loudly instead of passing by luck.
    assert not server.script_errors, "model server script raised:\n" + "\n".join(server.script_errors)


def make_config(server: ModelServer, agent_ids: list[str] | tuple[str, ...] = ("alpha", "beta"), **orchestrator: Any) -> dict[str, Any]:
    """An mgtui config dict whose agents `openai/<id>` all talk to `server`."""
    return {
        "agents": [
            {"id": agent_id, "model": f"openai/{agent_id}", "api_base": server.url, "api_key": "sk-test"}
            for agent_id in agent_ids
        ],
        "orchestrator": {**FAST_ORCHESTRATOR, **orchestrator},
    }


@pytest.fixture
def agent_config(model_server: ModelServer) -> Callable[..., dict[str, Any]]:
    """`agent_config(["alpha", "beta"], max_new_answers_per_agent=1)` -> config dict."""

    def build(agent_ids: list[str] | tuple[str, ...] = ("alpha", "beta"), **orchestrator: Any) -> dict[str, Any]:
        return make_config(model_server, agent_ids, **orchestrator)

    return build
