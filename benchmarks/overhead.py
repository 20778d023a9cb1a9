"""Engine overhead: 3 to 32 agents against the loopback model server with a fixed latency.

Prints, per team size: wall time of a consensus turn, the time some model call was in
flight (the union of the server's busy intervals: the critical path of model latency as
this run actually scheduled it), the overhead (wall time with no model working), prompt
characters sent, streamed chunks, and engine CPU per chunk. The model server runs in a
separate process so its CPU is not counted. Each team size runs with every
`--visibility` mode (all: every agent reads every answer; neighbours: its
`visibility_k` nearest peers plus the leader). Goals: overhead <= 5 % up to 16 agents;
with neighbours, prompt characters per agent flat in N (32 agents <= 12x the 3-agent total).

    python benchmarks/overhead.py [--latency 0.5] [--chunk-delay 0.01] [--agents 3 5 8 16 32]
                                  [--visibility all neighbours] [--repeat 3] [--profile]

With --repeat each cell runs that many times and the table shows medians (wall time on a shared
machine varies run to run; engine CPU per chunk and per call vary much less).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SERVER = r"""
import json, signal, sys, threading
from tests.support.model_server import ModelServer
from tests.support.replies import answer_then_vote
latency, chunk_delay, out = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
answer = "The answer, with enough words to stream in several chunks. " * 6
server = ModelServer(default=answer_then_vote(answer, first_byte_delay=latency, chunk_delay=chunk_delay, chunk_size=16))
done = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: done.set())
with server:
    print(server.url, flush=True)
    done.wait()
# Each response's real busy span, as the server saw it: arrival to last byte (or hang-up).
spans = [[s.request.received_at, s.finished_at, s.chunks_sent, len(json.dumps(s.request.messages))] for s in server.served]
with open(out, "w") as f:
    json.dump(spans, f)
"""


def union_length(spans: list[tuple[float, float]], lo: float, hi: float) -> float:
    total, end = 0.0, lo
    for start, stop in sorted(spans):
        start, stop = max(start, end, lo), min(stop, hi)
        if stop > start:
            total += stop - start
            end = stop
    return total


def cpu_shares(profile: cProfile.Profile) -> dict[str, float]:
    """Own CPU time by who spends it: mgtui, LiteLLM, openai/httpx/aiohttp, everything else."""
    shares = {"mgtui": 0.0, "litellm": 0.0, "http clients": 0.0, "other": 0.0}
    for (filename, _line, name), (_cc, _nc, tottime, _ct, _callers) in pstats.Stats(profile).stats.items():  # type: ignore[attr-defined]
        if "poll" in name or "select" in name:
            continue  # waiting for the network is not CPU
        if "/mgtui/" in filename:
            shares["mgtui"] += tottime
        elif "/litellm/" in filename:
            shares["litellm"] += tottime
        elif any(k in filename for k in ("/openai/", "/httpx", "/httpcore", "/aiohttp/", "/pydantic")):
            shares["http clients"] += tottime
        else:
            shares["other"] += tottime
    return shares


async def one_turn(n_agents: int, url: str, log_root: str, profile: bool, visibility: str = "all") -> tuple[float, float, float, dict[str, float], str]:
    from mgtui.config.loader import config_from_data
    from mgtui.engine.session import Session

    names = [f"agent_{i}" for i in range(n_agents)]
    config = {
        "agents": [{"id": n, "model": f"openai/{n}", "api_base": url, "api_key": "sk-bench"} for n in names],
        "orchestrator": {"retry_base_seconds": 0.05, "visibility": visibility},
    }
    session = Session(config_from_data(config), log_root=log_root)
    # Warm-up turn: LiteLLM's import and its lazy first-call set-up are start-up costs, not
    # per-turn overhead. The measured turn is the second one (with the first as history).
    await session.ask("Warm up: say hello.")
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    cpu0, t0 = time.process_time(), time.time()
    result = await session.ask("Explain briefly why the sky is blue.")
    t1, cpu1 = time.time(), time.process_time()
    if profiler:
        profiler.disable()
    session.close()
    return t0, t1, cpu1 - cpu0, cpu_shares(profiler) if profiler else {}, result.status


def run(n_agents: int, latency: float, chunk_delay: float, profile: bool = False, visibility: str = "all") -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        spans_file = os.path.join(tmp, "spans.json")
        proc = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(latency), str(chunk_delay), spans_file],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            url = proc.stdout.readline().strip()  # type: ignore[union-attr]
            t0, t1, cpu, shares, status = asyncio.run(one_turn(n_agents, url, tmp, profile, visibility))
        finally:  # a failing turn must not leave the server running (and holding our stdout)
            proc.terminate()
            proc.wait(10)
        spans = [s for s in json.loads(Path(spans_file).read_text()) if s[0] >= t0]  # the measured turn only
    busy = union_length([(s[0], s[1]) for s in spans], t0, t1)
    wall = t1 - t0
    chunks = sum(s[2] for s in spans)
    return {
        "agents": n_agents,
        "visibility": visibility,
        "status": status,
        "calls": len(spans),
        "wall_s": wall,
        "model_busy_s": busy,
        "overhead_pct": 100 * (wall - busy) / wall,
        "prompt_chars": sum(s[3] for s in spans),
        "chunks": chunks,
        "cpu_ms_per_chunk": 1000 * cpu / max(1, chunks),
        "cpu_ms_per_call": 1000 * cpu / max(1, len(spans)),
        "cpu_s": cpu,
        "shares": shares,
    }


def median_row(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One row per cell: medians of the measures that vary, the rest from the first run."""
    row = dict(runs[0])
    for key in ("wall_s", "model_busy_s", "overhead_pct", "cpu_ms_per_chunk", "cpu_ms_per_call", "cpu_s", "calls", "prompt_chars", "chunks"):
        row[key] = statistics.median(r[key] for r in runs)
    row["overhead_range"] = (min(r["overhead_pct"] for r in runs), max(r["overhead_pct"] for r in runs))
    row["status"] = "ok" if all(r["status"] == "ok" for r in runs) else "/".join(sorted({r["status"] for r in runs}))
    return row


