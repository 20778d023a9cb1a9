"""TUI benchmark: startup, key latency under load, screen lag, lost characters, memory.

    python benchmarks/tui.py [--runs 5] [--agents 8] [--seconds 60] [--tokens-per-s 200]
                             [--account-seconds 15] [--skip-load] [--skip-account]

(a) startup: process start -> first frame of `mgtui` and of a bare one-widget Textual app,
    both in tmux, polled with capture-pane (goal: mgtui within 1.3x of the bare app).
(b) load: mgtui in tmux while N agents stream ~T tokens/s each from the loopback model
    server; p50/p95 key-press -> on-screen latency for typing in the prompt and opening the
    command palette, loaded vs idle (goal: within 2x); the age of the newest streamed line
    on screen against the engine's event log; RSS of the UI and engine at the end.
(c) accounting: the same load in-process (headless), so the panes can be asked how many
    characters they received and hold, against the text deltas in events.jsonl.
Prints tables; never fails a build. Needs tmux for (a) and (b).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tmux_check import (  # noqa: E402
    FIRST_FRAME_MARKER,
    REPO,
    Tmux,
    loopback_setup,
    mgtui_command,
    mgtui_env,
)

FINAL = "BENCH-FINAL-DONE"
LINE = re.compile(r"a(\d+) (\d{5}) ")
BARE_APP = """\
from textual.app import App
from textual.widgets import Label
class Bare(App):
    def compose(self):
        yield Label("BARE-READY")
Bare().run()
"""


# -- helpers ------------------------------------------------------------------------------

def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def table(title: str, header: list[str], rows: list[list[object]]) -> None:
    cells = [header] + [[f"{c:.3f}" if isinstance(c, float) else str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    print(f"\n{title}")
    for n, row in enumerate(cells):
        print("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths))


def load_note() -> str:
    """Other work on the machine skews every number here: print it with them."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min) / {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def stream_script(agent: int, seconds: float, tokens_per_s: float):
    """Stream numbered lines for `seconds` at ~tokens_per_s (4 chars a token), then answer;
    vote once answers exist; a short final presentation."""
    from tests.support.replies import new_answer, text, vote  # noqa: PLC0415

    chars_per_s = tokens_per_s * 4
    chunk = 16
    lines, total, k = [], 0, 0
    while total < chars_per_s * seconds:
        line = f"a{agent} {k:05d} lorem ipsum dolor sit\n"
        lines.append(line)
        total += len(line)
        k += 1
    body = "".join(lines)

    def policy(request, _index):
        if not request.tools:
            return text(f"{FINAL} from a{agent}")
        if request.vote_enum:
            return vote(request.vote_enum[0], "first answer")
        return new_answer(f"answer of a{agent}", text=body, chunk_size=chunk, chunk_delay=chunk / chars_per_s)

    return policy


def event_log(workdir: Path) -> list[dict]:
    logs = sorted(workdir.rglob("events.jsonl"))
    if not logs:
        return []
    return [json.loads(line) for line in logs[-1].read_text().splitlines() if line.strip()]


def line_emit_times(events: list[dict]) -> dict[tuple[int, int], float]:
    """(agent number, line number) -> when the engine emitted the text completing it (epoch s)."""
    out: dict[tuple[int, int], float] = {}
    buffers: dict[str, str] = {}
    for event in events:
        if event.get("type") != "text" or event.get("phase") == "final":
            continue
        buf = buffers.get(event["agent"], "") + event["delta"]
        ts = datetime.fromisoformat(event["ts"]).timestamp()
        *complete, buffers[event["agent"]] = buf.split("\n")
        for line in complete:
            if match := LINE.match(line + " "):
                out.setdefault((int(match[1]), int(match[2])), ts)
    return out


# -- (a) startup --------------------------------------------------------------------------

def compile_bytecode() -> None:
    """Write mgtui's .pyc files first, as pip does when it installs a wheel: Textual's are in
    site-packages already, and a checkout run with PYTHONDONTWRITEBYTECODE=1 would otherwise
    compile every module of the app on each start."""
    import compileall  # noqa: PLC0415

    compileall.compile_dir(str(REPO / "mgtui"), quiet=1)


