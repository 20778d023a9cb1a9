"""Start-up cost of the CLI: `mgtui --help` and `mgtui --version` against `python -c pass`.

Goal: `mgtui --help` within 0.3 s of a bare interpreter. Also shows that LiteLLM is not
imported (the import alone takes 3-8 s here).

    python benchmarks/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def timed(cmd: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    py = sys.executable
    cases = {
        "python -c pass": [py, "-c", "pass"],
        "mgtui --help": [py, "-m", "mgtui", "--help"],
        "mgtui --version": [py, "-m", "mgtui", "--version"],
        "mgtui run --help": [py, "-m", "mgtui", "run", "--help"],
        "import mgtui": [py, "-c", "import mgtui"],
    }
    base = statistics.median(timed(cases["python -c pass"], args.runs))
    print(f"{'command':<18} {'median s':>9} {'p90 s':>7} {'over bare':>10}")
    for name, cmd in cases.items():
        times = sorted(timed(cmd, args.runs))
        median, p90 = statistics.median(times), times[int(0.9 * (len(times) - 1))]
        print(f"{name:<18} {median:>9.3f} {p90:>7.3f} {median - base:>+10.3f}")
    probe = "import sys, mgtui.cli as c; c.main(['--help']); print('litellm' in sys.modules, 'textual' in sys.modules, file=sys.stderr)"
    out = subprocess.run([py, "-c", probe], capture_output=True, text=True, check=True).stderr.split()
    print(f"after `mgtui --help`: litellm imported={out[0]}, textual imported={out[1]}")


if __name__ == "__main__":
    main()
