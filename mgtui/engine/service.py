"""The engine as a process: JSON-line commands on stdin, events as JSON lines on stdout.

    python -m mgtui.engine.service --config PATH [--log-root DIR] [--session-dir DIR]

Commands: {"cmd": "ask", "question": ...}, {"cmd": "cancel"}, {"cmd": "shutdown"},
{"cmd": "hint", "text", "to": [ids] | null}, {"cmd": "vote", "agent", "reason"},
{"cmd": "decide", "agent"}, {"cmd": "drop", "agent"}, {"cmd": "restart", "agent"} (the person
in the running turn),
{"cmd": "reload", "config_path": ...} (applies from the next turn). Engine events are the
lines of the session's events.jsonl, byte for byte (serialised and redacted once). Besides them,
stdout carries {"type": "service_ready", "session", "log_dir", "agents"},
{"type": "service_error", "message"} and {"type": "busy", "message", "waiting"} (waiting:
another process runs a turn of this session; the ask was taken and starts after it), each with
"type" first so the UI tells them from events without a second parse. stdout carries
nothing else: the original file descriptor is kept for the protocol and fd 1 is pointed
at stderr, so stray prints (ours, LiteLLM's, llama.cpp's) cannot corrupt the stream.
A command line over 16 MiB or a malformed ask is answered with a service_error and skipped;
stdin may be anything (a pipe, /dev/null, a file): its end shuts the service down.
No Textual here.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import stat
import sys
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO, Any

from mgtui.config.loader import ConfigError, load_config_file
from mgtui.config.pending import PendingConfig
from mgtui.config.watcher import ConfigChanged, watch_config
from mgtui.engine.events import SessionNotice, TurnFinished, event_to_json
from mgtui.engine.session import Session
from mgtui.providers.litellm_access import ensure_providers, get_litellm

MAX_COMMAND_BYTES = 16 * 1024 * 1024  # a question with its attachments fits; a longer line is refused
READ_CHUNK = 1 << 16
# Events serialise with `type` first (events._Event): the turn's end is seen without parsing each line.
TURN_FINISHED_LINE = '{"type":"turn_finished"'


class EngineService:
    def __init__(self, out: IO[str], config_path: str, log_root: str | None, session_dir: str | None) -> None:
        self._out = out
        self.config_path = config_path
        self.log_root = log_root
        self.session_dir = session_dir
        self.session: Session | None = None
        self._turn: asyncio.Task[Any] | None = None
        self._turn_over = False  # the running task sent its turn_finished (it is only tidying up)
        self.pending: PendingConfig | None = None  # set once a config is loaded
        self._stop_watching = asyncio.Event()

    # output ------------------------------------------------------------------------
    def write(self, data: dict[str, Any]) -> None:
        self._out.write(json.dumps(data, ensure_ascii=False) + "\n")
        self._out.flush()

    def sink_line(self, line: str) -> None:
        """A session event as the log wrote it (redacted JSON and its newline), not serialised again.
        A blocking write: a UI that reads slowly slows the engine instead of growing a buffer."""
        self._out.write(line)
        self._out.flush()
        if line.startswith(TURN_FINISHED_LINE):
            self._turn_over = True

    def sink(self, event: Any) -> None:
        """An event the service makes itself, outside the session's log."""
        self.sink_line(event_to_json(event) + "\n")

    def error(self, message: str) -> None:
        self.write({"type": "service_error", "message": message})

    # lifecycle ---------------------------------------------------------------------
    def open(self) -> None:
        """Load the config and open (or resume) the session; report problems, keep running."""
        try:
            loaded = load_config_file(self.config_path)
        except ConfigError as exc:
            self.error(f"config error:\n{exc}")
            return
        self.pending = PendingConfig(loaded)
        if self.session_dir and os.path.isdir(self.session_dir):
            self.session = Session.resume(self.session_dir, loaded, line_sink=self.sink_line)
        else:
            self.session = Session(loaded, log_root=self.log_root, line_sink=self.sink_line)
        # Another process runs a turn of this session: the UI says so (not the log: not ours yet).
        self.session.on_busy = lambda message: self.write({"type": "busy", "message": message, "waiting": True})
        self.write(
            {
                "type": "service_ready",
                "session": self.session.id,
                "log_dir": str(self.session.dir),
                "config_path": self.config_path,
                "agents": [{"id": a.id, "model": a.model} for a in loaded.config.agents],
                "options": {"human": loaded.config.orchestrator.human, "blind": loaded.config.orchestrator.blind},
            }
        )

    @property
    def turn_task_running(self) -> bool:
        return self._turn is not None and not self._turn.done()

    @property
    def busy(self) -> bool:
        """A turn runs that has not sent its turn_finished: an ask now is refused. After
        turn_finished the UI takes the next question, so the service must too (the task may
        still be reaping cancelled agents or diffing proposed writes)."""
        return self.turn_task_running and not self._turn_over

    async def handle(self, command: dict[str, Any]) -> bool:
        """Run one command; False means stop serving."""
        match command.get("cmd"):
            case "ask":
                if (problem := ask_problem(command)) is not None:
                    self.error(f"bad ask command: {problem}")
                    return True
                if self.session is not None:
                    self.session.review_writes = bool(command.get("review_writes"))
                typed = command.get("typed")
                attachments = [a for a in command.get("attachments") or [] if isinstance(a, dict)]
                self.ask(str(command.get("question", "")), list(command.get("write_paths") or []),
                         typed if isinstance(typed, str) else None, attachments)
            case "cancel":
                if self.session is not None:
                    self.session.cancel()
            case "hint" | "vote" | "decide" | "drop" | "restart" as kind:
                self.human(kind, command)
            case "apply_writes":
                if self.session is not None:
                    await self.session.apply_writes([str(p) for p in command.get("accept") or []])
            case "reload":
                self.reload(str(command.get("config_path") or self.config_path))
            case "shutdown":
                return False
            case other:
                self.error(f"unknown command: {other!r}")
        return True

    def human(self, kind: str, command: dict[str, Any]) -> None:
        """The person acts on the running turn (engine/human.py); refused between turns."""
        session = self.session
        agent = str(command.get("agent") or command.get("target") or "")
        to = command.get("to")
        done = session is not None and {
            "hint": lambda: session.hint(str(command.get("text", "")), [str(a) for a in to] if isinstance(to, list) else None),
            "vote": lambda: session.human_vote(agent, str(command.get("reason", ""))),
            "decide": lambda: session.decide(agent),
            "drop": lambda: session.drop_agent(agent),
            "restart": lambda: session.restart_agent(agent),
        }[kind]()
        if not done:
            self.write({"type": "busy", "message": f"no turn is running: {kind} not sent"})

    def ask(self, question: str, write_paths: list[str] | None = None, typed: str | None = None,
            attachments: list[dict[str, Any]] | None = None) -> None:
        if self.busy:
            self.write({"type": "busy", "message": "a turn is running"})
            return
        if self.session is None:
            self.error("no usable config: fix it and reload")
            return
        # `@path:w` from the prompt: writable for this turn's final presenter (read-only before).
        context = [{"path": p, "permission": "write"} for p in write_paths or []]
        previous = self._turn if self.turn_task_running else None  # finished, still tidying up
        self._turn_over = False
        self._turn = asyncio.create_task(self._run_turn(self.session, question, context, typed, attachments or [], previous))

    async def _run_turn(self, session: Session, question: str, context: list[dict[str, str]], typed: str | None = None,
                        attachments: list[dict[str, Any]] | None = None, after: asyncio.Task[Any] | None = None) -> None:
        if after is not None:
            await asyncio.wait([after])  # the last turn's tail; wait() leaves it alone if we are cancelled
        try:
            if self.pending is not None:
                loaded, applied = self.pending.begin_turn()  # a new config applies between turns only
                if applied:
                    session.use_config(loaded)
            await session.ask(question, context_paths=context, typed=typed, attachments=attachments or [])
        except Exception as exc:  # noqa: BLE001 - the process must outlive a turn that could not start
            # The turn never started (e.g. the local model is missing); a crash inside a turn is
            # logged by the session itself. The UI waits for a turn_finished to unlock the prompt.
            error = session.redact(f"{type(exc).__name__}: {exc}")
            self.error(f"turn failed: {error}")
            self.sink(TurnFinished(session=session.id, turn=session.turn + 1, status="failed", error=error))

    def warm_up(self) -> None:
        """Import LiteLLM now, while the user types, rather than on the first question.

        A daemon thread, so that shutting down never waits for an import in progress.
        """
        if self.session is None:
            return
        models = [a.model for a in self.session.loaded.config.agents]

        def work() -> None:
            try:
                get_litellm()
                ensure_providers(models)
            except Exception as exc:  # noqa: BLE001 - the first ask reports it again, in its turn
                print(f"engine warm-up failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            # LiteLLM leaves ~380k long-lived objects: every full collection walked them all,
            # stopping every stream for ~180 ms. Frozen, they are never scanned again.
            gc.freeze()

        threading.Thread(target=work, name="warm-up", daemon=True).start()

    def reload(self, config_path: str) -> None:
        try:
            loaded = load_config_file(config_path)
        except ConfigError as exc:
            self.error(f"config error (not applied):\n{exc}")
            return
        self.config_path = config_path
        if self.session is None or self.pending is None:
            self.open()
        else:
            self.pending.offer(ConfigChanged(loaded))
            self.notice(f"config {config_path} applies from the next turn")

    def notice(self, message: str, level: str = "info") -> None:
        if self.session is not None:
            self.sink(SessionNotice(session=self.session.id, message=message, level=level))  # type: ignore[arg-type]
        else:
            self.write({"type": "service_error", "message": message})

    async def watch(self) -> None:
        """Hot reload: valid edits of the config file apply at the next turn; invalid ones say why."""
        async for update in watch_config(Path(self.config_path), stop_event=self._stop_watching):
            if self.pending is None:
                if isinstance(update, ConfigChanged):
                    self.reload(self.config_path)
                continue
            self.pending.offer(update)
            if isinstance(update, ConfigChanged):
                self.notice(f"config {self.config_path} changed: applies from the next turn")
            else:
                self.notice(f"config {self.config_path} changed but is invalid (keeping the last good one):\n{update.error}", "warning")

    async def close(self) -> None:
        self._stop_watching.set()
        if self.turn_task_running and self.session is not None and self._turn is not None:
            self.session.cancel()
            try:
                await asyncio.wait_for(asyncio.shield(self._turn), 5)
            except Exception:  # noqa: BLE001 - shutting down regardless
                self._turn.cancel()
        if self.session is not None:
            await self.session.aclose()


def ask_problem(command: dict[str, Any]) -> str | None:
    """Why an ask command is malformed, or None. A string for `write_paths` would otherwise be
    read character by character ("/etc" -> "/", "e", "t", "c": the root made writable)."""
    if not isinstance(command.get("question", ""), str):
        return "question must be a string"
    paths = command.get("write_paths")
    if paths is not None and not (isinstance(paths, list) and all(isinstance(p, str) and p for p in paths)):
        return "write_paths must be a list of non-empty path strings"
    return None


async def _stdin_reader() -> asyncio.StreamReader:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    mode = os.fstat(sys.stdin.fileno()).st_mode
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    else:  # /dev/null, a file or a terminal: epoll refuses them, so a thread reads
        threading.Thread(target=_feed_from_thread, args=(loop, reader), name="stdin", daemon=True).start()
    return reader


def _feed_from_thread(loop: asyncio.AbstractEventLoop, reader: asyncio.StreamReader) -> None:
    fd = sys.stdin.fileno()
    try:
        while chunk := os.read(fd, READ_CHUNK):
            loop.call_soon_threadsafe(reader.feed_data, chunk)
    except OSError:
        pass
    finally:
        with contextlib.suppress(RuntimeError):  # the loop is gone: nothing left to tell
            loop.call_soon_threadsafe(reader.feed_eof)


async def command_lines(reader: asyncio.StreamReader, limit: int = MAX_COMMAND_BYTES) -> AsyncIterator[bytes | None]:
    """Lines of stdin; None stands for a line over `limit` bytes, whose rest is skipped unread
    into memory (asyncio's own readline raises and loses its place)."""
    pending, skipping = bytearray(), False  # a bytearray: += extends it in place
    while chunk := await reader.read(READ_CHUNK):
        start = 0
        while (end := chunk.find(b"\n", start)) >= 0:
            if skipping:
                skipping = False
            else:
                pending += chunk[start:end]
                yield None if len(pending) > limit else bytes(pending)
            pending.clear()
            start = end + 1
        if not skipping:
            pending += chunk[start:]
            if len(pending) > limit:
                pending.clear()
                skipping = True
                yield None
    if pending and not skipping:
        yield bytes(pending)


async def serve(service: EngineService) -> int:
    service.open()
    service.warm_up()
    watcher = asyncio.create_task(service.watch(), name="config-watch")
    reader = await _stdin_reader()
    async for line in command_lines(reader):
        if line is None:
            service.error(f"command line over {MAX_COMMAND_BYTES // (1024 * 1024)} MiB: ignored")
            continue
        if not line.strip():
            continue
        try:
            command = json.loads(line)
        except ValueError as exc:
            service.error(f"bad command line: {exc}")
            continue
        if not isinstance(command, dict):
            service.error("bad command line: a command is a JSON object")
            continue
        if not await service.handle(command):
            break
    await service.close()  # shutdown, or stdin closed because the UI went away
    watcher.cancel()
    return 0


def _protocol_stdout() -> IO[str]:
    """Keep the real stdout for JSON lines; send everything else written to fd 1 to stderr."""
    out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mgtui.engine.service", description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True, help="config file (YAML)")
    parser.add_argument("--log-root", help="folder for session logs (default from config, else ./.mgtui/logs)")
    parser.add_argument("--session-dir", help="resume this session folder (its history continues)")
    args = parser.parse_args(argv)
    service = EngineService(_protocol_stdout(), args.config, args.log_root, args.session_dir)
    try:
        return asyncio.run(serve(service))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
