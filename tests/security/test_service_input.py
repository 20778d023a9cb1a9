"""Issue 20 item 8: the engine service process survives hostile command lines.

Against the real `python -m mgtui.engine.service` process: a command line over 16 MiB, a
`write_paths` that is a string, and stdin at /dev/null.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from mgtui.engine.service import MAX_COMMAND_BYTES
from tests.support.model_server import ModelServer
from tests.tui.test_engine_service import LINE_TIMEOUT, ROOT, Service, write_config


async def test_an_oversize_line_is_refused_and_the_service_keeps_reading(model_server: ModelServer, tmp_path: Path) -> None:
    service = await Service.start(write_config(model_server, tmp_path / "c.yaml"), tmp_path / "logs")
    await service.read_until("service_ready")
    assert service.process.stdin is not None
    # One ask whose question alone is over the limit; its tail must not be read as a command.
    huge = json.dumps({"cmd": "ask", "question": "A" * (MAX_COMMAND_BYTES + 1024) + '"} {"cmd": "shutdown'})
    service.process.stdin.write(huge.encode() + b"\n")
    await service.process.stdin.drain()
    service.send(cmd="no-such-command")  # the next line is read as a line of its own
    unknown = await service.read_until("service_error")
    while "no-such-command" not in unknown["message"]:
        unknown = await service.read_until("service_error")
    errors = [line["message"] for line in service.lines if line["type"] == "service_error"]
    assert len(errors) == 2 and "over 16 MiB" in errors[0], errors
    assert not [line for line in service.lines if line["type"] == "turn_started"]
    assert await service.close() == 0


async def test_write_paths_must_be_a_list(model_server: ModelServer, tmp_path: Path) -> None:
    service = await Service.start(write_config(model_server, tmp_path / "c.yaml"), tmp_path / "logs")
    await service.read_until("service_ready")
    for bad in ("/etc", [1, 2], [""], {"path": "/etc"}):
        service.send(cmd="ask", question="write there", write_paths=bad)
        refused = await service.read_until("service_error")
        assert "write_paths must be a list" in refused["message"], refused
    assert await service.close() == 0
    assert not [line for line in service.lines if line["type"] in ("turn_started", "busy")]


def test_stdin_at_dev_null_exits_cleanly(model_server: ModelServer, tmp_path: Path) -> None:
    config = write_config(model_server, tmp_path / "c.yaml")
    done = subprocess.run(
        [sys.executable, "-m", "mgtui.engine.service", "--config", str(config), "--log-root", str(tmp_path / "logs")],
        cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=LINE_TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert json.loads(done.stdout.splitlines()[0])["type"] == "service_ready"


async def test_a_command_split_across_writes_is_one_line(model_server: ModelServer, tmp_path: Path) -> None:
    service = await Service.start(write_config(model_server, tmp_path / "c.yaml"), tmp_path / "logs")
    await service.read_until("service_ready")
    assert service.process.stdin is not None
    for piece in (b'{"cmd": "no-', b"such", b'-command"}\n'):
        service.process.stdin.write(piece)
        await service.process.stdin.drain()
        await asyncio.sleep(0.05)
    error = await service.read_until("service_error")
    assert "no-such-command" in error["message"]
    assert await service.close() == 0
