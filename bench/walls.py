"""Whole-command wall time where users wait for nothing to happen, against bare Python.

    .venv/bin/python bench/walls.py [--quick] [--files 2000] [--megabytes 100] [-n 9]
                                    [--latency-ms 0]

1. starts a private localcloud, provisions a workspace copied from the repo (the app idles),
   writes FILES files under inference/bench-data/ (the tree of bench/sync.py) and syncs them
   once;
2. then, N rounds, each one after another so that machine load touches all alike:
   change one file (same size, new bytes) and run `orchestrator deploy --no-restart`; run a
   no-change `orchestrator provision -g GROUP`; run `python -c pass` (the same interpreter);
3. reports the medians, their ratios to bare Python, the deploy's peak memory, and where a
   run's imports go (`python -X importtime`, top-level packages by cumulative time).

Targets: deploy (one changed file) <= 12x `python -c pass`; no-change provision <= 10x.
Writes bench/out/walls.json; exits 1 when a target is missed (not with --quick: 50 files,
one round, no second warm-up sync).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

from _support import (
    LocalCloudHandle,
    Ran,
    bench_arguments,
    cli_argv,
    cli_env,
    exit_code,
    machine,
    median,
    private_localcloud,
    provisioned_workspace,
    run_cli,
    run_measured,
    set_network,
    table,
    verdict_lines,
    write_report,
)
from sync import change_one, write_tree

DEPLOY_TARGET = 12.0
PROVISION_TARGET = 10.0


def checked(ran: Ran, what: str) -> Ran:
    if ran.code != 0:
        raise RuntimeError(f"{what} failed ({ran.code}):\n{ran.output[-3000:]}")
    return ran


def import_costs(workspace: Path, handle: LocalCloudHandle, *args: str) -> dict[str, float]:
    """Milliseconds of cumulative import time per top-level package of one run."""
    command = cli_argv(*args)
    if command[0] == sys.executable:  # python -m orchestrator ARGS
        command = command[1:]
    argv = [sys.executable, "-X", "importtime", *command]  # the console script is Python too
    ran = checked(run_measured(argv, cwd=workspace, env=cli_env(handle)), " ".join(args))
    costs: dict[str, float] = defaultdict(float)
    for line in ran.output.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|")
        if not cumulative.strip().isdigit():
            continue
        if name.startswith(" ") and not name.startswith("  "):  # a top-level import
            top = name.strip().split(".")[0]
            if top == "azure":
                top = ".".join(name.strip().split(".")[:3])
            costs[top] += int(cumulative) / 1000
    return dict(sorted(costs.items(), key=lambda kv: -kv[1])[:10])


@dataclass(frozen=True)
class Report:
    files: int
    latency_ms: float
    deploy: list[float]
    deploy_rss_mb: list[float]
    provision: list[float]
    bare: list[float]
    deploy_imports: dict[str, float]
    provision_imports: dict[str, float]

    def ratio(self, walls: list[float]) -> float:
        return median(walls) / median(self.bare)

    def checks(self) -> list[tuple[str, bool]]:
        return [
            (
                f"deploy --no-restart, one changed file <= {DEPLOY_TARGET:g}x python -c pass",
                self.ratio(self.deploy) <= DEPLOY_TARGET,
            ),
            (
                f"no-change provision <= {PROVISION_TARGET:g}x python -c pass",
                self.ratio(self.provision) <= PROVISION_TARGET,
            ),
        ]


def render(r: Report) -> str:
    rows = [
        [
            f"deploy --no-restart (1 of {r.files} changed)",
            len(r.deploy),
            median(r.deploy),
            max(r.deploy),
            f"{r.ratio(r.deploy):.1f}x",
        ],
        [
            "provision (no change)",
            len(r.provision),
            median(r.provision),
            max(r.provision),
            f"{r.ratio(r.provision):.1f}x",
        ],
        ["python -c pass", len(r.bare), median(r.bare), max(r.bare), "1.0x"],
    ]
    imports = [
        f"  {cmd}: " + ", ".join(f"{k} {v:.0f} ms" for k, v in costs.items())
        for cmd, costs in (("deploy", r.deploy_imports), ("provision", r.provision_imports))
    ]
    return "\n".join(
        [
            f"whole-command wall, {r.latency_ms:g} ms added latency",
            table(["command", "runs", "median s", "max s", "/ bare"], rows),
            f"deploy peak RSS: {max(r.deploy_rss_mb):.0f} MB",
            "imports (cumulative, top-level packages):",
            *imports,
            "",
            "targets",
            verdict_lines(r.checks()),
        ]
    )


def run(args: argparse.Namespace) -> Report:
    rng = random.Random(args.seed)
    with private_localcloud("bench-walls-") as (handle, tmp):
        workspace, group = provisioned_workspace(handle, tmp, "walls")
        paths = write_tree(workspace, args.files, args.megabytes * 1024 * 1024, rng)
        checked(run_cli(workspace, handle, "deploy", "--no-restart", timeout=1800), "deploy")
        if not args.quick:
            time.sleep(2.1)  # past the racy window: the local MD5s are remembered from now
            checked(run_cli(workspace, handle, "deploy", "--no-restart"), "deploy")
        set_network(handle, args.latency_ms)
        deploy, rss, provision, bare = [], [], [], []
        for path in rng.sample(paths, args.n):
            change_one(workspace, path)
            ran = checked(run_cli(workspace, handle, "deploy", "--no-restart"), "deploy")
            deploy.append(ran.wall)
            rss.append(ran.max_rss_mb)
            provision.append(
                checked(run_cli(workspace, handle, "provision", "-g", group), "provision").wall
            )
            bare.append(run_measured([sys.executable, "-c", "pass"]).wall)
        change_one(workspace, paths[0])
        deploy_imports = import_costs(workspace, handle, "deploy", "--no-restart")
        provision_imports = import_costs(workspace, handle, "provision", "-g", group)
    return Report(
        args.files, args.latency_ms, deploy, rss, provision, bare, deploy_imports, provision_imports
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    bench_arguments(parser, "walls")
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--megabytes", type=int, default=100)
    parser.add_argument("-n", type=int, default=9, help="rounds")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.quick:
        args.files, args.megabytes, args.n = 50, 1, 1
    started = time.perf_counter()
    report = run(args)
    print(render(report))
    print(f"\n{machine()}; whole run {time.perf_counter() - started:.0f} s")
    doc = asdict(report) | {
        "deploy_ratio": report.ratio(report.deploy),
        "provision_ratio": report.ratio(report.provision),
        "checks": dict(report.checks()),
    }
    write_report(args.out, doc)
    return exit_code(report.checks(), args.quick)


if __name__ == "__main__":
    sys.exit(main())
