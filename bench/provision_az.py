"""`orchestrator provision` against the real `az deployment group create`, the same template
and parameters on the same localcloud, side by side.

    .venv/bin/python bench/provision_az.py [--quick] [--seconds 10] [--reps 3]
                                           [--latency 0 30]

1. starts a private localcloud and a workspace copied from the repo (the app idles); az
   (azure-cli 2.91.0 in the benchmark's own environment, bench/azpeer.py) signs in to it as
   a custom cloud with its service principal;
2. for each added latency, REPS times one after the other: a deployment of about SECONDS
   (the resource durations drawn as in bench/completion.py) by ours (`provision -g GROUP`)
   and by az (`deployment group create -g GROUP --template-file infra/provision/
   inference.json --parameters @...`), each in a new resource group;
3. reports each command's wall time, its latency from the deployment's end (the server's
   `properties.timestamp`) to the command's exit, and the ratio of the walls.

No target: az polls a deployment every 30 s, so it notices the end up to 30 s late; the
ratio is reported. Writes bench/out/provision_az.json (--quick: one 1 s deployment at 0 ms,
ours only unless --az).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from _support import (
    LocalCloudHandle,
    bench_arguments,
    create_group,
    machine,
    make_workspace,
    median,
    parse_timestamp,
    private_localcloud,
    run_cli,
    set_network,
    table,
    unique_name,
    write_report,
)
from azpeer import AzSession, az_executable
from completion import durations, finished_deployment, iso_seconds


@dataclass(frozen=True)
class Deployed:
    tool: str  # ours | az
    latency_ms: float
    wall: float
    server_seconds: float
    noticed_after: float  # the deployment's end → the command's exit
    state: str


def az_parameters(workspace: Path, into: Path) -> Path:
    """The workspace's parameters file, nulls dropped (as the CLI sends them)."""
    doc = json.loads((workspace / "infra/provision/inference.parameters.json").read_text())
    doc["parameters"] = {k: v for k, v in doc["parameters"].items() if v.get("value") is not None}
    into.write_text(json.dumps(doc, indent=2) + "\n")
    return into


def outcome(
    handle: LocalCloudHandle, tool: str, latency: float, group: str, ran_wall: float, ended: float
) -> Deployed:
    props = finished_deployment(handle, group)["properties"]
    done = parse_timestamp(props["timestamp"])
    return Deployed(
        tool,
        latency,
        ran_wall,
        iso_seconds(str(props["duration"])),
        ended - done,
        str(props["provisioningState"]),
    )


def ours(handle: LocalCloudHandle, workspace: Path, latency: float) -> Deployed:
    group = unique_name("ours")
    create_group(handle, group)
    ran = run_cli(workspace, handle, "provision", "-g", group, timeout=600)
    if ran.code != 0:
        raise RuntimeError(f"provision failed ({ran.code}):\n{ran.output[-2000:]}")
    return outcome(handle, "ours", latency, group, ran.wall, ran.ended)


def az(
    session: AzSession, handle: LocalCloudHandle, workspace: Path, params: Path, latency: float
) -> Deployed:
    group = unique_name("az")
    create_group(handle, group)
    template = workspace / "infra/provision/inference.json"
    ran = session.run(
        "deployment",
        "group",
        "create",
        "-g",
        group,
        "-n",
        "inference",
        "--template-file",
        str(template),
        "--parameters",
        f"@{params}",
        "-o",
        "none",
        timeout=900,
    )
    return outcome(handle, "az", latency, group, ran.wall, ran.ended)


def render(found: list[Deployed]) -> str:
    rows = []
    for latency in dict.fromkeys(d.latency_ms for d in found):
        walls: dict[str, float] = {}
        for tool in ("ours", "az"):
            mine = [d for d in found if (d.latency_ms, d.tool) == (latency, tool)]
            if not mine:
                continue
            walls[tool] = median([d.wall for d in mine])
            rows.append(
                [
                    f"{latency:g} ms",
                    tool,
                    len(mine),
                    median([d.server_seconds for d in mine]),
                    walls[tool],
                    median([d.noticed_after for d in mine]),
                    f"{walls[tool] / walls['ours']:.1f}x",
                ]
            )
    head = [
        "latency",
        "client",
        "runs",
        "server s",
        "wall median s",
        "noticed after s",
        "wall / ours",
    ]
    return "\n".join(["provision: ours against az deployment group create", table(head, rows)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    bench_arguments(parser, "provision_az")
    parser.add_argument("--seconds", type=int, default=10, help="deployment length")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--latency", type=float, nargs="+", default=[0.0, 30.0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--az",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run az deployment group create (default: yes; not with --quick)",
    )
    args = parser.parse_args()
    with_az = not args.quick if args.az is None else args.az
    if args.quick:
        args.seconds, args.reps, args.latency = 1, 1, [0.0]
    rng = random.Random(args.seed)
    started = time.perf_counter()
    found: list[Deployed] = []
    with private_localcloud("bench-provision-az-") as (handle, tmp):
        workspace = make_workspace(tmp / "workspace")
        session = None
        if with_az:
            session = AzSession(az_executable(), handle, tmp / "azure-config")
            session.sign_in()
        params = az_parameters(workspace, tmp / "az.parameters.json")
        for latency in args.latency:
            set_network(handle, latency)
            for _ in range(args.reps):
                settings = {"provisioning_seconds": durations(args.seconds, rng)}
                handle.admin("POST", "settings", json=settings).raise_for_status()
                found.append(ours(handle, workspace, latency))
                if session is not None:
                    found.append(az(session, handle, workspace, params, latency))
    print(render(found))
    print(f"\n{machine()}; whole run {time.perf_counter() - started:.0f} s")
    failed = [d for d in found if d.state != "Succeeded"]
    write_report(args.out, {"runs": [asdict(d) for d in found], "failed": len(failed)})
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
