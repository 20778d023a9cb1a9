"""Does the team beat its best member? `mgtui eval @arithmetic` on the embedded `@local` team.

    python benchmarks/quality.py [--n 30] [--seed 0] [--config @local] [--budget-s 900] [--out DIR]

Runs the real `mgtui eval` command in a child process (team sessions, each member alone,
majority vote), stops it with Ctrl+C (SIGINT) once the time budget is spent -- what
finished is kept -- and prints accuracy with 95 % intervals, tokens and wall time for the
team, each member, and the majority, plus team vs best member (exact McNemar). Rerun with
the same --out to finish an eval the budget cut short. Never fails a build.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def run_eval(args: argparse.Namespace, out: Path) -> tuple[float, bool, str]:
    """The eval in a child process, interrupted when the budget is spent; (wall s, cut short, stderr tail)."""
    command = [sys.executable, "-m", "mgtui", "eval", "@arithmetic", "--n", str(args.n), "--seed", str(args.seed),
               "-c", args.config, "--out", str(out), "--concurrency", str(args.concurrency)]
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err, text=True)
        try:
            child.wait(timeout=args.budget_s)
            cut = False
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGINT)  # finished questions are kept and reported
            cut = True
            try:
                child.wait(timeout=120)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        err.seek(0)
        tail = err.read().strip().splitlines()[-3:]
    return time.perf_counter() - start, cut, "\n".join(tail)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--config", default="@local")
    parser.add_argument("--concurrency", type=int, default=1, help="1: the local model serves one call at a time anyway")
    parser.add_argument("--budget-s", type=float, default=900.0, help="stop (keeping what finished) after this long")
    parser.add_argument("--out", help="eval folder (default: a temporary one); reuse it to resume")
    args = parser.parse_args()

    from mgtui.eval.finish import load_summary
    from mgtui.eval.report import grid, verdict
    from mgtui.eval.store import read_meta

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.out) if args.out else Path(tmp) / "eval"
        load = os.getloadavg()[0]
        wall, cut, tail = run_eval(args, out)
        meta = read_meta(out)
        if meta is None:
            print(f"the eval did not start:\n{tail}")
            return 0
        summary, _ = load_summary(out, meta)
    print(f"@arithmetic seed {args.seed}, team {args.config}: {summary.n}/{args.n} questions scored in {wall:.0f} s"
          f"{' (time budget reached: rerun with --out to finish)' if cut else ''}; load average at start {load:.1f}")
    print()
    print(grid(summary))
    print()
    print(verdict(summary))
    if summary.n:
        per_q = {s.name: s.wall_s / s.n for s in summary.systems() if s.n}
        tokens = {s.name: s.tokens / s.n for s in summary.systems() if s.n}
        print("per question: " + " · ".join(f"{name} {per_q[name]:.1f} s, {tokens[name]:.0f} tok" for name in per_q))
    return 0


if __name__ == "__main__":
    sys.exit(main())
