"""Issue 20 item 5: a file a model wrote in the working folder never runs in the engine.

The real engine process is started the way the app starts it (`EngineClient`), from a folder
holding a hostile `argparse.py` and `json.py` (both imported by the service at start-up).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from mgtui.tui import messages as msg
from mgtui.tui.engine_client import EngineClient
from tests.conftest import make_config
from tests.support.model_server import ModelServer

START_TIMEOUT = 120  # a cold engine imports LiteLLM on a loaded 2-core machine

HOSTILE = """
import pathlib
pathlib.Path({marker!r}).write_text("ran")
raise SystemExit("hostile module ran")
"""


class Inbox:
    """Stands in for the screen: collects what the client posts."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    def post_message(self, message: Any) -> bool:
        self.messages.append(message)
        return True


async def test_a_hostile_module_in_the_working_folder_does_not_run(
    model_server: ModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    marker = tmp_path / "pwned"
    for name in ("argparse.py", "json.py"):
        (project / name).write_text(HOSTILE.format(marker=str(marker)))
    config = project / "config.yaml"
    config.write_text(json.dumps(make_config(model_server, ("alpha",))))
    monkeypatch.chdir(project)
    monkeypatch.setenv("PYTHONPATH", ":" + str(tmp_path / "nowhere"))  # an empty entry means the cwd
    inbox = Inbox()
    client = EngineClient(inbox, str(config), log_root=str(tmp_path / "logs"))  # type: ignore[arg-type]
    await client.start()
    try:
        for _ in range(START_TIMEOUT * 10):
            if any(isinstance(m, (msg.EngineReady, msg.EngineDied, msg.EngineError)) for m in inbox.messages):
                break
            await asyncio.sleep(0.1)
        kinds = [type(m).__name__ for m in inbox.messages]
        assert any(isinstance(m, msg.EngineReady) for m in inbox.messages), kinds
    finally:
        await client.stop()
    assert not marker.exists()
