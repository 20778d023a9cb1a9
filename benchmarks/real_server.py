"""Three agents on SmolLM2 behind llama.cpp's own OpenAI-compatible server, measured (issue 15).

    python benchmarks/real_server.py [--questions 10] [--max-tokens 96] [--budget 1800] [--skip-turns]

Part 1 starts `python -m llama_cpp.server --chat_format chatml-function-calling` on a loopback
port (its defaults: it cuts a running stream when another request arrives) and asks each
question of a 3-agent team through a real Session: the share of turns that reach a consensus
by votes (goal 10/10), the median wall time, and fallbacks (answers/votes the engine took from
text or a forced tool choice) per turn. `--budget` stops asking new questions after that many
seconds and says so.

Part 2 is the engine's own CPU for one streamed answer of 125k / 250k / 500k characters in
4-character pieces, fed as LiteLLM-shaped chunks through the reply assembly, the `<think>`
splitter, the draft decoder and the text coalescer (LiteLLM's own cost per chunk is not the
engine's): goal linear, and under 1 s for 500k. Never fails a build.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace as NS
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from local import QUESTIONS  # noqa: E402 - the same ten questions as benchmarks/local.py (this folder is on sys.path)


async def run_turns(server_url: str, questions: list[str], max_tokens: int, budget: float) -> list[dict[str, Any]]:
    from mgtui.config.loader import config_from_data
    from mgtui.engine.session import Session
    from tests.support.llama_server import LlamaServer

    agents = LlamaServer.agents(NS(url=server_url), ["ada", "bob", "cy"], max_tokens=max_tokens)  # type: ignore[arg-type]
    config = {"agents": agents, "orchestrator": {"turn_timeout_seconds": 600, "retry_base_seconds": 0.2, "max_new_answers_per_agent": 1}}
    rows: list[dict[str, Any]] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as logs:
        for question in questions:
            if rows and time.monotonic() - started > budget:
                print(f"  (budget of {budget:g}s used: {len(questions) - len(rows)} question(s) not asked)")
                break
            session = Session(config_from_data(config), log_root=logs)
            t0 = time.monotonic()
            result = await session.ask(question)
            wall = time.monotonic() - t0
            await session.aclose()
            events = [json.loads(line) for line in (Path(result.log_dir) / "events.jsonl").read_text().splitlines()]
            how = next((e["how"] for e in events if e["type"] == "consensus"), "-")
            fallbacks = [e.get("fallback") for e in events if e["type"] in ("answer", "vote") and e.get("fallback")]
            row = {"question": question, "status": result.status, "how": how, "wall": wall,
                   "fallbacks": len(fallbacks), "kinds": ",".join(sorted(set(fallbacks))) or "-", "dropped": len(result.dropped)}
            rows.append(row)
            print(f"  {wall:6.1f} s  {result.status:8} {how:14} fallbacks {row['fallbacks']} ({row['kinds']})  dropped {row['dropped']}  {question}",
                flush=True)
            for dropped in result.dropped:
                print(f"           {dropped['agent']} dropped: {dropped['reason']}", flush=True)
    return rows


def engine_cpu(chars: int, piece: int = 4) -> dict[str, float]:
    """CPU seconds to assemble one streamed answer of `chars` characters (text and tool-call paths)."""
    from mgtui.engine.reply_builder import ReplyBuilder
    from mgtui.engine.streaming import TextCoalescer

    body = ("lorem ipsum dolor sit amet, " * (chars // 28 + 1))[:chars]
    pieces = [body[i : i + piece] for i in range(0, len(body), piece)]
    out: dict[str, float] = {}

    def delta(**fields: Any) -> NS:
        return NS(usage=None, choices=[NS(delta=NS(**{"content": None, "reasoning_content": None, "tool_calls": None, **fields}))])

    text_chunks = [delta(content=p) for p in pieces]
    args = ['{"content": "'] + pieces + ['"}']
    call_chunks = [
        delta(tool_calls=[NS(index=0, id="c1" if i == 0 else None, function=NS(name="new_answer" if i == 0 else None, arguments=a))])
        for i, a in enumerate(args)
    ]
    for name, chunks in (("text", text_chunks), ("new_answer", call_chunks)):
        emitted: list[Any] = []
        loop = asyncio.new_event_loop()

        def feed(emitted: list[Any] = emitted, chunks: list[Any] = chunks) -> None:  # this round's, bound now
            coalescer = TextCoalescer(emitted.append, "a", "coordination", 0.04)
            builder = ReplyBuilder(coalescer)
            for chunk in chunks:
                builder.chunk(chunk)
            reply = builder.reply()
            coalescer.flush()
            assert len(coalescer.total) == chars and (len(reply.text) == chars or len(reply.tool_calls[0]["function"]["arguments"]) == chars + 15)

        t0 = time.process_time()
        loop.call_soon(feed)
        loop.call_soon(loop.stop)
        loop.run_forever()
        out[name] = time.process_time() - t0
        loop.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--max-tokens", type=int, default=96)
    parser.add_argument("--budget", type=float, default=1800.0, help="stop asking new questions after this many seconds")
    parser.add_argument("--skip-turns", action="store_true", help="only the engine CPU part")
    args = parser.parse_args()

    if not args.skip_turns:
        from tests.support.llama_server import LlamaServer, smollm2_weights, why_unavailable

        reason = why_unavailable()
        if reason:
            print(f"part 1 skipped: {reason}")
        else:
            server = LlamaServer(smollm2_weights()).start(Path(tempfile.mkdtemp()) / "llama-server.log")  # type: ignore[arg-type]
            print(f"llama.cpp server at {server.url} (SmolLM2-135M, chatml-function-calling, n_ctx 4096)")
            try:
                rows = asyncio.run(run_turns(server.url, QUESTIONS[: args.questions], args.max_tokens, args.budget))
            finally:
                server.stop()
            if rows:
                ok = sum(1 for r in rows if r["status"] == "ok" and r["how"] == "votes")
                walls = [r["wall"] for r in rows]
                print(f"consensus by votes: {ok}/{len(rows)} (goal {len(rows)}/{len(rows)})")
                print(f"median wall: {statistics.median(walls):.1f} s  (min {min(walls):.1f}, max {max(walls):.1f})")
                print(f"fallbacks per turn: {statistics.mean(r['fallbacks'] for r in rows):.1f} (mean), dropped agents: {sum(r['dropped'] for r in rows)}")

    print("engine CPU for one streamed answer (4-character pieces):")
    for chars in (125_000, 250_000, 500_000):
        cpu = engine_cpu(chars)
        print(f"  {chars:>7,} chars: text {cpu['text']:.3f} s, new_answer arguments {cpu['new_answer']:.3f} s")
    print("goal: linear (doubling the length doubles the time) and under 1 s at 500k")
    return 0


if __name__ == "__main__":
    sys.exit(main())
