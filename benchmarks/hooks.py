"""What running a hook in its own process costs (issue 20 item 7).

    python benchmarks/hooks.py [--calls 20]

Prints the median and mean time of one hook call through `run_hook_process` (a fresh
`python -I` per call) next to calling the same function in-process. Never fails a build.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import tempfile  # noqa: E402

from mgtui.tools.hook_process import run_hook_process  # noqa: E402

# A hook with no imports of its own: what is measured is the process, not the hook's imports.
HOOK = 'def deny_secrets(event):\n    return {"decision": "deny"} if "secret" in str(event["arguments"]) else None\n'
_FOLDER = tempfile.mkdtemp(prefix="mgtui-bench-hooks-")
Path(_FOLDER, "bench_hook.py").write_text(HOOK)
sys.path.insert(0, _FOLDER)  # the worker mirrors this process's sys.path
import bench_hook  # noqa: E402

HANDLER = "bench_hook:deny_secrets"


async def measure(calls: int) -> tuple[list[float], list[float]]:
    payload = {"hook": "PreToolUse", "agent": "alpha", "phase": "coordination", "tool": "write_file",
               "arguments": {"path": "notes.md", "content": "x" * 2000}}
    process, inline = [], []
    for _ in range(calls):
        started = time.perf_counter()
        call = await run_hook_process(HANDLER, payload, 30)
        process.append(time.perf_counter() - started)
        assert not call.failure, call.failure
        started = time.perf_counter()
        bench_hook.deny_secrets(payload)
        inline.append(time.perf_counter() - started)
    return process, inline


async def bare_interpreter(calls: int) -> list[float]:
    """`python -I -c pass`: the floor of any per-call process on this machine right now."""
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        proc = await asyncio.create_subprocess_exec(sys.executable, "-I", "-c", "pass")
        await proc.wait()
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    calls = max(1, min(args.calls, 200))
    process, inline = asyncio.run(measure(calls))
    bare = asyncio.run(bare_interpreter(calls))
    print(f"{'':28}{'median ms':>12}{'mean ms':>12}")
    for name, times in (("hook in its own process", process), ("bare `python -I -c pass`", bare), ("hook in-process", inline)):
        print(f"{name:28}{statistics.median(times) * 1000:12.2f}{statistics.mean(times) * 1000:12.2f}")


if __name__ == "__main__":
    main()
