"""First sync of many small files over a network with latency, side by side with what a user
would otherwise run.

    .venv/bin/python bench/netsync.py [--quick] [--files 2000] [--megabytes 100]
                                      [--latency 0 30] [--no-az]

1. starts a private localcloud, provisions a workspace copied from the repo (the app idles)
   and writes FILES files of MEGABYTES in total under inference/bench-data/ (seeded sizes,
   log-uniform 1 KB - 1 MB, 40 folders; the same tree as bench/sync.py);
2. for each added latency (localcloud's network shaping, `POST /_localcloud/settings
   {"latency_ms": N}`), uploads the same files into a new, empty share three ways:
   - `orchestrator deploy --no-restart` (the config pointed at that share);
   - a sequential per-file upload with the official SDK (folders once each, then
     `ShareFileClient.upload_file` one file after another);
   - the real `az storage file upload-batch` (azure-cli 2.91.0 in the benchmark's own
     environment, bench/azpeer.py) with a connection string to localcloud's Files endpoint;
3. checks, by listing each share, that it got every file, and reports wall times, the
   ratios to ours, and the peak memory of the CLI processes.

Targets (at 30 ms): ours >= 8x the sequential upload and >= 8x az upload-batch; the
orchestrator's peak RSS <= 120 MB. Writes bench/out/netsync.json; exits 1 when a target is
missed (not with --quick: 30 files / 1 MB at
30 ms only, no az unless --az).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from _support import (
    LocalCloudHandle,
    bench_arguments,
    exit_code,
    machine,
    private_localcloud,
    provisioned_workspace,
    run_cli,
    set_network,
    table,
    verdict_lines,
    write_report,
)
from azpeer import AzSession, az_executable, connection_string
from sync import Share, provisioned_share, synced_files, write_tree

RATIO_TARGET = 8.0
RSS_TARGET_MB = 120.0
TARGET_LATENCY = 30.0


@dataclass(frozen=True)
class Upload:
    latency_ms: float
    uploader: str  # ours | sequential | az
    wall: float
    files: int  # files the share got (Create File requests in the log)
    max_rss_mb: float  # 0 when measured in-process (sequential)


def point_config(workspace: Path, share_name: str) -> None:
    path = workspace / "infra" / "inference.config.json"
    config = json.loads(path.read_text())
    config["FILE_SHARE_NAME"] = share_name
    path.write_text(json.dumps(config, indent=2) + "\n")


def ours(handle: LocalCloudHandle, workspace: Path, share: Share, name: str) -> tuple[float, float]:
    point_config(workspace, name)
    ran = run_cli(workspace, handle, "deploy", "--no-restart", timeout=1800)
    point_config(workspace, share.name)
    if ran.code != 0:
        raise RuntimeError(f"deploy failed ({ran.code}):\n{ran.output[-3000:]}")
    return ran.wall, ran.max_rss_mb


def sequential(share: Any, workspace: Path, paths: list[str]) -> tuple[float, float]:
    """One file after another with the SDK: each folder once (parents first), then
    upload_file."""
    folders = sorted(
        {"/".join(p.split("/")[:i]) for p in paths for i in range(1, p.count("/") + 1)}
    )
    started = time.perf_counter()
    for folder in folders:
        share.get_directory_client(folder).create_directory()
    for rel in paths:
        with (workspace / rel).open("rb") as fh:
            share.get_file_client(rel).upload_file(fh)
    return time.perf_counter() - started, 0.0


def az_batch(session: AzSession, share: Share, workspace: Path, name: str) -> tuple[float, float]:
    conn = connection_string(share.account, share.key, share.url)
    session.run("storage", "share", "create", "-n", name, "--connection-string", conn, "-o", "none")
    wall = rss = 0.0
    for root in ("inference", "setup"):
        if (workspace / root).is_dir():
            ran = session.run(
                "storage",
                "file",
                "upload-batch",
                "--destination",
                name,
                "--source",
                str(workspace / root),
                "--destination-path",
                root,
                "--connection-string",
                conn,
                "-o",
                "none",
            )
            wall, rss = wall + ran.wall, max(rss, ran.max_rss_mb)
    return wall, rss


def files_on_share(client: Any, folder: str = "") -> int:
    """The files on the share, counted by listing it (the SDK, folder by folder)."""
    count = 0
    directory = client.get_directory_client(folder) if folder else client.get_directory_client()
    for item in directory.list_directories_and_files():
        if item["is_directory"]:
            count += files_on_share(client, f"{folder}/{item['name']}".lstrip("/"))
        else:
            count += 1
    return count


def one_latency(
    handle: LocalCloudHandle,
    workspace: Path,
    share: Share,
    paths: list[str],
    latency: float,
    session: AzSession | None,
) -> list[Upload]:
    tag = f"{latency:g}ms"
    found: list[Upload] = []
    set_network(handle, latency)
    tools = ["ours", "sequential"] + (["az"] if session is not None else [])
    for tool in tools:
        name = f"{tool}-{tag}"
        if tool == "ours":
            share.client(name, handle.ca_file).create_share()
            wall, rss = ours(handle, workspace, share, name)
        elif tool == "sequential":
            client = share.client(name, handle.ca_file)
            client.create_share()
            wall, rss = sequential(client, workspace, paths)
        else:
            assert session is not None
            wall, rss = az_batch(session, share, workspace, name)
        on_share = files_on_share(share.client(name, handle.ca_file))
        found.append(Upload(latency, tool, wall, on_share, rss))
        print(f"  {tag} {tool}: {wall:.2f} s, {on_share} files", file=sys.stderr)
    set_network(handle, 0)
    return found


@dataclass(frozen=True)
class Report:
    files: int
    megabytes: float
    uploads: list[Upload]

    def wall(self, latency: float, tool: str) -> float | None:
        return next(
            (u.wall for u in self.uploads if (u.latency_ms, u.uploader) == (latency, tool)), None
        )

    def ratio(self, latency: float, tool: str) -> float | None:
        mine, theirs = self.wall(latency, "ours"), self.wall(latency, tool)
        return theirs / mine if mine and theirs else None

    def checks(self) -> list[tuple[str, bool]]:
        found = [
            ("every uploader put every file", all(u.files == self.files for u in self.uploads))
        ]
        for tool in ("sequential", "az"):
            ratio = self.ratio(TARGET_LATENCY, tool)
            if ratio is not None:
                found.append((f"at 30 ms, ours >= {RATIO_TARGET:g}x {tool}", ratio >= RATIO_TARGET))
        peaks = [u.max_rss_mb for u in self.uploads if u.uploader == "ours"]
        found.append(
            (f"orchestrator peak RSS <= {RSS_TARGET_MB:g} MB", max(peaks) <= RSS_TARGET_MB)
        )
        return found


def render(report: Report) -> str:
    rows = []
    for u in report.uploads:
        ratio = report.ratio(u.latency_ms, u.uploader)
        rows.append(
            [
                f"{u.latency_ms:g} ms",
                u.uploader,
                u.wall,
                u.files,
                report.megabytes / u.wall,
                f"{ratio:.1f}x" if ratio else "-",
                f"{u.max_rss_mb:.0f}" if u.max_rss_mb else "-",
            ]
        )
    head = ["latency", "uploader", "wall s", "files", "MB/s", "wall / ours", "peak RSS MB"]
    return "\n".join(
        [
            f"first sync of {report.files} files, {report.megabytes:.0f} MB into an empty share",
            table(head, rows),
            "",
            "targets",
            verdict_lines(report.checks()),
        ]
    )


def run(args: argparse.Namespace) -> Report:
    rng = random.Random(args.seed)
    with private_localcloud("bench-netsync-") as (handle, tmp):
        workspace, _ = provisioned_workspace(handle, tmp, "netsync")
        share, _ = provisioned_share(handle, workspace)
        write_tree(workspace, args.files, args.megabytes * 1024 * 1024, rng)
        paths = synced_files(workspace)
        megabytes = sum((workspace / p).stat().st_size for p in paths) / 1024 / 1024
        session = None
        if args.az:
            session = AzSession(az_executable(), handle, tmp / "azure-config")
        uploads: list[Upload] = []
        for latency in args.latency:
            uploads += one_latency(handle, workspace, share, paths, latency, session)
    return Report(len(paths), megabytes, uploads)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    bench_arguments(parser, "netsync")
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--megabytes", type=int, default=100)
    parser.add_argument("--latency", type=float, nargs="+", default=[0.0, TARGET_LATENCY])
    parser.add_argument(
        "--az",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run az upload-batch (default: yes; not with --quick)",
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.quick:
        args.files, args.megabytes, args.latency = 30, 1, [TARGET_LATENCY]
    if args.az is None:
        args.az = not args.quick
    started = time.perf_counter()
    report = run(args)
    print(render(report))
    print(f"\n{machine()}; whole run {time.perf_counter() - started:.0f} s")
    write_report(args.out, asdict(report) | {"checks": dict(report.checks())})
    return exit_code(report.checks(), args.quick)


if __name__ == "__main__":
    sys.exit(main())
