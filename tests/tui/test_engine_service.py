"""`python -m mgtui.engine.service`: the JSON-lines protocol the TUI relies on, with real LiteLLM
against the loopback model server."""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mgtui.engine.events import parse_event
from tests.conftest import make_config
from tests.support.model_server import ModelServer
from tests.support.replies import answer_then_vote, text

ROOT = Path(__file__).resolve().parents[2]
LINE_TIMEOUT = 120  # a cold engine imports LiteLLM; generous on a loaded 2-core machine


class Service:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[dict[str, Any]] = []

    @classmethod
    async def start(cls, config: Path, log_root: Path) -> Service:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "mgtui.engine.service", "--config", str(config), "--log-root", str(log_root),
            cwd=ROOT, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )
        return cls(process)

    def send(self, **command: Any) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write((json.dumps(command) + "\n").encode())

    async def read_until(self, kind: str) -> dict[str, Any]:
        assert self.process.stdout is not None
        while True:
            raw = await asyncio.wait_for(self.process.stdout.readline(), LINE_TIMEOUT)
            assert raw, f"the service exited before sending {kind!r}"
            line = json.loads(raw)  # stdout carries nothing but JSON lines
            self.lines.append(line)
            if line.get("type") == kind:
                return line

    async def close(self) -> int:
        self.send(cmd="shutdown")
        return await asyncio.wait_for(self.process.wait(), LINE_TIMEOUT)


def write_config(server: ModelServer, path: Path) -> Path:
    path.write_text(json.dumps(make_config(server, ("alpha", "beta"))), encoding="utf-8")
    return path


