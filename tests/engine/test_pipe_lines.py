"""Serialise once: the engine process's stdout carries each event as the very line the session
log holds (redacted once), and the UI client reads each line with one parse."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import make_config
from tests.security.test_stream_redaction import SECRET, _leaky_policy
from tests.support.model_server import ModelServer

ROOT = Path(__file__).resolve().parents[2]
LINE_TIMEOUT = 120  # a cold engine imports LiteLLM; generous on a loaded 2-core machine
SERVICE_TYPES = (b'{"type": "service_ready"', b'{"type": "service_error"', b'{"type": "busy"')


async def _turn_over_the_pipe(server: ModelServer, tmp_path: Path) -> tuple[list[bytes], Path]:
    config = tmp_path / "c.yaml"
    config.write_text(json.dumps(make_config(server, ("alpha", "beta"))), encoding="utf-8")
    env = {**os.environ, "MY_SERVICE_API_KEY": SECRET}  # a key-like env var: a secret of the session
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mgtui.engine.service", "--config", str(config), "--log-root", str(tmp_path / "logs"),
        cwd=ROOT, env=env, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )
    assert process.stdin is not None and process.stdout is not None
    lines: list[bytes] = []
    log_dir: Path | None = None
    process.stdin.write(b'{"cmd": "ask", "question": "Capital of France?"}\n')
    while True:
        raw = await asyncio.wait_for(process.stdout.readline(), LINE_TIMEOUT)
        assert raw, "the service exited before the turn finished"
        lines.append(raw)
        if raw.startswith(b'{"type": "service_ready"'):
            log_dir = Path(json.loads(raw)["log_dir"])
        if raw.startswith(b'{"type":"turn_finished"'):
            break
    process.stdin.write(b'{"cmd": "shutdown"}\n')
    assert await asyncio.wait_for(process.wait(), LINE_TIMEOUT) == 0
    assert log_dir is not None
    return lines, log_dir


async def test_pipe_lines_are_the_log_lines_byte_for_byte(model_server: ModelServer, tmp_path: Path) -> None:
    for agent in ("alpha", "beta"):
        model_server.script(agent, _leaky_policy)  # the key streamed in 5-character pieces
    lines, log_dir = await _turn_over_the_pipe(model_server, tmp_path)
    events = [line for line in lines if not line.startswith(SERVICE_TYPES)]
    log = (log_dir / "events.jsonl").read_bytes()
    assert b"".join(events) == log
    assert log.count(b"\n") > 20 and b'"type":"text"' in log  # deltas really went both ways
    assert b"***" in log  # the key was there, and was redacted
    piped = b"".join(lines)
    assert SECRET.encode() not in piped and SECRET[:12].encode() not in piped  # as redacted as the log


def test_the_client_reads_events_and_service_messages_from_lines(monkeypatch) -> None:
    from mgtui.engine.events import TextDelta
    from mgtui.tui import messages as msg
    from mgtui.tui.engine_client import EngineClient

    posted: list[object] = []

    class Target:
        def post_message(self, message: object) -> bool:
            posted.append(message)
            return True

    client = EngineClient(Target(), None)  # type: ignore[arg-type]
    delta = TextDelta(agent="alpha", delta='say "hi"\n', session="s", turn=1)
    with monkeypatch.context() as patch:  # an event line is parsed once, by the event model itself
        patch.setattr(json, "loads", lambda *_a, **_k: pytest.fail("an event line was parsed as plain JSON first"))
        client._handle_line(delta.model_dump_json() + "\n")
    client._handle_line(json.dumps({"type": "service_ready", "session": "s", "log_dir": "/tmp/s", "agents": [{"id": "alpha"}]}) + "\n")
    client._handle_line(json.dumps({"message": "a turn is running", "type": "busy"}) + "\n")  # "type" not first
    client._handle_line(json.dumps({"type": "service_error", "message": "bad"}) + "\n")
    client._handle_line("not json\n")
    client._handle_line('{"type": "no_such_event"}\n')
    kinds = [type(m).__name__ for m in posted]
    assert kinds[1:] == ["EngineReady", "EngineBusy", "EngineError"], kinds
    assert isinstance(posted[2], msg.EngineBusy) and posted[2].text == "a turn is running"
    assert client.session_dir == "/tmp/s"
    assert 'say "hi"' in repr(posted[0])  # the event, parsed from its line


async def test_each_event_is_serialised_once_for_log_and_pipe(model_server: ModelServer, tmp_path: Path, monkeypatch) -> None:
    import io

    from mgtui.engine import events
    from mgtui.engine.service import EngineService

    for agent in ("alpha", "beta"):
        model_server.script(agent, _leaky_policy)
    dumps = 0
    dump = events._Event.model_dump_json

    def counting(self: events._Event, **kwargs: object) -> str:
        nonlocal dumps
        dumps += 1
        return dump(self, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(events._Event, "model_dump_json", counting)
    config = tmp_path / "c.yaml"
    config.write_text(json.dumps(make_config(model_server, ("alpha", "beta"))), encoding="utf-8")
    out = io.StringIO()
    service = EngineService(out, str(config), str(tmp_path / "logs"), None)
    service.open()
    assert service.session is not None
    await service.session.ask("Capital of France?")
    await service.close()
    piped = [line for line in out.getvalue().splitlines(keepends=True) if not line.startswith(tuple(t.decode() for t in SERVICE_TYPES))]
    log = (service.session.dir / "events.jsonl").read_text(encoding="utf-8")
    assert "".join(piped) == log and len(piped) > 20
    assert dumps == len(piped)  # one serialisation per event, shared by the log and the pipe


def test_the_engine_freezes_what_its_imports_left_after_warming_up(tmp_path: Path, model_server: ModelServer) -> None:
    """A full collection walked LiteLLM's ~380k long-lived objects: a stop of every stream of
    ~180 ms whenever one ran. Warm-up freezes them (checked in a fresh engine process)."""
    config = tmp_path / "c.yaml"
    config.write_text(json.dumps(make_config(model_server, ("alpha",))), encoding="utf-8")
    script = (
        "import gc, io, sys, threading\n"
        "from mgtui.engine.service import EngineService\n"
        "service = EngineService(io.StringIO(), sys.argv[1], sys.argv[2], None)\n"
        "service.open(); service.warm_up()\n"
        "for thread in threading.enumerate():\n"
        "    if thread.name == 'warm-up':\n"
        "        thread.join(120)\n"
        "print(gc.get_freeze_count(), 'litellm' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(config), str(tmp_path / "logs")], capture_output=True, text=True, timeout=180, cwd=ROOT)
    frozen, imported = done.stdout.split()
    assert imported == "True" and int(frozen) > 100_000, done.stderr
