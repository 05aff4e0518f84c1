"""Startup time of `orchestrator --help` against bare `python -c pass`.

Runs the two alternately (N times each, so machine load affects both alike), prints the
medians and their ratio, and exits 1 when the ratio is above the target (2.5x bare Python).

    .venv/bin/python bench/startup.py [-n 20] [--max-ratio 2.5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path


def orchestrator_command() -> list[str]:
    """The venv's console script when installed, else `python -m orchestrator`."""
    script = Path(sys.executable).with_name("orchestrator")
    if script.is_file():
        return [str(script), "--help"]
    return [sys.executable, "-m", "orchestrator", "--help"]


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=20, help="runs of each command")
    parser.add_argument("--max-ratio", type=float, default=2.5, help="fail above this ratio")
    args = parser.parse_args()
    tool, bare = orchestrator_command(), [sys.executable, "-c", "pass"]
    timed(tool), timed(bare)  # warm the OS file cache
    tool_times: list[float] = []
    bare_times: list[float] = []
    for _ in range(args.n):
        tool_times.append(timed(tool))
        bare_times.append(timed(bare))
    tool_median, bare_median = statistics.median(tool_times), statistics.median(bare_times)
    ratio = tool_median / bare_median
    print(f"{' '.join(tool)}: median {tool_median * 1000:.1f} ms over {args.n} runs")
    print(f"{' '.join(bare)}: median {bare_median * 1000:.1f} ms over {args.n} runs")
    verdict = "ok" if ratio <= args.max_ratio else "TOO SLOW"
    print(f"ratio {ratio:.2f}x (target <= {args.max_ratio}x): {verdict}")
    return 0 if ratio <= args.max_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