async def test_ask_streams_events_and_refuses_a_second_ask(model_server: ModelServer, tmp_path: Path) -> None:
    for name in ("alpha", "beta"):
        model_server.script(name, answer_then_vote(f"{name}: 4", chunk_delay=0.02))
    service = await Service.start(write_config(model_server, tmp_path / "c.yaml"), tmp_path / "logs")
    ready = await service.read_until("service_ready")
    assert [a["id"] for a in ready["agents"]] == ["alpha", "beta"]
    service.send(cmd="ask", question="2+2?")
    service.send(cmd="ask", question="again?")
    service.send(cmd="no-such-command")
    busy = await service.read_until("busy")
    assert "turn is running" in busy["message"]
    finished = await service.read_until("turn_finished")
    assert finished["status"] == "ok"
    assert await service.close() == 0
    assert any(line.get("type") == "service_error" and "no-such-command" in line["message"] for line in service.lines)
    events = [parse_event(line) for line in service.lines if line["type"] not in ("service_ready", "busy", "service_error")]
    assert events[-1].type == "turn_finished"
    # What went over the pipe is what the log holds.
    log = (Path(ready["log_dir"]) / "events.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["type"] for line in log] == [e.type for e in events]


async def test_a_bad_config_is_reported_and_a_reload_recovers(model_server: ModelServer, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("agents: []\nsurprise: 1\n", encoding="utf-8")
    service = await Service.start(bad, tmp_path / "logs")
    error = await service.read_until("service_error")
    assert "bad.yaml" in error["message"]
    service.send(cmd="ask", question="anyone?")
    refused = await service.read_until("service_error")
    assert "no usable config" in refused["message"]
    service.send(cmd="reload", config_path=str(write_config(model_server, tmp_path / "good.yaml")))
    ready = await service.read_until("service_ready")
    assert [a["id"] for a in ready["agents"]] == ["alpha", "beta"]
    assert await service.close() == 0




class RawLines:
    """The service's stdout read in raw chunks: lines of any length, and a look at the line
    still being written. (StreamReader.readline refuses lines over its 64 KiB limit; a larger
    limit would let this side buffer so much that the service never has to wait for it.)"""

    def __init__(self, service: Service) -> None:
        assert service.process.stdout is not None
        self.stdout = service.process.stdout
        self.seen = service.lines
        self.queue: deque[dict[str, Any]] = deque()
        self.buffer = b""  # the start of the line being written

    async def _more(self) -> None:
        chunk = await asyncio.wait_for(self.stdout.read(1 << 14), LINE_TIMEOUT)
        assert chunk, "the service exited"
        *complete, self.buffer = (self.buffer + chunk).split(b"\n")
        self.queue.extend(json.loads(line) for line in complete)

    async def until(self, *kinds: str) -> dict[str, Any]:
        while True:
            while self.queue:
                self.seen.append(line := self.queue.popleft())
                if line["type"] in kinds:
                    return line
            await self._more()

    async def until_writing(self, prefix: bytes) -> None:
        """Read until the line being written starts with `prefix`, then stop reading: the
        service waits in that write (its stdout blocks) until this side reads again."""
        while not (not self.queue and self.buffer.startswith(prefix)):
            self.seen.extend(self.queue)
            self.queue.clear()
            await self._more()


async def test_an_ask_sent_as_the_turn_finishes_starts_the_next_turn(model_server: ModelServer, tmp_path: Path) -> None:
    """The service tidies a turn up after turn_finished has gone out (here: it reaps the
    cancelled agents); an ask that arrives then is the next question, not a "busy" one to drop.

    Deterministic: the test stops reading in the middle of the long turn_finished line, so the
    service sits in that write (its stdout blocks) while the ask waits on its stdin."""
    partial = "Let me think about this at length. " * 20_000  # 700 KB: more than the pipe and this side hold
    hold = threading.Event()  # never set: beta's reply never starts
    model_server.script("alpha", text(partial, chunk_size=4096, fail_after=10**6, failure="hang"))  # all of it, then hangs
    model_server.script("beta", text("never sent", hold=hold))
    service = await Service.start(write_config(model_server, tmp_path / "c.yaml"), tmp_path / "logs")
    out = RawLines(service)
    await out.until("service_ready")
    service.send(cmd="ask", question="first?")
    streamed = 0
    while streamed < len(partial):  # all of alpha's text is out; alpha hangs now
        line = await out.until("text")
        streamed += len(line["delta"]) if line.get("agent") == "alpha" else 0
    for name in ("alpha", "beta"):
        model_server.script(name, answer_then_vote(f"{name}: 4"))
    service.send(cmd="cancel")
    await out.until_writing(b'{"type":"turn_finished"')
    service.send(cmd="ask", question="second?")  # while the service is still in turn_finished's write
    finished = await out.until("turn_finished")
    assert finished["status"] == "cancelled" and finished["partial"]["alpha"] == partial.strip()
    started = await out.until("turn_started", "busy")
    assert started["type"] == "turn_started" and started["question"] == "second?"
    assert (await out.until("turn_finished"))["status"] == "ok"
    assert await service.close() == 0


async def _edit_until_notice(service: Service, config: Path, content: Callable[[int], str]) -> dict[str, Any]:
    """Save the config until the service announces it. The first save can come before its
    watcher is up (it starts after service_ready), so a save it missed is made again, changed."""
    for attempt in range(12):
        config.write_text(content(attempt), encoding="utf-8")
        try:
            return await asyncio.wait_for(service.read_until("notice"), 5)
        except TimeoutError:
            continue
    raise AssertionError("the service never announced the edited config")


async def test_an_edited_config_is_announced_and_applies_from_the_next_turn(model_server: ModelServer, tmp_path: Path) -> None:
    for name in ("alpha", "beta"):
        model_server.script(name, answer_then_vote(f"{name}: 4"))
    config = write_config(model_server, tmp_path / "team.yaml")
    service = await Service.start(config, tmp_path / "logs")
    await service.read_until("service_ready")

    def alpha_alone(attempt: int) -> str:
        return json.dumps(make_config(model_server, ("alpha",), turn_timeout_seconds=60 + attempt))

    changed = await _edit_until_notice(service, config, alpha_alone)
    assert changed["level"] == "info"
    assert changed["message"] == f"config {config} changed: applies from the next turn"
    invalid = await _edit_until_notice(service, config, lambda attempt: "agents: [\n" + "#\n" * attempt)
    assert invalid["level"] == "warning"
    assert invalid["message"].startswith(f"config {config} changed but is invalid (keeping the last good one):")
    assert "team.yaml" in invalid["message"].split("\n", 1)[1]  # the error says where

    service.send(cmd="ask", question="2+2?")
    finished = await service.read_until("turn_finished")
    assert finished["status"] == "ok"
    started = [line["agent"] for line in service.lines if line["type"] == "agent_started"]
    assert started and set(started) == {"alpha"}  # the last good config: beta is gone
    assert await service.close() == 0
