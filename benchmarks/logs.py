"""Session logs at scale: listing, instant replay, summary and analysis prompt.

Generates the logs with `tests/support/log_factory.py` in a temporary folder, then measures
(best of --repeat runs):

- listing 1,000 and 10,000 sessions from their `session.json` index (goal < 1 s for 1,000),
  and 1,000 without an index (read from the head and tail of each log);
- reading and instantly replaying a 100,000-event log through the replay source alone
  (goal <= 3 s), and through the TUI's event -> Message adapter;
- the summary (`logs summary`) and the analysis prompt of the same log;
- a smaller log (--app-events) replayed instantly through the whole app (replay screen,
  headless): what the widgets cost per event.

    python benchmarks/logs.py [--repeat 3] [--events 100000] [--app-events 1000] [--skip-10k]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mgtui.logs.analyze import build_prompt  # noqa: E402
from mgtui.logs.reader import read_events  # noqa: E402
from mgtui.logs.replay import ReplaySource  # noqa: E402
from mgtui.logs.store import list_sessions  # noqa: E402
from mgtui.logs.summary import summarize  # noqa: E402
from tests.support.log_factory import make_big_session, make_sessions  # noqa: E402


def best_of(repeat: int, fn: Callable[[], object]) -> tuple[float, object]:
    best, result = math.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


async def _drain(source: ReplaySource, sink: Callable[[object], object] | None) -> int:
    count = 0
    async for event in source:
        if sink is not None:
            sink(event)
        count += 1
    return count


def replay(events: list, sink: Callable[[object], object] | None = None) -> int:
    return asyncio.run(_drain(ReplaySource(events, speed=math.inf), sink))


async def _through_app(folder: Path) -> int:
    from mgtui.tui.replay_app import ReplayApp  # noqa: PLC0415

    app = ReplayApp(folder, speed=math.inf)
    async with app.run_test(size=(160, 48)):
        screen = app.screen
        while not (screen.engine.finished and screen.message_queue_size == 0):
            await asyncio.sleep(0.01)
        return screen.source.total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--skip-10k", action="store_true", help="skip the 10,000-session listing")
    parser.add_argument("--app-events", type=int, default=1_000, help="events replayed through the whole app (0: skip)")
    args = parser.parse_args()
    rows: list[tuple[str, float, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="mgtui-bench-") as tmp:
        base = Path(tmp)
        for count in (1_000,) + (() if args.skip_10k else (10_000,)):
            root = base / f"indexed-{count}"
            make_sessions(root, count)
            seconds, listed = best_of(args.repeat, lambda root=root: list_sessions(root))
            rows.append((f"list {count:,} sessions (index)", seconds, f"{len(listed):,} rows", "< 1 s" if count == 1_000 else ""))
        root = base / "no-index"
        make_sessions(root, 1_000, with_index=False)
        seconds, listed = best_of(args.repeat, lambda: list_sessions(root))
        rows.append(("list 1,000 sessions (no index)", seconds, f"{len(listed):,} rows", ""))

        folder = make_big_session(base / "big", args.events)
        size_mb = (folder / "events.jsonl").stat().st_size / 1e6
        seconds, (events, _report) = best_of(args.repeat, lambda: read_events(folder))
        rows.append((f"read {len(events):,} events ({size_mb:.1f} MB)", seconds, "", ""))
        seconds, count = best_of(args.repeat, lambda: replay(events))
        rows.append(("instant replay, source alone", seconds, f"{count:,} events", ""))
        seconds, count = best_of(args.repeat, lambda: replay(read_events(folder)[0]))
        rows.append(("read + instant replay", seconds, f"{count:,} events", "<= 3 s"))
        try:
            from mgtui.terminal_text import safe_model  # noqa: PLC0415
            from mgtui.tui.messages import EngineEvent  # noqa: PLC0415
        except ImportError:
            rows.append(("instant replay + adapter", math.nan, "no TUI adapter", ""))
        else:
            seconds, count = best_of(args.repeat, lambda: replay(events, lambda e: EngineEvent(safe_model(e))))
            rows.append(("instant replay + event->Message adapter", seconds, f"{count:,} messages", "<= 3 s"))
        seconds, summary = best_of(args.repeat, lambda: summarize(events))
        rows.append(("summary", seconds, f"{len(summary.turns):,} turns", ""))
        seconds, prompt = best_of(args.repeat, lambda: build_prompt(summary))
        rows.append(("analysis prompt", seconds, f"{len(prompt) / 1e6:.1f} M chars", ""))
        if args.app_events:
            small = make_big_session(base / "small", args.app_events)
            seconds, count = best_of(1, lambda: asyncio.run(_through_app(small)))
            rows.append(("instant replay through the app", seconds, f"{count:,} events", f"{seconds / count * 1e3:.1f} ms/event"))

    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  {'seconds':>8}  {'':<16}  goal")
    for name, seconds, note, goal in rows:
        print(f"{name.ljust(width)}  {seconds:8.3f}  {note:<16}  {goal}")


if __name__ == "__main__":
    main()
