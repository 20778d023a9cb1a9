"""Run one hook call in a Python process of its own, so that a timeout really ends it.

In-process, a sync hook that outlived its timeout kept running in a thread that the
interpreter waits for at exit (`mgtui run` stayed alive after its answer, SIGTERM or not),
and a hook calling `sys.exit()` raised SystemExit through the turn. Here each call is
`python -I -c WORKER`: the payload goes in on stdin, the reply comes back on a private
copy of stdout; what the hook prints (fd 1 and fd 2) is captured and capped. On timeout
the process is killed. The worker mirrors the engine's `sys.path`, so `module:function`
resolves exactly as it would in-process (with `-I`, never from the working folder).
Cost: one interpreter start per call (see `benchmarks/hooks.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from dataclasses import dataclass
from typing import Any

OUTPUT_LIMIT = 64 * 1024  # what a hook prints that is kept (in the hook_run event)
REPLY_LIMIT = 8 * 1024 * 1024  # a reply may rewrite arguments (a whole file's content)
READ_CHUNK = 1 << 16

WORKER = r"""
import importlib, json, os, sys
reply_fd = os.dup(1)
os.dup2(2, 1)  # the hook's prints, Python or C, join stderr: captured, never the reply
sys.stdout = sys.stderr
request = json.loads(sys.stdin.buffer.read())
sys.path[:] = request["path"]
try:
    module_name, _, attr = request["handler"].partition(":")
    target = importlib.import_module(module_name)
    for part in attr.split("."):
        target = getattr(target, part)
    result = target(request["payload"])
    if hasattr(result, "__await__"):  # an async hook: asyncio only then (it costs an import)
        import asyncio
        async def _wait(awaitable):
            return await awaitable
        result = asyncio.run(_wait(result))
    out = {"reply": result}
except BaseException as exc:  # SystemExit and KeyboardInterrupt too: a failed hook, reported
    code = f" {exc.code}" if isinstance(exc, SystemExit) else ""
    out = {"error": f"{type(exc).__name__}{code}: {exc}" if str(exc) else f"{type(exc).__name__}{code}"}
try:
    data = json.dumps(out, default=repr)
except BaseException as exc:
    data = json.dumps({"error": f"reply is not JSON: {type(exc).__name__}: {exc}"})
for stream in (sys.stdout, sys.stderr):
    try:
        stream.flush()
    except BaseException:
        pass
view = memoryview(data.encode("utf-8"))
while view:
    view = view[os.write(reply_fd, view):]
os._exit(0)  # no atexit work, no waiting for threads the hook left running
"""


@dataclass
class HookCall:
    reply: Any = None
    failure: str = ""  # empty when the hook answered
    output: str = ""  # what it printed, capped at OUTPUT_LIMIT with a note


async def run_hook_process(handler: str, payload: dict[str, Any], timeout: float) -> HookCall:
    """Call `handler(payload)` in a fresh process; a timeout kills it."""
    request = json.dumps({"handler": handler, "payload": payload, "path": list(sys.path)}, default=repr).encode()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-I", "-c", WORKER,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    printed = (b"", 0)

    async def talk() -> tuple[bytes, int]:
        nonlocal printed
        assert process.stdin and process.stdout and process.stderr
        _sent, reply, printed = await asyncio.gather(
            _send(process.stdin, request), _read_capped(process.stdout, REPLY_LIMIT), _read_capped(process.stderr, OUTPUT_LIMIT)
        )
        await process.wait()
        return reply

    try:
        (reply, reply_size) = await asyncio.wait_for(talk(), timeout)
    except TimeoutError:
        await _kill(process)
        return HookCall(failure=f"timed out after {timeout:g} s", output=_output(*printed))
    except BaseException:  # cancelled with the turn: the hook goes too
        await _kill(process)
        raise
    output = _output(*printed)
    if reply_size > REPLY_LIMIT:
        return HookCall(failure=f"reply over {REPLY_LIMIT // (1024 * 1024)} MiB", output=output)
    try:
        answer = json.loads(reply) if reply else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        return HookCall(failure=f"the hook process exited with code {process.returncode} without a reply", output=output)
    if "error" in answer:
        return HookCall(failure=str(answer["error"]), output=output)
    return HookCall(reply=answer.get("reply"), output=output)


async def _send(stdin: asyncio.StreamWriter, data: bytes) -> None:
    with contextlib.suppress(ConnectionError):  # the worker died early: its exit says why
        stdin.write(data)
        await stdin.drain()
        stdin.close()


async def _read_capped(stream: asyncio.StreamReader, limit: int) -> tuple[bytes, int]:
    """Up to `limit` bytes and the total; the rest is read and dropped so the writer never blocks."""
    kept, total = bytearray(), 0
    while chunk := await stream.read(READ_CHUNK):
        total += len(chunk)
        if len(kept) < limit:
            kept += chunk[: limit - len(kept)]
    return bytes(kept), total


def _output(data: bytes, total: int) -> str:
    text = data.decode("utf-8", errors="replace")
    if total > len(data):
        text += f"\n[... output truncated: {total} bytes printed, the first {len(data)} kept]"
    return text


async def _kill(process: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError):
        process.kill()
    with contextlib.suppress(TimeoutError):  # a grandchild holding a pipe must not hang us
        await asyncio.wait_for(process.wait(), 5)
