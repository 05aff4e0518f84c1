"""Startup time of `orchestrator --help` against bare `python -c pass`.

Runs them in turn (N rounds, so machine load affects all alike) - the console script, then
`python -m orchestrator --help`, then bare Python - prints each median and its ratio to bare
Python side by side, and exits 1 when the console script's ratio is above the target (2.5x).

    .venv/bin/python bench/startup.py [--quick] [-n 20] [--max-ratio 2.5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _support import bench_arguments, exit_code, write_report


def orchestrator_commands() -> list[list[str]]:
    """The venv's console script (when installed) and `python -m orchestrator`."""
    module = [sys.executable, "-m", "orchestrator", "--help"]
    script = Path(sys.executable).with_name("orchestrator")
    return [[str(script), "--help"], module] if script.is_file() else [module]


def shown(argv: list[str]) -> str:
    """The command line with paths inside the repository made relative to it."""
    root = str(Path(__file__).resolve().parents[1]) + "/"
    return " ".join(arg.removeprefix(root) for arg in argv)


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    bench_arguments(parser, "startup")
    parser.add_argument("-n", type=int, default=20, help="runs of each command")
    parser.add_argument("--max-ratio", type=float, default=2.5, help="fail above this ratio")
    args = parser.parse_args()
    if args.quick:
        args.n = 3
    tools, bare = orchestrator_commands(), [sys.executable, "-c", "pass"]
    commands = [*tools, bare]
    for argv in commands:
        timed(argv)  # warm the OS file cache
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(args.n):
        for argv, seen in zip(commands, times, strict=True):
            seen.append(timed(argv))
    medians = [statistics.median(seen) for seen in times]
    bare_median = medians[-1]
    for argv, median in zip(commands, medians, strict=True):
        ratio = median / bare_median
        print(f"{median * 1000:7.1f} ms  {ratio:4.2f}x  {shown(argv)}  (median of {args.n})")
    ratio = medians[0] / bare_median
    verdict = "ok" if ratio <= args.max_ratio else "TOO SLOW"
    print(f"ratio {ratio:.2f}x (target <= {args.max_ratio}x): {verdict}")
    doc = {
        "commands": [shown(argv) for argv in commands],
        "medians": medians,
        "ratio": ratio,
        "runs": args.n,
    }
    write_report(args.out, doc)
    checks = [(f"--help <= {args.max_ratio}x python -c pass", ratio <= args.max_ratio)]
    return exit_code(checks, args.quick)


if __name__ == "__main__":
    sys.exit(main())
