"""The UI side of the engine process: start it, send JSON-line commands, read its events.

The engine runs as `python -m mgtui.engine.service` so LiteLLM never loads in the UI
process. Its stdout is read by a plain asyncio task on the app's loop (as Toad reads its
agents); each line becomes a Textual message through `mgtui.tui.messages.post_event`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import signal
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from textual import log
from textual.message_pump import MessagePump

from mgtui.pyproc import module_command, pythonpath_with
from mgtui.tui import messages as msg

STDERR_LINES = 40  # kept to explain a crash
STOP_GRACE_SECONDS = 3.0
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
# The service writes its own messages with "type" first (mgtui/engine/service.py `write`, json.dumps
# spacing; events have none). Any other spelling still works, through the slower fallback.
_SERVICE_PREFIXES = ('{"type": "service_ready"', '{"type": "service_error"', '{"type": "busy"')


@functools.cache
def _event_reader() -> tuple[Callable[[str], Any], type[Exception]]:
    """parse_event and its error, imported on the first event (pydantic stays off the first
    frame's path) and not looked up again per line: a busy turn sends thousands."""
    from pydantic import ValidationError

    from mgtui.engine.events import parse_event

    return parse_event, ValidationError


def _kill_group(leader: int) -> None:
    """Kill the process group the engine leads: the engine if it still runs (hung), and whatever
    it started and left behind."""
    if os.name != "posix":
        return
    try:
        os.killpg(leader, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # nothing left


class EngineLike(Protocol):
    """What the screen needs from an engine; tests may pass a scripted one."""

    @property
    def alive(self) -> bool: ...

    async def start(self) -> None: ...

    def ask(self, question: str, write_paths: list[str] | None = None, typed: str | None = None,
            attachments: list[dict[str, Any]] | None = None) -> None: ...

    def cancel(self) -> None: ...

    def human(self, cmd: str, **fields: Any) -> None: ...

    def reload(self, config_path: str) -> None: ...

    async def stop(self) -> None: ...


EngineFactory = Callable[[MessagePump, "str | None", "str | None"], EngineLike]
"""(message target, config path, session dir to resume) -> engine."""


class EngineClient:
    def __init__(
        self,
        target: MessagePump,
        config_path: str | None,
        session_dir: str | None = None,
        *,
        log_root: str | None = None,
    ) -> None:
        self.target = target
        self.config_path = config_path
        self.session_dir = session_dir
        self.log_root = log_root
        self._process: asyncio.subprocess.Process | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._stderr: deque[str] = deque(maxlen=STDERR_LINES)
        self._stopping = False

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.returncode is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def command(self) -> list[str]:
        # -P: a file a model wrote in the working folder must not shadow a module of ours.
        cmd = module_command("mgtui.engine.service")
        if self.config_path:
            cmd += ["--config", self.config_path]
        if self.log_root:
            cmd += ["--log-root", self.log_root]
        if self.session_dir:
            cmd += ["--session-dir", self.session_dir]
        return cmd

    async def start(self) -> None:
        env = dict(os.environ)
        # Works from a checkout as well as from an installed package.
        env["PYTHONPATH"] = pythonpath_with(_PACKAGE_ROOT, env.get("PYTHONPATH"))
        env.setdefault("PYTHONUNBUFFERED", "1")
        try:
            self._process = await asyncio.create_subprocess_exec(
                *self.command(),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=env,
                limit=16 * 1024 * 1024,  # a final answer arrives as one line
                # Its own session and process group, so stopping it also stops what it started
                # (MCP servers, tool commands) even when it hangs and has to be killed.
                start_new_session=os.name == "posix",
            )
        except OSError as exc:
            self.target.post_message(msg.EngineDied(None, f"could not start the engine: {exc}"))
            return
        self._tasks = [
            asyncio.create_task(self._read_stdout(), name="engine-stdout"),
            asyncio.create_task(self._read_stderr(), name="engine-stderr"),
        ]

    def _send(self, command: dict[str, Any]) -> None:
        if not self.alive or self._process is None or self._process.stdin is None:
            raise RuntimeError("the engine is not running")
        self._process.stdin.write((json.dumps(command) + "\n").encode())

    def ask(self, question: str, write_paths: list[str] | None = None, typed: str | None = None,
            attachments: list[dict[str, Any]] | None = None) -> None:
        # `@path:w` paths: writable for the final presenter of this turn only. `typed` and
        # `attachments`: the log keeps the question as typed and the files apart.
        # review_writes: the presenter's changes to the user's files wait for the diff dialog.
        command: dict[str, Any] = {"cmd": "ask", "question": question, "write_paths": list(write_paths or []), "review_writes": True}
        if typed is not None:
            command.update(typed=typed, attachments=list(attachments or []))
        self._send(command)

    def cancel(self) -> None:
        if self.alive:
            self._send({"cmd": "cancel"})

    def human(self, cmd: str, **fields: Any) -> None:
        """The person acts on the running turn: hint (text, to), vote (agent, reason), decide,
        drop, restart (agent). See mgtui/engine/human.py."""
        self._send({"cmd": cmd, **fields})

    def reload(self, config_path: str) -> None:
        self.config_path = config_path
        if self.alive:
            self._send({"cmd": "reload", "config_path": config_path})

    async def stop(self) -> None:
        """Ask the engine to shut down; kill it if it does not within a few seconds."""
        self._stopping = True
        process = self._process
        if process is None or process.returncode is not None:
            return
        try:
            self._send({"cmd": "shutdown"})
            assert process.stdin is not None
            process.stdin.close()
            await asyncio.wait_for(process.wait(), STOP_GRACE_SECONDS)
        except (TimeoutError, RuntimeError, ConnectionError):
            pass
        # The engine if it hangs, and whatever it started and left behind. First: on Python 3.11
        # `wait()` returns only once every pipe is closed, and a child left running holds them.
        _kill_group(process.pid)
        with contextlib.suppress(ProcessLookupError):
            process.kill()  # where there are no process groups
        with contextlib.suppress(TimeoutError):  # a child that left the group may hold a pipe
            await asyncio.wait_for(process.wait(), STOP_GRACE_SECONDS)
        for task in self._tasks:
            task.cancel()

    def _handle_line(self, line: str) -> None:
        # Events are parsed once, straight from the line; the service's own messages (rare) are
        # told apart by their first key without parsing the line twice.
        if line.startswith(_SERVICE_PREFIXES):
            self._handle_service(line)
            return
        parse_event, invalid = _event_reader()
        try:
            event = parse_event(line)
        except invalid as exc:
            if not self._handle_service(line):  # a service message whose "type" is not first
                log.warning(f"engine sent a line the UI cannot read: {line[:200]!r}: {exc}")
            return
        msg.post_event(self.target, event)

    def _handle_service(self, line: str) -> bool:
        """service_ready / service_error / busy; False when the line is none of them."""
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            return False
        kind = data.get("type") if isinstance(data, dict) else None
        if kind == "service_ready":
            self.session_dir = data.get("log_dir") or self.session_dir
            agents = [a for a in data.get("agents") or [] if isinstance(a, dict) and "id" in a]
            options = data.get("options") if isinstance(data.get("options"), dict) else {}
            self.target.post_message(msg.EngineReady(str(data.get("session", "")), str(data.get("log_dir", "")), agents, options))
        elif kind == "service_error":
            self.target.post_message(msg.EngineError(str(data.get("message", ""))))
        elif kind == "busy":
            self.target.post_message(msg.EngineBusy(str(data.get("message", "")), bool(data.get("waiting"))))
        else:
            return False
        return True

    async def _read_stdout(self) -> None:
        process = self._process
        assert process is not None and process.stdout is not None
        try:
            while line := await process.stdout.readline():
                if line.strip():
                    self._handle_line(line.decode("utf-8", "replace"))
        except ValueError as exc:  # a line over the stream limit: the protocol is broken, stop the engine
            self._stderr.append(f"engine output unreadable: {exc}")
            process.kill()
        # The protocol pipe closed: the engine is gone. What it started goes too (and lets go of
        # the stderr pipe, which `wait()` waits for).
        _kill_group(process.pid)
        returncode = await process.wait()
        if len(self._tasks) > 1:  # let the stderr reader drain, so the crash can be explained
            await asyncio.wait(self._tasks[1:], timeout=1.0)
        if not self._stopping:
            self.target.post_message(msg.EngineDied(returncode, "\n".join(self._stderr)))

    async def _read_stderr(self) -> None:
        process = self._process
        assert process is not None and process.stderr is not None
        while line := await process.stderr.readline():
            text = line.decode("utf-8", "replace").rstrip()
            self._stderr.append(text)
            log.debug(f"engine: {text}")

