"""Benchmark of localcloud itself: its deployment engine and its Files data plane under
several clients (a script, not a test).

    .venv/bin/python bench/localcloud.py [--quick] [--deployments 50] [--poll-seconds 3]
        [--poll-threads 4] [--clients 4] [--files 2000] [--megabytes 25]

1. starts a private localcloud (tests/localcloud_fixture.py) with provisioning_seconds 0;
2. runs N concurrent deployments of infra/provision/inference.json, one resource group each,
   through the official SDK, and checks that every one Succeeded;
3. reports the server-side duration of a zero-delay inference deployment (the deployment's
   own `duration`), alone and under the N-way load;
4. measures operationStatuses polls per second from a few threads;
5. provisions a workspace, writes FILES files (MEGABYTES in total) and has CLIENTS
   `orchestrator deploy --no-restart` processes sync them at once, each into its own share
   (bench/lcsyncs.py): requests served per second, statuses, files created per share.

Targets: every deployment succeeds; the concurrent syncs put every file with no 5xx and no
dropped connection. Prints a table, writes bench/out/localcloud.json; exits 1 when a target
is missed (not with --quick: 3 deployments, 2 clients of 20 files). The container command is
replaced by `sleep 600` so the container apps start idle processes instead of
`pip install`ing.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

import requests
from _support import (
    ROOT,
    LocalCloudHandle,
    bench_arguments,
    create_group,
    exit_code,
    machine,
    make_workspace,
    private_localcloud,
    run_cli,
    sdk_kwargs,
    unique_name,
    verdict_lines,
    write_report,
)
from lcsyncs import ConcurrentSyncs, concurrent_syncs, served
from sync import provisioned_share, synced_files, write_tree

API = "2026-06-01"
REGIONAL_LIMITS = {"ManagedEnvironmentCount": 1000, "SubscriptionNCA100Gpus": 10000}


def iso_seconds(duration: str) -> float:
    """`PT1M5.5S` -> 65.5 (the forms ARM uses)."""
    match = re.fullmatch(r"P(?:(\d+)D)?T?(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?", duration)
    if match is None:
        raise ValueError(duration)
    days, hours, minutes, seconds = (float(g or 0) for g in match.groups())
    return days * 86400 + hours * 3600 + minutes * 60 + seconds


def deployment_body() -> dict[str, Any]:
    template = json.loads((ROOT / "infra/provision/inference.json").read_text())
    params_doc = json.loads((ROOT / "infra/provision/inference.parameters.json").read_text())
    params = {k: v for k, v in params_doc["parameters"].items() if v.get("value") is not None}
    params["defaultCommands"] = {"value": ["sleep 600"]}
    return {"properties": {"mode": "Incremental", "template": template, "parameters": params}}


def clients(handle: LocalCloudHandle) -> tuple[Any, Any]:
    from azure.mgmt.resource.deployments import DeploymentsMgmtClient
    from azure.mgmt.resource.resources import ResourceManagementClient

    cred = handle.credential()
    groups = ResourceManagementClient(cred, handle.subscription_id, **sdk_kwargs(handle))
    deployments = DeploymentsMgmtClient(
        cred, handle.subscription_id, polling_interval=0.1, **sdk_kwargs(handle)
    )
    return groups, deployments


def deploy_one(handle: LocalCloudHandle, group: str, body: dict[str, Any]) -> dict[str, Any]:
    groups, deployments = clients(handle)
    groups.resource_groups.create_or_update(group, {"location": "eastus"})
    started = time.perf_counter()
    result = deployments.deployments.begin_create_or_update(group, "inference", body).result()
    return {
        "group": group,
        "state": result.properties.provisioning_state,
        "server_seconds": iso_seconds(result.properties.duration),
        "client_seconds": time.perf_counter() - started,
    }


def poll_rate(handle: LocalCloudHandle, status_path: str, threads: int, seconds: float) -> float:
    """operationStatuses GETs per second, `threads` clients polling as fast as they can."""
    headers = {"Authorization": f"Bearer {handle.token()}"}
    stop_at = time.perf_counter() + seconds

    def worker(_: int) -> int:
        session = requests.Session()
        done = 0
        while time.perf_counter() < stop_at:
            url = handle.endpoint + status_path
            response = session.get(url, headers=headers, verify=handle.ca_file, timeout=30)
            response.raise_for_status()
            done += 1
        return done

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return sum(pool.map(worker, range(threads))) / seconds


def status_path(handle: LocalCloudHandle, group: str) -> str:
    path = (
        f"/subscriptions/{handle.subscription_id}/resourcegroups/{group}"
        f"/providers/Microsoft.Resources/deployments/inference?api-version={API}"
    )
    response = handle.request("PUT", path, json=deployment_body())
    response.raise_for_status()
    url = response.headers["Azure-AsyncOperation"]
    return url[len(handle.endpoint) :]


def run(args: argparse.Namespace) -> dict[str, Any]:
    body = deployment_body()
    with private_localcloud("lc-bench-") as (handle, tmp):
        handle.admin("POST", "settings", json={"provisioning_seconds": {"*": 0}})
        # Each deployment is a managed environment with dedicated A100 nodes: lift the
        # regional quota (docs/localcloud-jobs.md), which this benchmark does not measure.
        handle.admin("POST", "quota", json={"limits": {"*": REGIONAL_LIMITS}}).raise_for_status()
        alone = deploy_one(handle, "bench-alone", body)
        offset = handle.log_file.stat().st_size
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.deployments) as pool:
            results = list(
                pool.map(
                    lambda i: deploy_one(handle, f"bench-{i:03d}", body), range(args.deployments)
                )
            )
        wall = time.perf_counter() - started
        time.sleep(0.5)
        deployment_requests = len(served(handle.log_file, offset))
        path = status_path(handle, "bench-alone")
        rate = poll_rate(handle, path, args.poll_threads, args.poll_seconds)
        syncs = sync_clients(handle, tmp, args)
    server = [r["server_seconds"] for r in results]
    return {
        "deployments": args.deployments,
        "succeeded": sum(r["state"] == "Succeeded" for r in results),
        "concurrent_wall_seconds": round(wall, 3),
        "deployment_requests_per_second": round(deployment_requests / wall, 1),
        "alone_server_seconds": round(alone["server_seconds"], 4),
        "alone_client_seconds": round(alone["client_seconds"], 4),
        "concurrent_server_seconds_median": round(statistics.median(server), 4),
        "concurrent_server_seconds_max": round(max(server), 4),
        "status_polls_per_second": round(rate, 1),
        "poll_threads": args.poll_threads,
        "poll_seconds": args.poll_seconds,
        "syncs": asdict(syncs) | {"ok": syncs.ok},
    }


def sync_clients(handle: LocalCloudHandle, tmp: Path, args: argparse.Namespace) -> ConcurrentSyncs:
    """A provisioned workspace with FILES files, synced by CLIENTS processes at once."""
    workspace = make_workspace(tmp / "workspace")
    group = unique_name("syncs")
    create_group(handle, group)
    ran = run_cli(workspace, handle, "provision", "-g", group, timeout=300)
    if ran.code != 0:
        raise RuntimeError(f"provision failed:\n{ran.output[-3000:]}")
    share, _ = provisioned_share(handle, workspace)
    write_tree(workspace, args.files, args.megabytes * 1024 * 1024, random.Random(1))
    files = len(synced_files(workspace))
    return concurrent_syncs(handle, workspace, share, args.clients, files)


def checks(report: dict[str, Any]) -> list[tuple[str, bool]]:
    syncs = report["syncs"]
    return [
        ("every concurrent deployment succeeded", report["succeeded"] == report["deployments"]),
        (f"{syncs['clients']} concurrent syncs: every file, no error", bool(syncs["ok"])),
    ]


def render(report: dict[str, Any]) -> str:
    syncs = report["syncs"]
    rows = [
        ("deployments succeeded", f"{report['succeeded']}/{report['deployments']}"),
        ("wall time, all concurrent (s)", report["concurrent_wall_seconds"]),
        ("requests/s during the deployments", report["deployment_requests_per_second"]),
        ("server duration, alone (s)", report["alone_server_seconds"]),
        ("client time, alone (s)", report["alone_client_seconds"]),
        ("server duration under load, median (s)", report["concurrent_server_seconds_median"]),
        ("server duration under load, max (s)", report["concurrent_server_seconds_max"]),
        (f"status polls/s ({report['poll_threads']} threads)", report["status_polls_per_second"]),
        (
            f"syncs of {syncs['files_each']} files by {syncs['clients']} clients at once (s)",
            round(syncs["wall"], 2),
        ),
        (
            "  requests served, per second",
            f"{syncs['requests']}, {syncs['requests_per_second']:.0f}",
        ),
        ("  statuses", ", ".join(f"{k}: {v}" for k, v in syncs["statuses"].items())),
        ("  errors (5xx, dropped); client exit codes", f"{syncs['errors']}; {syncs['exit_codes']}"),
        ("  files created per share", "/".join(map(str, syncs["created_per_share"]))),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [f"{name:<{width}}  {value}" for name, value in rows]
    return "\n".join([*lines, "", "targets", verdict_lines(checks(report))])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    bench_arguments(parser, "localcloud")
    parser.add_argument("--deployments", type=int, default=50)
    parser.add_argument("--poll-threads", type=int, default=4)
    parser.add_argument("--poll-seconds", type=float, default=3.0)
    parser.add_argument("--clients", type=int, default=4, help="concurrent sync clients")
    parser.add_argument("--files", type=int, default=2000, help="files each client syncs")
    parser.add_argument("--megabytes", type=int, default=25, help="their total size")
    args = parser.parse_args()
    if args.quick:
        args.deployments, args.poll_seconds, args.clients, args.files = 3, 0.3, 2, 20
        args.megabytes = 1
    started = time.perf_counter()
    report = run(args)
    print(render(report))
    print(f"\n{machine()}; whole run {time.perf_counter() - started:.0f} s")
    write_report(args.out, report | {"checks": dict(checks(report))})
    return exit_code(checks(report), args.quick)


if __name__ == "__main__":
    raise SystemExit(main())
