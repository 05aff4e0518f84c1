"""How soon a provision notices that its deployment is done, and how many reads that costs.

    .venv/bin/python bench/completion.py [--quick] [--reps-10 5] [--reps-60 3] [--noop-reps 7]
                                         [--latency-ms 0]

1. starts a private localcloud and a workspace copied from the repo (the app idles), with
   LATENCY_MS added to every request (localcloud's network shaping);
2. for deployments of about 10 s and 60 s (provisioning_seconds per resource type: random
   shares of a total within +-10 % for the five resources on the critical path), runs side
   by side, each in its own resource group:
   - ours: `python -m orchestrator provision -g GROUP` (sequential repetitions), and
   - the plain SDK: `DeploymentsMgmtClient(...).deployments.begin_create_or_update(...)
     .result()` with its default polling (threads started alongside ours);
   and reports (a) the latency from the server marking the deployment done (its
   `properties.timestamp`) to the CLI exiting / `.result()` returning, and (b) the reads
   (GETs in localcloud's request log, from the PUT to the end) per minute;
3. re-provisions without a change, alternating with `orchestrator --help` as the startup
   floor, and reports the wall time and the write requests in the log (PUT/POST/PATCH/DELETE,
   the Entra token POST excepted).

Targets: our median latency <= 1.5 s at <= 60 reads per minute; no-change re-provision
<= 1 s median wall with zero writes. Prints tables, writes bench/out/completion.json and
exits 1 when a target is missed (not with --quick: one 1 s deployment, no SDK run).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from _support import (
    LocalCloudHandle,
    bench_arguments,
    cli_env,
    create_group,
    exit_code,
    is_write,
    machine,
    make_workspace,
    median,
    parse_timestamp,
    private_localcloud,
    request_log,
    run_cli,
    sdk_kwargs,
    set_network,
    table,
    unique_name,
    write_report,
)

API = "2026-06-01"
# The template's critical path: storage account → fileServices → share → environment storage
# → container app; the Log Analytics workspace → environment branch runs alongside.
CHAIN = (
    "Microsoft.Storage/storageAccounts",
    "Microsoft.Storage/storageAccounts/fileServices",
    "Microsoft.Storage/storageAccounts/fileServices/shares",
    "Microsoft.App/managedEnvironments/storages",
    "Microsoft.App/containerApps",
)
BRANCH = ("Microsoft.OperationalInsights/workspaces", "Microsoft.App/managedEnvironments")
LATENCY_TARGET = 1.5
READS_PER_MINUTE_TARGET = 60.0
NOOP_TARGET = 1.0


@dataclass(frozen=True)
class Run:
    tool: str  # "ours" | "sdk"
    seconds: int  # nominal deployment length
    group: str
    state: str
    server_duration: float  # the deployment's own duration
    latency: float  # done (server timestamp) → exit / result()
    reads: int  # GETs from the PUT to the end
    window: float  # seconds from the PUT to the end

    @property
    def reads_per_minute(self) -> float:
        return self.reads / self.window * 60 if self.window > 0 else float("nan")


def deployment_path(handle: LocalCloudHandle, group: str, name: str = "") -> str:
    base = f"/subscriptions/{handle.subscription_id}/resourcegroups/{group}"
    suffix = f"/{name}" if name else ""
    return f"{base}/providers/Microsoft.Resources/deployments{suffix}?api-version={API}"


def finished_deployment(handle: LocalCloudHandle, group: str) -> dict[str, Any]:
    response = handle.request("GET", deployment_path(handle, group))
    response.raise_for_status()
    found = response.json()["value"]
    if len(found) != 1:
        raise RuntimeError(f"{group}: expected one deployment, found {len(found)}")
    return dict(found[0])


def measure(handle: LocalCloudHandle, tool: str, seconds: int, group: str, ended: float) -> Run:
    """Latency and reads of the one deployment in `group`, which ended (client side) at
    `ended`; reads are counted from the logged PUT of the deployment to `ended`."""
    deployment = finished_deployment(handle, group)
    props = deployment["properties"]
    done = parse_timestamp(props["timestamp"])
    marker = f"/resourcegroups/{group.lower()}/"
    mine = [e for e in request_log(handle) if marker in str(e["path"]).lower()]
    put = next(
        e["time"]
        for e in mine
        if e["method"] == "PUT" and "/microsoft.resources/deployments/" in e["path"].lower()
    )
    reads = [e for e in mine if e["method"] == "GET" and put < e["time"] <= ended]
    return Run(
        tool=tool,
        seconds=seconds,
        group=group,
        state=str(props["provisioningState"]),
        server_duration=iso_seconds(str(props["duration"])),
        latency=ended - done,
        reads=len(reads),
        window=ended - put,
    )


def iso_seconds(duration: str) -> float:
    """`PT1M0.5S` -> 60.5 (ARM's duration form, minutes and seconds only)."""
    body = duration.removeprefix("PT")
    minutes, _, rest = body.rpartition("M")
    return float(minutes or 0) * 60 + float(rest.rstrip("S") or 0)


# --- the two clients ----------------------------------------------------------------------


def ours(handle: LocalCloudHandle, workspace: Path, seconds: int) -> Run:
    group = unique_name("ours")
    create_group(handle, group)
    ran = run_cli(workspace, handle, "provision", "-g", group, timeout=seconds * 3 + 60)
    if ran.code != 0:
        raise RuntimeError(f"provision failed ({ran.code}):\n{ran.output[-2000:]}")
    return measure(handle, "ours", seconds, group, ran.ended)


def deployment_body(workspace: Path) -> dict[str, Any]:
    """The same template and parameters the CLI deploys (nulls dropped, as the CLI does)."""
    provision = workspace / "infra" / "provision"
    template = json.loads((provision / "inference.json").read_text())
    params_doc = json.loads((provision / "inference.parameters.json").read_text())
    params = {k: v for k, v in params_doc["parameters"].items() if v.get("value") is not None}
    return {"properties": {"mode": "Incremental", "template": template, "parameters": params}}


def plain_sdk(handle: LocalCloudHandle, body: dict[str, Any], seconds: int, delay: float) -> Run:
    from azure.mgmt.resource.deployments import DeploymentsMgmtClient

    time.sleep(delay)
    group = unique_name("sdk")
    create_group(handle, group)
    client = DeploymentsMgmtClient(
        handle.credential(), handle.subscription_id, **sdk_kwargs(handle)
    )
    poller = client.deployments.begin_create_or_update(group, "inference", body)
    poller.result()
    return measure(handle, "sdk", seconds, group, time.time())


def durations(seconds: int, rng: random.Random) -> dict[str, float]:
    """provisioning_seconds for a deployment of `seconds` +-10 %: the five resources on the
    critical path get random shares of it (so completion does not fall at the same point of
    the poll schedule every time, as it would with equal fixed steps); the side branch fits
    alongside."""
    total = seconds * rng.uniform(0.9, 1.1)
    weights = [rng.uniform(0.5, 1.5) for _ in CHAIN]
    steps = [total * w / sum(weights) for w in weights]
    side = sum(steps[:3]) / 3
    return {t: round(s, 3) for t, s in zip(CHAIN, steps, strict=True)} | dict.fromkeys(
        BRANCH, round(side, 3)
    )


def phase(
    handle: LocalCloudHandle,
    workspace: Path,
    seconds: int,
    reps: tuple[int, int],
    rng: random.Random,
) -> list[Run]:
    """Our repetitions one after another, the SDK's alongside them in threads (each of our
    runs draws new resource durations; a run already going keeps the ones it started with)."""
    ours_reps, sdk_reps = reps

    def configure() -> None:
        settings = {"provisioning_seconds": durations(seconds, rng)}
        handle.admin("POST", "settings", json=settings).raise_for_status()

    configure()
    body = deployment_body(workspace)
    stagger = max(3.0, seconds / 3)
    with ThreadPoolExecutor(max_workers=max(1, sdk_reps)) as pool:
        sdk_runs: list[Future[Run]] = [
            pool.submit(plain_sdk, handle, body, seconds, i * stagger) for i in range(sdk_reps)
        ]
        runs: list[Run] = []
        for _ in range(ours_reps):
            configure()
            runs.append(ours(handle, workspace, seconds))
        runs += [f.result() for f in sdk_runs]
    return runs


# --- no-change re-provision -------------------------------------------------------------


@dataclass(frozen=True)
class Noop:
    walls: list[float]
    floor_walls: list[float]  # `orchestrator --help`, alternated with the no-op runs
    writes: list[dict[str, Any]]
    gets: int
    skipped: bool


def noop(handle: LocalCloudHandle, workspace: Path, group: str, reps: int) -> Noop:
    help_argv = [sys.executable, "-m", "orchestrator", "--help"]
    walls: list[float] = []
    floor: list[float] = []
    writes: list[dict[str, Any]] = []
    gets = 0
    skipped = True
    request_log(handle, clear=True)
    for _ in range(reps):
        ran = run_cli(workspace, handle, "provision", "-g", group)
        if ran.code != 0:
            raise RuntimeError(f"no-change provision failed:\n{ran.output[-2000:]}")
        skipped = skipped and "nothing changed" in ran.output
        walls.append(ran.wall)
        log = request_log(handle, clear=True)
        writes += [e for e in log if is_write(e)]
        gets += sum(e["method"] == "GET" for e in log)
        started = time.perf_counter()
        subprocess.run(help_argv, env=cli_env(handle), capture_output=True, check=True)
        floor.append(time.perf_counter() - started)
    return Noop(walls, floor, writes, gets, skipped)


# --- report -------------------------------------------------------------------------------


def summary_rows(runs: list[Run]) -> list[list[object]]:
    rows: list[list[object]] = []
    for seconds in sorted({r.seconds for r in runs}):
        for tool in ("ours", "sdk"):
            mine = [r for r in runs if r.seconds == seconds and r.tool == tool]
            if not mine:
                continue
            rows.append(
                [
                    f"{seconds} s",
                    "orchestrator provision" if tool == "ours" else "SDK default polling",
                    len(mine),
                    median([r.server_duration for r in mine]),
                    median([r.latency for r in mine]),
                    max(r.latency for r in mine),
                    median([r.reads_per_minute for r in mine]),
                    sum(r.reads for r in mine) / sum(r.window for r in mine) * 60,
                ]
            )
    return rows


def verdicts(runs: list[Run], result: Noop) -> list[tuple[str, bool]]:
    mine = [r for r in runs if r.tool == "ours"]
    checks = [("every deployment Succeeded", all(r.state == "Succeeded" for r in runs))]
    for seconds in sorted({r.seconds for r in mine}):
        these = [r for r in mine if r.seconds == seconds]
        rate = sum(r.reads for r in these) / sum(r.window for r in these) * 60
        checks.append(
            (
                f"{seconds} s: our median latency <= {LATENCY_TARGET} s",
                median([r.latency for r in these]) <= LATENCY_TARGET,
            )
        )
        checks.append(
            (f"{seconds} s: our reads <= {READS_PER_MINUTE_TARGET:.0f}/min", rate <= 60.0)
        )
    checks.append((f"no-change median wall <= {NOOP_TARGET} s", median(result.walls) <= 1.0))
    checks.append(("no-change: zero writes", not result.writes))
    checks.append(("no-change: the provision was skipped", result.skipped))
    return checks


def every_run_row(r: Run) -> list[object]:
    return [r.tool, r.seconds, r.server_duration, r.latency, r.reads, r.window, r.reads_per_minute]


def render(runs: list[Run], result: Noop) -> str:
    parts = [
        "deployment completion (latency: server done -> client exits; reads: GETs/min)",
        table(
            [
                "deployment",
                "client",
                "runs",
                "server s",
                "latency median s",
                "latency max s",
                "reads/min median",
                "reads/min overall",
            ],
            summary_rows(runs),
        ),
        "",
        "every run",
        table(
            ["client", "nominal s", "server s", "latency s", "reads", "window s", "reads/min"],
            [every_run_row(r) for r in runs],
        ),
        "",
        "no-change re-provision",
    ]
    noop_median, floor_median = median(result.walls), median(result.floor_walls)
    parts.append(
        table(
            ["command", "runs", "median s", "max s", "writes", "GETs per run"],
            [
                [
                    "orchestrator provision (no change)",
                    len(result.walls),
                    noop_median,
                    max(result.walls),
                    len(result.writes),
                    f"{result.gets / max(1, len(result.walls)):.1f}",
                ],
                [
                    "orchestrator --help (startup floor)",
                    len(result.floor_walls),
                    floor_median,
                    max(result.floor_walls),
                    "-",
                    "-",
                ],
            ],
        )
    )
    parts.append(f"no-change / --help ratio: {noop_median / floor_median:.2f}x")
    for entry in result.writes:
        parts.append(f"  write: {entry['method']} {entry['path']}")
    parts += ["", "targets"]
    parts += [f"  {'met   ' if ok else 'MISSED'}  {name}" for name, ok in verdicts(runs, result)]
    return "\n".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    bench_arguments(parser, "completion")
    parser.add_argument("--reps-10", type=int, default=5, help="our runs of the 10 s deployment")
    parser.add_argument("--reps-60", type=int, default=3, help="our runs of the 60 s deployment")
    parser.add_argument("--noop-reps", type=int, default=7)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added per request")
    parser.add_argument("--seed", type=int, default=1, help="seed of the resource durations")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    plan = [(10, (args.reps_10, 2)), (60, (args.reps_60, 2))]
    if args.quick:  # one short deployment of ours, no SDK run (its 30 s poll)
        plan, args.noop_reps = [(1, (1, 0))], 1
    started = time.perf_counter()
    with private_localcloud("bench-completion-") as (handle, tmp):
        workspace = make_workspace(tmp / "workspace")
        set_network(handle, args.latency_ms)
        runs: list[Run] = []
        for seconds, reps in plan:
            runs += phase(handle, workspace, seconds, reps, rng)
        handle.admin("POST", "settings", json={"provisioning_seconds": {"*": 0.2}})
        last_ours = next(r for r in reversed(runs) if r.tool == "ours")
        result = noop(handle, workspace, last_ours.group, args.noop_reps)
    wall = time.perf_counter() - started
    print(f"added latency per request: {args.latency_ms:g} ms")
    print(render(runs, result))
    print(f"\n{machine()}; whole run {wall:.0f} s")
    report = {
        "latency_ms": args.latency_ms,
        "runs": [asdict(r) | {"reads_per_minute": r.reads_per_minute} for r in runs],
        "noop": asdict(result),
        "verdicts": dict(verdicts(runs, result)),
    }
    write_report(args.out, report)
    return exit_code(verdicts(runs, result), args.quick)


if __name__ == "__main__":
    sys.exit(main())
