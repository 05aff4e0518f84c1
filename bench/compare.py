"""The orchestrator of an earlier commit against the working tree, side by side, one run.

    .venv/bin/python bench/compare.py [--old HEAD] [-n 7]

Exports the earlier commit's `orchestrator/` package (`git archive`, read-only) into a temp
folder, starts one localcloud (of the working tree), provisions and deploys a workspace once,
then alternates old and new for: `orchestrator --help` (3n runs each), a no-change provision
and a nothing-changed deploy (with and without the restart), n runs each, and prints the
medians side by side. It also lists the heavy packages a no-change provision imports.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _support import ROOT, cli_env, machine, median, private_localcloud, table, unique_name
from _support import make_workspace as bench_workspace

HEAVY = ("aiohttp", "azure.storage", "rich", "jinja2", "jsonschema")


def export(ref: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "orchestrator"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[2:])} failed: {done.stderr[-600:]}")
    return took


def imported(argv: list[str], cwd: Path, env: dict[str, str]) -> list[str]:
    done = subprocess.run(
        [argv[0], "-X", "importtime", *argv[1:]], cwd=cwd, env=env, capture_output=True, text=True
    )
    names = {
        line.rsplit("|", 1)[-1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }
    return [h for h in HEAVY if any(n == h or n.startswith(h + ".") for n in names)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", default="HEAD", help="the earlier commit (default HEAD)")
    parser.add_argument("-n", type=int, default=7, help="runs of each slow command per side")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="compare-") as tmp,
        private_localcloud("cmp-") as (
            lc,
            scratch,
        ),
    ):
        old = export(args.old, Path(tmp))
        envs = {"old": {**cli_env(lc), "PYTHONPATH": str(old)}, "new": cli_env(lc)}
        envs["new"].pop("PYTHONPATH", None)
        ws = bench_workspace(scratch / "ws", idle_app=False)  # deploy waits for it to answer
        group = unique_name("rgcmp")
        cmd = [sys.executable, "-m", "orchestrator"]
        timed(
            [*cmd, "provision", "-g", group, "-l", "eastus", "--create-resource-group"],
            ws,
            envs["new"],
        )
        timed([*cmd, "deploy", "--no-restart"], ws, envs["new"])
        cases = {
            "--help": (["--help"], 3 * args.n),
            "provision (no change)": (["provision", "-g", group], args.n),
            "deploy (nothing changed)": (["deploy"], args.n),
            "deploy --no-restart (nothing changed)": (["deploy", "--no-restart"], args.n),
        }
        rows = []
        for name, (extra, runs) in cases.items():
            walls: dict[str, list[float]] = {"old": [], "new": []}
            for _ in range(runs):
                for side in ("old", "new"):
                    walls[side].append(timed([*cmd, *extra], ws, envs[side]))
            o, n = median(walls["old"]), median(walls["new"])
            rows.append([name, runs, f"{o:.3f}", f"{n:.3f}", f"{n / o:.2f}"])
        print(f"{args.old} vs the working tree; {machine()}")
        print(table(["command", "runs", "old median s", "new median s", "new/old"], rows))
        for side in ("old", "new"):
            heavy = imported([*cmd, "provision", "-g", group], ws, envs[side])
            print(f"{side}: a no-change provision imports {', '.join(heavy) or 'none of'} {HEAVY}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
