"""Benchmark of localcloud's deployment engine (a script, not a test).

    .venv/bin/python bench/localcloud.py [--deployments 50] [--poll-seconds 3] [--poll-threads 4]

1. starts a private localcloud (tests/localcloud_fixture.py) with provisioning_seconds 0;
2. runs N concurrent deployments of infra/provision/inference.json, one resource group each,
   through the official SDK, and checks that every one Succeeded;
3. reports the server-side duration of a zero-delay inference deployment (the deployment's
   own `duration`), alone and under the N-way load;
4. measures operationStatuses polls per second from a few threads.

Prints a table and writes bench/out/localcloud.json. The container command is replaced by
`sleep 600` so the N container apps start idle processes instead of `pip install`ing.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from localcloud_fixture import LocalCloudHandle, sdk_kwargs, start_localcloud  # noqa: E402

OUT = ROOT / "bench" / "out" / "localcloud.json"
API = "2026-06-01"


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


def run(n: int, poll_threads: int, poll_seconds: float) -> dict[str, Any]:
    body = deployment_body()
    with tempfile.TemporaryDirectory(prefix="lc-bench-") as tmp:
        handle = start_localcloud(Path(tmp) / "state")
        try:
            handle.admin("POST", "settings", json={"provisioning_seconds": {"*": 0}})
            alone = deploy_one(handle, "bench-alone", body)
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=n) as pool:
                results = list(
                    pool.map(lambda i: deploy_one(handle, f"bench-{i:03d}", body), range(n))
                )
            wall = time.perf_counter() - started
            path = status_path(handle, "bench-alone")
            rate = poll_rate(handle, path, poll_threads, poll_seconds)
        finally:
            handle.stop()
    server = [r["server_seconds"] for r in results]
    return {
        "deployments": n,
        "succeeded": sum(r["state"] == "Succeeded" for r in results),
        "concurrent_wall_seconds": round(wall, 3),
        "alone_server_seconds": round(alone["server_seconds"], 4),
        "alone_client_seconds": round(alone["client_seconds"], 4),
        "concurrent_server_seconds_median": round(statistics.median(server), 4),
        "concurrent_server_seconds_max": round(max(server), 4),
        "status_polls_per_second": round(rate, 1),
        "poll_threads": poll_threads,
        "poll_seconds": poll_seconds,
    }


def render(report: dict[str, Any]) -> str:
    rows = [
        ("deployments succeeded", f"{report['succeeded']}/{report['deployments']}"),
        ("wall time, all concurrent (s)", report["concurrent_wall_seconds"]),
        ("server duration, alone (s)", report["alone_server_seconds"]),
        ("client time, alone (s)", report["alone_client_seconds"]),
        ("server duration under load, median (s)", report["concurrent_server_seconds_median"]),
        ("server duration under load, max (s)", report["concurrent_server_seconds_max"]),
        (f"status polls/s ({report['poll_threads']} threads)", report["status_polls_per_second"]),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deployments", type=int, default=50)
    parser.add_argument("--poll-threads", type=int, default=4)
    parser.add_argument("--poll-seconds", type=float, default=3.0)
    args = parser.parse_args()
    report = run(args.deployments, args.poll_threads, args.poll_seconds)
    print(render(report))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    return 0 if report["succeeded"] == report["deployments"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