def print_table(rows: list[dict[str, Any]], repeat: int) -> None:
    """The closing-note table: agents x visibility (Markdown, medians when repeated)."""
    spread = " (min-max)" if repeat > 1 else ""
    print(
        f"\n| visibility | agents | status | overhead %{spread} | prompt chars / consensus | per agent | x 3-agent "
        "| model calls | chunks | engine CPU ms / chunk | ms / call |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    base: dict[str, float] = {}
    for r in rows:
        base.setdefault(r["visibility"], r["prompt_chars"])  # the smallest team of this mode
        lo, hi = r["overhead_range"]
        overhead = f"{r['overhead_pct']:.1f}" + (f" ({lo:.1f}-{hi:.1f})" if repeat > 1 else "")
        print(
            f"| {r['visibility']} | {r['agents']} | {r['status']} | {overhead} | {r['prompt_chars']:,.0f} | {r['prompt_chars'] / r['agents']:,.0f} "
            f"| {r['prompt_chars'] / max(1, base[r['visibility']]):.1f}x | {r['calls']:.0f} | {r['chunks']:.0f} "
            f"| {r['cpu_ms_per_chunk']:.3f} | {r['cpu_ms_per_call']:.1f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.5, help="seconds before each reply's first byte")
    parser.add_argument("--chunk-delay", type=float, default=0.01)
    parser.add_argument("--agents", type=int, nargs="*", default=[3, 5, 8, 16, 32])
    parser.add_argument("--visibility", nargs="*", default=["all", "neighbours"], choices=["all", "ring", "neighbours"])
    parser.add_argument("--repeat", type=int, default=1, help="runs per cell; the table shows medians")
    parser.add_argument("--profile", action="store_true", help="add a profiled run that splits CPU by owner")
    args = parser.parse_args()
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")
    print(f"latency {args.latency}s per call + {args.chunk_delay}s per chunk; load average before: {os.getloadavg()[0]:.2f}", flush=True)
    cells: dict[tuple[str, int], list[dict[str, Any]]] = {(v, n): [] for v in args.visibility for n in args.agents}
    for _ in range(args.repeat):  # rounds over every cell, so a busy spell of the machine hits all cells alike
        for key in cells:
            r = run(key[1], args.latency, args.chunk_delay, visibility=key[0])
            cells[key].append(r)
            print(
                f"  {r['visibility']:>10} {r['agents']:>3} agents: {r['status']}, overhead {r['overhead_pct']:5.1f}% "
                f"(wall {r['wall_s']:.2f}s, model busy {r['model_busy_s']:.2f}s), "
                f"{r['cpu_ms_per_chunk']:.3f} ms CPU/chunk, {r['cpu_ms_per_call']:.1f} ms CPU/call",
                flush=True,
            )
    print_table([median_row(runs) for runs in cells.values()], args.repeat)
    print(f"\nload average after: {os.getloadavg()[0]:.2f}. Engine CPU is the whole engine process (LiteLLM's streaming")
    print("included) per streamed chunk and per model call. On a busy machine wall time (and so overhead) includes")
    print("waiting for a core: compare the CPU columns then.")
    if args.profile:
        shares = run(max(args.agents), args.latency, args.chunk_delay, profile=True)["shares"]
        total = sum(shares.values()) or 1.0
        print(f"\nwho spends the engine's CPU ({max(args.agents)} agents, one profiled turn):")
        for owner, seconds in sorted(shares.items(), key=lambda kv: -kv[1]):
            print(f"  {owner:<13} {seconds * 1000:8.1f} ms  {100 * seconds / total:5.1f} %")

if __name__ == "__main__":
    main()
