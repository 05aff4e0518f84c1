"""Fine-tuning benchmarks, side by side in one run on a private localcloud:

(a) log latency: the time from a line printed by an execution to its display by
    `orchestrator finetune logs --follow`, against polling the Log Analytics query like the
    portal's Console link does, with localcloud's ingestion delay set to model Azure's
    (`/_localcloud/loganalytics {"ingestion_delay_seconds": D}`). Target: <= 1 s median.
(b) first upload of a `dataset/` of a few large files and many small ones (500 MB; 24 MB
    with --quick) by `orchestrator finetune run` (its sync: parallel uploads) against a
    sequential upload of the same files with the azure-storage-file-share SDK.

    .venv/bin/python bench/finetune.py [--quick] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import (
    ROOT,
    LocalCloudHandle,
    bench_arguments,
    cli_env,
    exit_code,
    machine,
    median,
    private_localcloud,
    run_cli,
    sdk_kwargs,
    table,
    verdict_lines,
    write_report,
)
from sync import sequential_upload

LEGACY = ROOT / "tests" / "fixtures" / "workspaces" / "legacy"
LOCAL_PARAMETERS = "infra/provision/finetuning.localcloud.parameters.json"
CONFIG = "infra/finetuning.config.json"
MARK = "MARK"
LA_SCOPE = "https://api.loganalytics.io/.default"


@dataclass(frozen=True)
class Sizes:
    lines: int  # console lines printed by the execution
    interval: float  # seconds between them
    ingestion_delay: float  # localcloud's Log Analytics ingestion delay
    poll: float  # how often the portal-like reader re-runs the query
    large: int  # large files in dataset/
    large_mb: int
    small: int  # small files
    small_kb: int


FULL = Sizes(40, 0.5, 20.0, 5.0, 4, 110, 2000, 30)
QUICK = Sizes(10, 0.5, 3.0, 1.0, 2, 8, 200, 40)


def provision(handle: LocalCloudHandle, root: Path) -> Path:
    workspace = shutil.copytree(LEGACY, root / "ws")
    ran = run_cli(
        workspace, handle, "finetune", "provision", "-g", "bench-ft", "-l", "eastus",
        "--create-resource-group", "--parameters", LOCAL_PARAMETERS, "--reset-commands",
    )  # fmt: skip
    if ran.code != 0:
        raise RuntimeError(f"finetune provision failed:\n{ran.output[-3000:]}")
    return workspace


def set_commands(workspace: Path, commands: list[str]) -> dict[str, Any]:
    path = workspace / CONFIG
    config = json.loads(path.read_text()) | {"COMMANDS": commands}
    path.write_text(json.dumps(config, indent=2) + "\n")
    return config  # type: ignore[no-any-return]


def document(output: str) -> dict[str, Any]:
    """The `--json` document: the first JSON value of the output (stderr's NDJSON follows)."""
    doc, _end = json.JSONDecoder().raw_decode(output)
    return doc  # type: ignore[no-any-return]


# --- (a) log latency ---------------------------------------------------------------------


def printer(sizes: Sizes) -> str:
    """A command that prints `MARK <n> <epoch seconds>` lines, flushed, at a steady pace."""
    code = (
        "import time; [(print('MARK', n, repr(time.time()), flush=True), "
        f"time.sleep({sizes.interval})) for n in range({sizes.lines})]"
    )
    return f'python3 -c "{code}"'


def parse_mark(text: str) -> tuple[int, float] | None:
    parts = text.split()
    if len(parts) == 3 and parts[0] == MARK:
        return int(parts[1]), float(parts[2])
    return None


def follow_cli(workspace: Path, handle: LocalCloudHandle, seen: dict[int, float]) -> None:
    """`finetune logs --follow`: the arrival time of each MARK line on its stdout."""
    argv = [sys.executable, "-m", "orchestrator", "finetune", "logs", "--follow"]
    with subprocess.Popen(
        argv, cwd=workspace, env=cli_env(handle), stdout=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            mark = parse_mark(line.strip())
            if mark is not None:
                seen.setdefault(mark[0], time.time() - mark[1])


def customer_id(handle: LocalCloudHandle, config: dict[str, Any]) -> str:
    from azure.mgmt.appcontainers import ContainerAppsAPIClient

    client = ContainerAppsAPIClient(
        handle.credential(), handle.subscription_id, **sdk_kwargs(handle)
    )
    job = client.jobs.get(config["RESOURCE_GROUP_NAME"], config["ACA_JOB_NAME"])
    env_name = str(job["properties"]["environmentId"]).rsplit("/", 1)[-1]
    env = client.managed_environments.get(config["RESOURCE_GROUP_NAME"], env_name)
    return str(env["properties"]["appLogsConfiguration"]["logAnalyticsConfiguration"]["customerId"])


def poll_portal(
    handle: LocalCloudHandle,
    customer: str,
    execution: str,
    sizes: Sizes,
    seen: dict[int, float],
    stop: threading.Event,
) -> None:
    """The portal's Console query, re-run every `poll` seconds until every line was seen."""
    import requests

    token = handle.fresh_token(LA_SCOPE)
    query = (
        f"ContainerAppConsoleLogs_CL | where ContainerGroupName_s startswith '{execution}' "
        "| order by time_t desc | project time_t, Log_s"
    )
    url = f"{handle.endpoint}/v1/workspaces/{customer}/query"
    while not stop.is_set() and len(seen) < sizes.lines:
        answer = requests.post(
            url,
            json={"query": query},
            headers={"Authorization": f"Bearer {token}"},
            verify=handle.ca_file,
            timeout=30,
        )
        now = time.time()
        if answer.status_code == 200:
            for row in answer.json()["tables"][0]["rows"]:
                mark = parse_mark(str(row[1]))
                if mark is not None:
                    seen.setdefault(mark[0], now - mark[1])
        stop.wait(sizes.poll)


def log_latency(handle: LocalCloudHandle, workspace: Path, sizes: Sizes) -> dict[str, Any]:
    handle.admin(
        "POST", "loganalytics", json={"ingestion_delay_seconds": sizes.ingestion_delay}
    ).raise_for_status()
    config = set_commands(workspace, [printer(sizes)])
    ran = run_cli(workspace, handle, "finetune", "run", "--no-sync", "--json")
    if ran.code != 0:
        raise RuntimeError(f"finetune run failed:\n{ran.output[-3000:]}")
    execution = document(ran.output)["execution"]
    streamed: dict[int, float] = {}
    polled: dict[int, float] = {}
    stop = threading.Event()
    follower = threading.Thread(target=follow_cli, args=(workspace, handle, streamed))
    poller = threading.Thread(
        target=poll_portal,
        args=(handle, customer_id(handle, config), execution, sizes, polled, stop),
    )
    follower.start()
    poller.start()
    follower.join(timeout=sizes.lines * sizes.interval + 120)
    poller.join(timeout=sizes.ingestion_delay + sizes.poll * 3 + 60)
    stop.set()
    return {
        "lines": sizes.lines,
        "ingestion_delay_s": sizes.ingestion_delay,
        "poll_s": sizes.poll,
        "follow_median_s": median(list(streamed.values())),
        "follow_max_s": max(streamed.values(), default=float("nan")),
        "follow_seen": len(streamed),
        "portal_median_s": median(list(polled.values())),
        "portal_max_s": max(polled.values(), default=float("nan")),
        "portal_seen": len(polled),
    }


# --- (b) first upload --------------------------------------------------------------------


def write_dataset(workspace: Path, sizes: Sizes) -> tuple[list[str], int]:
    rng = random.Random(7)
    dataset = workspace / "dataset"
    paths: list[str] = []
    total = 0
    for i in range(sizes.large):
        rel = f"dataset/large/part-{i:02d}.bin"
        (workspace / rel).parent.mkdir(parents=True, exist_ok=True)
        with (workspace / rel).open("wb") as fh:
            for _ in range(sizes.large_mb):
                fh.write(rng.randbytes(1024 * 1024))
        paths.append(rel)
        total += sizes.large_mb * 1024 * 1024
    for i in range(sizes.small):
        rel = f"dataset/small/{i // 100:02d}/item-{i:05d}.json"
        (workspace / rel).parent.mkdir(parents=True, exist_ok=True)
        (workspace / rel).write_bytes(rng.randbytes(sizes.small_kb * 1024))
        paths.append(rel)
        total += sizes.small_kb * 1024
    assert dataset.is_dir()
    return paths, total


def share_client(handle: LocalCloudHandle, config: dict[str, Any], share: str) -> Any:
    from azure.mgmt.storage import StorageManagementClient
    from azure.storage.fileshare import ShareClient

    client = StorageManagementClient(
        handle.credential(), handle.subscription_id, **sdk_kwargs(handle)
    )
    group, account = config["RESOURCE_GROUP_NAME"], config["STORAGE_ACCOUNT_NAME"]
    props = client.storage_accounts.get_properties(group, account)
    key = client.storage_accounts.list_keys(group, account)["keys"][0]["value"]
    url = str(props["properties"]["primaryEndpoints"]["file"]).rstrip("/")
    return ShareClient(
        url,
        share,
        credential={"account_name": account, "account_key": key},
        connection_verify=handle.ca_file,
    )


def first_upload(handle: LocalCloudHandle, workspace: Path, sizes: Sizes) -> dict[str, Any]:
    for folder in ("setup", "finetuning"):
        shutil.rmtree(workspace / folder, ignore_errors=True)
    paths, total = write_dataset(workspace, sizes)
    config = set_commands(workspace, ["true"])
    ran = run_cli(workspace, handle, "finetune", "run", "--json", timeout=1800)
    if ran.code != 0:
        raise RuntimeError(f"finetune run failed:\n{ran.output[-3000:]}")
    uploaded = len(document(ran.output)["sync"]["uploads"])
    sequential = share_client(handle, config, "sequential")
    sequential.create_share()
    seq_wall = sequential_upload(sequential, workspace, paths)
    return {
        "files": len(paths),
        "bytes": total,
        "uploaded": uploaded,
        "finetune_run_wall_s": ran.wall,
        "sequential_wall_s": seq_wall,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    bench_arguments(parser, "finetune")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    with private_localcloud("bench-finetune-") as (handle, tmp):
        workspace = provision(handle, tmp)
        logs = log_latency(handle, workspace, sizes)
        upload = first_upload(handle, workspace, sizes)
    report = {"machine": machine(), "quick": args.quick, "logs": logs, "upload": upload}
    write_report(args.out, report)
    print(render(report))
    checks = [("finetune logs --follow: median <= 1 s", logs["follow_median_s"] <= 1.0)]
    print(verdict_lines(checks))
    return exit_code(checks, args.quick)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def render(report: dict[str, Any]) -> str:
    logs, upload = report["logs"], report["upload"]
    ratio = logs["portal_median_s"] / max(logs["follow_median_s"], 0.001)
    log_rows = [
        ["finetune logs --follow", logs["follow_seen"], ms(logs["follow_median_s"]),
         ms(logs["follow_max_s"]), "1"],
        [f"portal query, poll {logs['poll_s']:g} s", logs["portal_seen"],
         ms(logs["portal_median_s"]), ms(logs["portal_max_s"]), f"{ratio:.0f}"],
    ]  # fmt: skip
    mb = upload["bytes"] / (1024 * 1024)
    up_rows = [
        ["finetune run (sync + start)", upload["uploaded"], upload["finetune_run_wall_s"], 1.0],
        [
            "sequential SDK upload",
            upload["files"],
            upload["sequential_wall_s"],
            upload["sequential_wall_s"] / upload["finetune_run_wall_s"],
        ],
    ]
    return "\n".join(
        [
            report["machine"],
            f"(a) printed -> shown, {logs['lines']} lines; Log Analytics ingestion delay "
            f"{logs['ingestion_delay_s']:g} s",
            table(["reader", "lines", "median", "max", "x follow"], log_rows),
            "",
            f"(b) first upload of dataset/: {upload['files']} files, {mb:.0f} MiB",
            table(["uploader", "files", "wall s", "x finetune run"], up_rows),
        ]
    )


if __name__ == "__main__":
    os.environ.pop("AZURE_SUBSCRIPTION_ID", None)
    raise SystemExit(main())
