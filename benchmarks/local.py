"""The embedded SmolLM2 model: a 3-agent consensus per question, measured.

    python benchmarks/local.py [--questions 10] [--threads N] [--config configs/local.yaml]

Prints per question: wall time, CPU time (all threads), status, how the winner was chosen, tokens and restarts;
then: raw decode speed (tokens/s of one plain generation), median/mean turn time (goal
<= 60 s on 2 cores), effective tokens/s, peak RSS and the share of turns that ended in a
valid consensus (all three agents voted; no timeout). Never fails a build.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUESTIONS = [
    "What is the capital of France?",
    "How many legs does a spider have?",
    "What gas do plants absorb from the air?",
    "What is 12 times 12?",
    "Which planet is closest to the Sun?",
    "What is the boiling point of water at sea level in Celsius?",
    "Who wrote Romeo and Juliet?",
    "What is the largest ocean on Earth?",
    "What colour do you get by mixing blue and yellow?",
    "How many days are in a leap year?",
]


def decode_speed(tokens: int = 128) -> float:
    """Tokens/s of one plain generation on the shared model instance (prompt excluded)."""
    from mgtui.providers.local_model import stream_chunks

    messages = [{"role": "user", "content": "Write a short story about a lighthouse keeper."}]
    first = time.perf_counter()
    chunks: list[dict[str, Any]] = []
    for chunk in stream_chunks("smollm2", messages, {"max_tokens": tokens, "temperature": 0.8}, threading.Event()):
        if not chunks:
            first = time.perf_counter()  # after prompt processing
        chunks.append(chunk)
    generated = chunks[-1]["usage"]["completion_tokens"]
    return (generated - 1) / max(time.perf_counter() - first, 1e-9) if generated > 1 else 0.0


async def one_turn(loaded: Any, log_root: str, question: str) -> dict[str, Any]:
    from mgtui.engine.session import Session

    events: list[Any] = []
    session = Session(loaded, log_root=log_root, sink=events.append)
    start, cpu = time.perf_counter(), time.process_time()
    try:
        result = await session.ask(question)
    finally:
        session.close()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    consensus = next((e for e in events if e.type == "consensus"), None)
    voters = {e.agent for e in events if e.type == "vote"}
    how = consensus.how if consensus else "-"
    return {
        "question": question,
        "wall": wall,
        "cpu": cpu,  # all threads: on a shared machine this says more than the wall time
        "status": result.status,
        "winner": result.winner or "-",
        "how": how,
        "valid": result.status == "ok" and how == "votes" and voters >= {a.id for a in loaded.config.agents},
        "completion": sum(u.get("completion_tokens", 0) for u in result.usage.values()),
        "prompt": sum(u.get("prompt_tokens", 0) for u in result.usage.values()),
        "restarts": sum(1 for e in events if e.type == "agent_stopped"),
        "errors": [e.error[:50] for e in events if e.type == "agent_error"],
        "final": (result.final_answer or "").strip().replace("\n", " ")[:60],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=len(QUESTIONS))
    parser.add_argument("--threads", type=int, help="llama.cpp threads (MGTUI_LOCAL_THREADS)")
    parser.add_argument("--config", default=str(ROOT / "configs" / "local.yaml"))
    args = parser.parse_args()
    if args.threads:
        os.environ["MGTUI_LOCAL_THREADS"] = str(args.threads)

    from mgtui.config.loader import load_config_file
    from mgtui.providers.litellm_access import ensure_providers
    from mgtui.providers.local_llama import threads

    loaded = load_config_file(args.config)
    ensure_providers([a.model for a in loaded.config.agents])
    load = os.getloadavg()[0]
    speed = decode_speed()
    rows = []
    with tempfile.TemporaryDirectory() as log_root:
        for question in (QUESTIONS * 2)[: args.questions]:
            rows.append(asyncio.run(one_turn(loaded, log_root, question)))
            r = rows[-1]
            print(
                f"{r['wall']:6.1f}s  cpu {r['cpu']:5.1f}s  {r['status']:<8} {r['how']:<14} {r['winner']:<8} "
                f"{r['prompt']:>5}+{r['completion']:<4} tok  {r['restarts']} restarts  {r['question'][:34]:<34} -> {r['final']}"
                + "".join(f"\n        agent error: {e}" for e in r["errors"]),
                flush=True,
            )
    walls = [r["wall"] for r in rows]
    completion = sum(r["completion"] for r in rows)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print(f"{'cores / llama threads':<34} {os.cpu_count()} / {threads()}   (load average at start {load:.1f})")
    print(f"{'decode speed (one generation)':<34} {speed:.0f} tokens/s")
    print(f"{'turn wall time median / mean / max':<34} {statistics.median(walls):.1f} / {statistics.mean(walls):.1f} / {max(walls):.1f} s  (goal <= 60 s)")
    print(f"{'CPU seconds per turn median':<34} {statistics.median(r['cpu'] for r in rows):.1f} s")
    print(f"{'effective completion tokens/s':<34} {completion / sum(walls):.1f}")
    print(f"{'peak RSS':<34} {peak_mb:.0f} MB")
    print(f"{'valid consensus':<34} {sum(r['valid'] for r in rows)}/{len(rows)} turns")
    return 0


if __name__ == "__main__":
    sys.exit(main())