def bench_startup(runs: int) -> None:
    compile_bytecode()
    workdir = Path(tempfile.mkdtemp(prefix="mgtui-bench-start-"))
    (workdir / "bare.py").write_text(BARE_APP)
    server, config = loopback_setup(workdir, 2, lambda i: stream_script(i, 1, 50))
    commands = {
        "bare Textual app": (f"exec {sys.executable} bare.py", "BARE-READY"),
        "mgtui": (mgtui_command(config), FIRST_FRAME_MARKER),
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    try:
        for _ in range(runs):
            for name, (command, marker) in commands.items():
                tmux = Tmux(120, 40)
                start = time.perf_counter()
                tmux.start(command, workdir, mgtui_env())
                tmux.wait_for(lambda s, m=marker: m in s, 60, poll=0.005)
                times[name].append(time.perf_counter() - start)
                pids = [tmux.pane_pid()]
                pids += descendants(pids[0])
                tmux.kill()
                for pid in pids:  # the engine process must not outlive its run
                    try:
                        os.kill(pid, 9)
                    except ProcessLookupError:
                        pass
                time.sleep(0.3)
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    bare = statistics.median(times["bare Textual app"])
    table(f"(a) process start -> first frame in tmux ({runs} runs each, seconds; {load_note()})",
          ["app", "median", "min", "max", "x bare"],
          [[n, statistics.median(t), min(t), max(t), f"{statistics.median(t) / bare:.2f}x"] for n, t in times.items()])


# -- (b) load in tmux ---------------------------------------------------------------------

class KeyProbe:
    """Key press -> effect on screen, measured through tmux. Polls every 10 ms: a busy
    capture-pane loop would itself eat a core and slow the app being measured."""

    POLL = 0.01

    def __init__(self, tmux: Tmux) -> None:
        self.tmux = tmux
        self.typed = 0

    def type_char(self) -> float:
        self.typed += 1
        want = "Z" * self.typed
        start = time.perf_counter()
        self.tmux.send("Z", literal=True)
        self.tmux.wait_for(lambda s: want in s, 30, poll=self.POLL)
        return time.perf_counter() - start

    def palette(self) -> float:
        start = time.perf_counter()
        self.tmux.send("C-p")
        self.tmux.wait_for(lambda s: "Search for commands" in s, 30, poll=self.POLL)
        took = time.perf_counter() - start
        self.tmux.send("Escape")
        self.tmux.wait_for(lambda s: "Search for commands" not in s, 30, poll=0.01)
        return took

    def clear(self) -> None:
        self.tmux.send(*["BSpace"] * self.typed)
        self.typed = 0


def bench_load(agents: int, seconds: float, tokens_per_s: float) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="mgtui-bench-load-"))
    server, config = loopback_setup(workdir, agents, lambda i: stream_script(i, seconds, tokens_per_s))
    tmux = Tmux(200, 50)
    idle: dict[str, list[float]] = {"type": [], "palette": []}
    load: dict[str, list[float]] = {"type": [], "palette": []}
    samples: list[tuple[float, dict[int, int]]] = []
    try:
        tmux.start(mgtui_command(config), workdir, mgtui_env())
        tmux.wait_for(lambda s: "engine ready" in s, 60, poll=0.05)
        probe = KeyProbe(tmux)
        for _ in range(30):  # enough idle samples that the p95 is not one outlier
            idle["type"].append(probe.type_char())
            time.sleep(0.1)
        for _ in range(15):
            idle["palette"].append(probe.palette())
            time.sleep(0.2)
        probe.clear()
        tmux.wait_for(lambda s: "Z" not in s, 10, poll=0.05)
        tmux.send("stream please", literal=True)
        tmux.send("Enter")
        tmux.wait_for(lambda s: LINE.search(s) is not None, 120, poll=0.05)
        ui_pid = tmux.pane_pid()
        engine_pids = descendants(ui_pid)
        cpu_start = (cpu_seconds(ui_pid), sum(cpu_seconds(p) for p in engine_pids), time.perf_counter())
        stream_end = time.perf_counter() + seconds * 0.95
        turn = 0
        while time.perf_counter() < stream_end:
            turn += 1
            kind = "palette" if turn % 3 == 0 else "type"
            load[kind].append(probe.palette() if kind == "palette" else probe.type_char())
            screen, seen_at = tmux.screen(), time.time()
            newest: dict[int, int] = {}
            for agent, line in LINE.findall(screen):
                newest[int(agent)] = max(newest.get(int(agent), -1), int(line))
            samples.append((seen_at, newest))
            time.sleep(0.3)
        wall = time.perf_counter() - cpu_start[2]
        cpu_ui = cpu_seconds(ui_pid) - cpu_start[0]
        cpu_engine = sum(cpu_seconds(p) for p in engine_pids) - cpu_start[1]
        load_text = load_note()
        _, screen = tmux.wait_for(lambda s: FINAL in s, 300, poll=0.5)
        ui_rss = rss_mb(ui_pid)
        engine_rss = sum(rss_mb(p) for p in descendants(ui_pid))
        print("\nscreen at the end of the loaded run:\n" + screen)
    finally:
        tmux.kill()
        server.stop()
    emitted = line_emit_times(event_log(workdir))
    ages = [seen - emitted[(a, n)] for seen, newest in samples for a, n in newest.items() if (a, n) in emitted]
    shutil.rmtree(workdir, ignore_errors=True)
    rows = []
    for kind in ("type", "palette"):
        i, loaded = idle[kind], load[kind]
        rows.append([f"{'type a char in the prompt' if kind == 'type' else 'open command palette'}",
                     len(i), pct(i, 50), pct(i, 95), len(loaded), pct(loaded, 50), pct(loaded, 95),
                     f"{pct(loaded, 95) / pct(i, 95):.2f}x"])
    table(f"(b) key press -> on screen, seconds ({agents} agents x ~{tokens_per_s:.0f} tok/s for {seconds:.0f}s; "
          f"{load_note()})",
          ["key", "idle n", "idle p50", "idle p95", "load n", "load p50", "load p95", "p95 load/idle"], rows)
    for kind in ("type", "palette"):  # a p95 of a few dozen samples rests on its top few
        print(f"  slowest {kind} under load: {', '.join(f'{v:.3f}' for v in sorted(load[kind])[-5:])}")
    table("(b) age of the newest streamed line on screen vs the engine's event log, seconds",
          ["samples", "p50", "p95", "max"], [[len(ages), pct(ages, 50), pct(ages, 95), max(ages, default=float("nan"))]])
    table(f"(b) CPU while streaming ({wall:.0f}s wall; {load_text})", ["UI process", "engine process(es)"],
          [[f"{cpu_ui:.1f}s ({cpu_ui / wall:.0%} of a core)", f"{cpu_engine:.1f}s ({cpu_engine / wall:.0%} of a core)"]])
    table("(b) memory at the end of the turn (RSS, MB)", ["UI process", "engine process(es)"], [[ui_rss, engine_rss]])


