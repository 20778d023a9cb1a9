"""What one streamed text delta costs between the engine and the screen (issue 19, "serialise once").

    python benchmarks/pipe.py [--deltas 20000] [--rounds 5]

Engine side: serialise, redact, append to events.jsonl, write to the pipe. Client side: read the
line from the pipe, parse it into an event. Both run in this process over a real os.pipe (in
batches that fit the pipe's buffer) and are timed with CPU time, each side on its own.

"before" reimplements the old path inline (the log serialises, the service sink serialises again,
the client does json.loads then validates the dict); "after" calls the real code
(`SessionLog.write`, `EngineService.sink_line`, `EngineClient._handle_line`). The screen's
handling of the event is left out of both. Never fails a build.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mgtui.engine.events import TextDelta, event_to_json, parse_event  # noqa: E402
from mgtui.engine.logwriter import Redactor, SessionLog  # noqa: E402
from mgtui.engine.service import EngineService  # noqa: E402
from mgtui.tui import engine_client  # noqa: E402

BATCH = 100  # lines per batch: ~20 KB, well inside a pipe's 64 KiB buffer
SECRETS = ["sk-test-0123456789abcdef", "mgsecret-Z9y8X7w6V5u4T3s2", "hunter2hunter2"]  # a typical config's few


def make_deltas(count: int) -> list[TextDelta]:
    words = "The answer follows from the premises: six times seven is forty-two, as shown above. ".split()
    return [
        TextDelta(agent=("alpha", "beta", "gamma")[i % 3], delta=" ".join(words[i % 9 : i % 9 + 3]) + " ",
                  phase="coordination", session="20261207-120000-abcdef", turn=1)
        for i in range(count)
    ]


class OldEngine:
    """The former path: the log serialises and redacts; the service sink serialises again."""

    def __init__(self, folder: Path, redact: Redactor, pipe: io.TextIOBase) -> None:
        self._file = open(folder / "events.jsonl", "a", encoding="utf-8")  # noqa: SIM115
        self._redact = redact
        self._pipe = pipe

    def emit(self, event: Any) -> None:
        raw = event.model_dump_json()
        line = self._redact(raw)
        if line != raw:
            event = parse_event(line)
        self._file.write(line + "\n")
        self._file.flush()
        self._pipe.write(event_to_json(event) + "\n")
        self._pipe.flush()


class NewEngine:
    """The real code: one serialisation in SessionLog.write, the same line to the pipe."""

    def __init__(self, folder: Path, redact: Redactor, pipe: io.TextIOBase) -> None:
        self._log = SessionLog(folder, redact)
        self._service = EngineService(pipe, "unused.yaml", None, None)  # type: ignore[arg-type]

    def emit(self, event: Any) -> None:
        line, _event = self._log.write(event)
        self._service.sink_line(line)


def old_client(line: str) -> None:
    """The former EngineClient._handle_line for an event line: json.loads, then validate the dict."""
    data = json.loads(line)
    kind = data.get("type") if isinstance(data, dict) else None
    if kind not in ("service_ready", "service_error", "busy"):
        parse_event(data)


def new_client() -> Callable[[str], None]:
    posted: list[Any] = []
    engine_client.msg = SimpleNamespace(post_event=lambda _target, event: posted.append(event))  # type: ignore[assignment]
    client = engine_client.EngineClient(SimpleNamespace(post_message=posted.append), None)  # type: ignore[arg-type]

    def handle(line: str) -> None:
        client._handle_line(line)
        posted.clear()

    return handle


def run(engine_cls: type, client: Callable[[str], None], deltas: list[TextDelta]) -> tuple[float, float]:
    """CPU seconds (engine, client) for all deltas."""
    read_fd, write_fd = os.pipe()
    writer = os.fdopen(write_fd, "w", encoding="utf-8", buffering=1)  # as the service's stdout
    reader = os.fdopen(read_fd, "rb")
    engine_cpu = client_cpu = 0.0
    with tempfile.TemporaryDirectory(prefix="mgtui-bench-pipe-") as folder:
        engine = engine_cls(Path(folder), Redactor(SECRETS), writer)
        for start in range(0, len(deltas), BATCH):
            batch = deltas[start : start + BATCH]
            began = time.process_time()
            for event in batch:
                engine.emit(event)
            engine_cpu += time.process_time() - began
            began = time.process_time()
            for _ in batch:
                client(reader.readline().decode("utf-8", "replace"))
            client_cpu += time.process_time() - began
    writer.close()
    reader.close()
    return engine_cpu, client_cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deltas", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    deltas = make_deltas(args.deltas)
    paths = {"before": (OldEngine, old_client), "after": (NewEngine, new_client())}
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in paths}
    for _ in range(args.rounds):  # interleaved, so a busy neighbour slows both alike
        for name, (engine_cls, client) in paths.items():
            results[name].append(run(engine_cls, client, [d.model_copy() for d in deltas]))
    print(f"{args.deltas} text deltas, median of {args.rounds} rounds, CPU microseconds per delta")
    print(f"{'path':<8} {'engine':>8} {'client':>8} {'total':>8}")
    totals = {}
    for name, rounds in results.items():
        engine = statistics.median(r[0] for r in rounds) / args.deltas * 1e6
        client = statistics.median(r[1] for r in rounds) / args.deltas * 1e6
        totals[name] = statistics.median(r[0] + r[1] for r in rounds) / args.deltas * 1e6
        print(f"{name:<8} {engine:>8.2f} {client:>8.2f} {totals[name]:>8.2f}")
    print(f"after/before: {totals['after'] / totals['before']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
