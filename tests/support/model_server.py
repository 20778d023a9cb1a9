"""A loopback HTTP server speaking the OpenAI chat-completions protocol, for honest tests.

Engine tests drive real LiteLLM against it. It runs an asyncio loop in a background
thread, so sync and async tests use it alike, and many slow or hanging streams cost
nothing. Each model name (the request's `model`, e.g. "alpha" for "openai/alpha") has a
script (see `tests.support.replies`); every request is recorded.

    python -m tests.support.model_server --port 0 --script script.yaml

serves until SIGINT/SIGTERM and prints `READY <url>` once it listens (for tmux TUI tests
and benchmarks). The script file holds {"default": <script>, "models": {name: <script>}}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from tests.support.openai_wire import completion_body, error_body, header_bytes, send_json, status_line, stream_chunks, write_chunk
from tests.support.replies import (
    RecordedRequest,
    Reply,
    Script,
    ScriptFn,
    answer_then_vote,
    as_script_fn,
    error,
    script_from_data,
)


@dataclass(frozen=True)
class Served:
    """How a response ended: "complete", "error" (scripted HTTP error), "aborted",
    "hanging" (recorded when the hang starts) or "client_closed"."""

    request: RecordedRequest
    outcome: str
    chunks_sent: int
    finished_at: float = 0.0  # time.time() when the response ended (benchmarks measure busy spans)


class ModelServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, default: Script | None = None) -> None:
        self.host = host
        self.port = port
        self._default: ScriptFn = as_script_fn(default or _default_policy)
        self._scripts: dict[str, ScriptFn] = {}
        self._requests: list[RecordedRequest] = []
        self._served: list[Served] = []
        self._counts: dict[str, int] = {}
        self.script_errors: list[str] = []  # tracebacks of scripts that raised
        self._lock = threading.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None
        self._response_seq = 0

    # -- lifecycle -----------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The api_base for LiteLLM / the OpenAI SDK."""
        return f"http://{self.host}:{self.port}/v1"

    def start(self) -> Self:
        self._thread = threading.Thread(target=self._run, name=f"model-server:{self.port}", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._startup_error is not None:
            raise self._startup_error
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join()
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._main())
        except BaseException as exc:  # noqa: BLE001 - surfaced to start() if it happened before ready
            self._startup_error = exc
        finally:
            self._ready.set()
            self._loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        connections: set[asyncio.Task[None]] = set()

        async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            connections.add(task)
            try:
                await self._connection(reader, writer)
            except asyncio.CancelledError:
                pass  # shutting down; re-raising makes asyncio's stream callback log noise
            finally:
                connections.discard(task)

        server = await asyncio.start_server(on_connect, self.host, self.port)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        await self._stop.wait()
        server.close()
        for task in list(connections):  # hanging streams included
            task.cancel()
        await asyncio.gather(*connections, return_exceptions=True)
        await server.wait_closed()

    # -- scripting and inspection --------------------------------------------------------

    def set_default(self, script: Script) -> None:
        """What every model without a script of its own answers."""
        with self._lock:
            self._default = as_script_fn(script)

    def script(self, model: str, script: Script) -> None:
        """Set what `model` answers; replaces any earlier script and restarts its count."""
        with self._lock:
            self._scripts[model] = as_script_fn(script)
            self._counts.pop(model, None)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_for(self, model: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.model == model]

    @property
    def served(self) -> list[Served]:
        with self._lock:
            return list(self._served)

    def wait_until(self, predicate: Callable[[ModelServer], bool], timeout: float = 30.0) -> None:
        """Block until predicate(server) holds after some request or response (or raise)."""
        with self._lock:
            if not self._lock.wait_for(lambda: predicate(self), timeout):
                raise TimeoutError("model server condition not reached")

    async def wait_until_async(self, predicate: Callable[[ModelServer], bool], timeout: float = 30.0) -> None:
        await asyncio.to_thread(self.wait_until, predicate, timeout)

    def _record(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> tuple[RecordedRequest, ScriptFn]:
        model = str(body.get("model", ""))
        with self._lock:
            index = self._counts.get(model, 0)
            self._counts[model] = index + 1
            request = RecordedRequest(path, model, body, headers, index, time.time())
            self._requests.append(request)
            self._lock.notify_all()
            return request, self._scripts.get(model, self._default)

    def _finish(self, request: RecordedRequest, outcome: str, chunks_sent: int) -> None:
        with self._lock:
            self._served.append(Served(request, outcome, chunks_sent, time.time()))
            self._lock.notify_all()

    # -- HTTP ------------------------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:  # keep-alive: httpx reuses pooled connections
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except asyncio.IncompleteReadError:
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, _version = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                if not await self._dispatch(method, target.split("?", 1)[0], headers, body, reader, writer):
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()

    async def _dispatch(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        raw: bytes,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        """Answer one request; False when the connection must not be reused."""
        if method == "GET" and path.rstrip("/").endswith("/models"):
            with self._lock:
                names = sorted(set(self._scripts) | set(self._counts))
            data = {"object": "list", "data": [{"id": n, "object": "model", "owned_by": "mgtui-tests"} for n in names]}
            await send_json(writer, 200, data)
            return True
        if method != "POST" or not path.endswith("/chat/completions"):
            await send_json(writer, 404, error_body(f"no route {method} {path}", 404))
            return True
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError as exc:
            await send_json(writer, 400, error_body(f"invalid JSON body: {exc}", 400))
            return True
        request, script = self._record(path, body, headers)
        try:
            reply = script(request, request.call_index)
        except Exception:  # noqa: BLE001 - a broken script must fail the test, not look like a provider error
            self.script_errors.append(traceback.format_exc())
            reply = error(500, "the test script raised; see server.script_errors")
        if reply.first_byte_delay:
            await asyncio.sleep(reply.first_byte_delay)
        while reply.hold is not None and not reply.hold.is_set():  # polled: cancellable on stop
            await asyncio.sleep(0.01)
        if reply.status != 200:
            await send_json(writer, reply.status, error_body(reply.error_message, reply.status), reply.headers)
            self._finish(request, "error", 0)
            return True
        if request.stream:
            return await self._stream(request, reply, reader, writer)
        return await self._complete(request, reply, reader, writer)

    def _next_id(self) -> str:
        self._response_seq += 1  # only touched on the server loop
        return f"chatcmpl-test{self._response_seq}"

    async def _complete(self, request: RecordedRequest, reply: Reply, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        if reply.failure is not None:
            return await self._fail(request, reply, 0, reader, writer)
        data = completion_body(request, reply, self._next_id())
        await send_json(writer, 200, data, reply.headers)
        self._finish(request, "complete", 0)
        return True

    async def _stream(self, request: RecordedRequest, reply: Reply, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        head = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "Transfer-Encoding": "chunked", **reply.headers}
        writer.write(status_line(200) + header_bytes(head))
        chunks = stream_chunks(request, reply, self._next_id())
        sent = 0
        try:
            for chunk in chunks:
                if reply.failure is not None and sent == reply.fail_after:
                    return await self._fail(request, reply, sent, reader, writer)
                if sent and reply.chunk_delay:
                    await asyncio.sleep(reply.chunk_delay)
                write_chunk(writer, b"data: " + json.dumps(chunk).encode() + b"\n\n")
                await writer.drain()
                sent += 1
            if reply.failure is not None:  # fail_after beyond the end: fail before [DONE]
                return await self._fail(request, reply, sent, reader, writer)
            write_chunk(writer, b"data: [DONE]\n\n")
            writer.write(b"0\r\n\r\n")
            await writer.drain()
        except ConnectionError:
            self._finish(request, "client_closed", sent)
            return False
        self._finish(request, "complete", sent)
        return True

    async def _fail(self, request: RecordedRequest, reply: Reply, sent: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        if reply.failure == "abort":
            writer.transport.abort()
            self._finish(request, "aborted", sent)
            return False
        self._finish(request, "hanging", sent)
        await reader.read()  # until the client gives up (or the server stops and cancels us)
        return False


def _default_policy(request: RecordedRequest, index: int) -> Reply:
    return answer_then_vote(f"Answer from {request.model or 'model'}.")(request, index)


# -- command line ------------------------------------------------------------------------------


def load_script_file(path: str) -> tuple[Script | None, dict[str, Script]]:
    text = Path(path).read_text(encoding="utf-8")
    if path.endswith((".yaml", ".yml")):
        import yaml

        data = yaml.safe_load(text) or {}
    else:
        data = json.loads(text)
    default = script_from_data(data["default"]) if "default" in data else None
    return default, {name: script_from_data(s) for name, s in (data.get("models") or {}).items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.support.model_server", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--script", help="JSON or YAML: {default: <script>, models: {name: <script>}}")
    args = parser.parse_args(argv)
    default, scripts = load_script_file(args.script) if args.script else (None, {})
    server = ModelServer(args.host, args.port, default)
    for name, script in scripts.items():
        server.script(name, script)
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    with server:
        print(f"READY {server.url}", flush=True)
        while not done.wait(0.5):
            pass
    print(f"served {len(server.requests)} requests", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