# -- (c) character accounting (in-process, headless) --------------------------------------

async def _account(agents: int, seconds: float, tokens_per_s: float) -> None:
    from mgtui.tui.app import MgtuiApp  # noqa: PLC0415
    from mgtui.tui.screens.main import MainScreen  # noqa: PLC0415
    from mgtui.tui.widgets.live_tail import LiveTail  # noqa: PLC0415
    from mgtui.tui.widgets.prompt_bar import PromptBar  # noqa: PLC0415

    workdir = Path(tempfile.mkdtemp(prefix="mgtui-bench-acct-"))
    server, config = loopback_setup(workdir, agents, lambda i: stream_script(i, seconds, tokens_per_s))
    app = MgtuiApp(str(config), cwd=workdir, log_root=str(workdir / "logs"))
    try:
        async with app.run_test(headless=True, size=(200, 50)) as pilot:
            main = next(s for s in app.screen_stack if isinstance(s, MainScreen))
            while not main.control.ready:
                await asyncio.sleep(0.1)
            main.query_one(PromptBar).text = "stream please"
            await pilot.press("enter")
            while FINAL not in main.team.final_view.content:
                await asyncio.sleep(0.2)
            await pilot.pause()
            received = {aid: pane.chars_received for aid, pane in main.team.panes.items()}
            held = {aid: sum(len(t.text) for t in pane.query(LiveTail)) for aid, pane in main.team.panes.items()}
            await app.action_quit()
    finally:
        server.stop()
    logged: dict[str, int] = {}
    for event in event_log(workdir):
        if event.get("type") == "text" and event.get("phase") != "final":
            logged[event["agent"]] = logged.get(event["agent"], 0) + len(event["delta"])
    shutil.rmtree(workdir, ignore_errors=True)
    rows = [[aid, logged.get(aid, 0), received[aid], held[aid], logged.get(aid, 0) - received[aid]] for aid in received]
    rows.append(["total", sum(logged.values()), sum(received.values()), sum(held.values()),
                 sum(logged.values()) - sum(received.values())])
    table(f"(c) streamed characters: event log vs panes ({agents} agents, {seconds:.0f}s, headless)",
          ["agent", "in events.jsonl", "received by pane", "held in pane tails", "lost"], rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--agents", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--tokens-per-s", type=float, default=200.0)
    parser.add_argument("--account-seconds", type=float, default=15.0)
    parser.add_argument("--skip-startup", action="store_true")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-account", action="store_true")
    args = parser.parse_args(argv)
    os.environ.update(mgtui_env())
    sys.path.insert(0, str(REPO))
    have_tmux = shutil.which("tmux") is not None
    if not have_tmux:
        print("tmux is not installed: skipping (a) and (b)  (apt-get install -y tmux)")
    if have_tmux and not args.skip_startup:
        bench_startup(args.runs)
    if have_tmux and not args.skip_load:
        bench_load(args.agents, args.seconds, args.tokens_per_s)
    if not args.skip_account:
        asyncio.run(_account(args.agents, args.account_seconds, args.tokens_per_s))
    return 0


if __name__ == "__main__":
    sys.exit(main())
