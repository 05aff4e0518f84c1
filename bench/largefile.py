"""A few large files over a capped, distant network: ranges of one file in parallel against
a single-stream upload.

    .venv/bin/python bench/largefile.py [--quick] [--files 4] [--megabytes 1024]
                                        [--latency-ms 30] [--bandwidth-kbps 80000]

1. starts a private localcloud, provisions a workspace copied from the repo (the app idles)
   and writes FILES random files of MEGABYTES in total under inference/bench-large/;
2. shapes localcloud's network: LATENCY_MS added per request and BANDWIDTH_KBPS per
   connection and direction (80,000 kbit/s = 10 MB/s, about what one TCP stream gets to a
   region 30 ms away);
3. uploads them into new, empty shares two ways: `orchestrator deploy --no-restart` (each
   file created at its size, its 4 MiB ranges put 8 at a time, Content-MD5 set last; the
   CLI also reads every file once for its MD5) and the official SDK's
   `ShareFileClient.upload_file` with one connection (`max_concurrency=1`, its default and
   what `az storage file upload` does), one file after another;
4. checks every file's size and our Content-MD5 on the share, and reports wall times, the
   ratio and the CLI's peak memory.

Targets: ours >= 3x the single stream; the CLI's peak RSS <= 150 MB. Writes
bench/out/largefile.json; exits 1 when a target is missed (not with --quick: 2 files /
20 MB at 40,000 kbit/s, each file three ranges).
"""

from __future__ import annotations

import argparse
import hashlib
import os
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
from netsync import point_config
from sync import Share, provisioned_share, synced_files

RATIO_TARGET = 3.0
RSS_TARGET_MB = 150.0
DATA = "inference/bench-large"
CHUNK = 4 * 1024 * 1024


def write_large(workspace: Path, count: int, total: int) -> dict[str, bytes]:
    """`count` random files of `total` bytes; returns each share path's MD5."""
    md5s: dict[str, bytes] = {}
    for i in range(count):
        rel = f"{DATA}/large{i}.bin"
        target = workspace / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        size = total // count + (total % count if i == 0 else 0)
        digest = hashlib.md5()
        with target.open("wb") as fh:
            for start in range(0, size, CHUNK):
                block = os.urandom(min(CHUNK, size - start))
                digest.update(block)
                fh.write(block)
        md5s[rel] = digest.digest()
    return md5s


def single_stream(client: Any, workspace: Path, paths: list[str]) -> float:
    folders = sorted(
        {"/".join(p.split("/")[:i]) for p in paths for i in range(1, p.count("/") + 1)}
    )
    started = time.perf_counter()
    for folder in folders:
        client.get_directory_client(folder).create_directory()
    for rel in paths:
        with (workspace / rel).open("rb") as fh:
            client.get_file_client(rel).upload_file(fh, max_concurrency=1)
    return time.perf_counter() - started


def on_share(client: Any, md5s: dict[str, bytes], workspace: Path, *, with_md5: bool) -> bool:
    """Every large file has its size (and, for ours, its Content-MD5) on the share."""
    for rel, md5 in md5s.items():
        props = client.get_file_client(rel).get_file_properties()
        if props.size != (workspace / rel).stat().st_size:
            return False
        if with_md5 and bytes(props.content_settings.content_md5 or b"") != md5:
            return False
    return True


@dataclass(frozen=True)
class Report:
    files: int
    megabytes: float
    latency_ms: float
    bandwidth_kbps: float
    ours_wall: float
    ours_max_rss_mb: float
    ours_complete: bool
    single_wall: float
    single_complete: bool

    @property
    def ratio(self) -> float:
        return self.single_wall / self.ours_wall

    def checks(self) -> list[tuple[str, bool]]:
        return [
            ("both uploads complete", self.ours_complete and self.single_complete),
            (f"ours >= {RATIO_TARGET:g}x the single stream", self.ratio >= RATIO_TARGET),
            (f"CLI peak RSS <= {RSS_TARGET_MB:g} MB", self.ours_max_rss_mb <= RSS_TARGET_MB),
        ]


def render(r: Report) -> str:
    rows = [
        [
            "orchestrator deploy --no-restart",
            r.ours_wall,
            r.megabytes / r.ours_wall,
            f"{r.ours_max_rss_mb:.0f}",
        ],
        ["SDK upload_file, one connection", r.single_wall, r.megabytes / r.single_wall, "-"],
    ]
    return "\n".join(
        [
            f"{r.files} files, {r.megabytes:.0f} MB; {r.latency_ms:g} ms per request, "
            f"{r.bandwidth_kbps:g} kbit/s per connection",
            table(["uploader", "wall s", "MB/s", "peak RSS MB"], rows),
            f"single stream / ours: {r.ratio:.1f}x",
            "",
            "targets",
            verdict_lines(r.checks()),
        ]
    )


def run(args: argparse.Namespace) -> Report:
    with private_localcloud("bench-largefile-") as (handle, tmp):
        workspace, _ = provisioned_workspace(handle, tmp, "large")
        share, _ = provisioned_share(handle, workspace)
        md5s = write_large(workspace, args.files, args.megabytes * 1024 * 1024)
        megabytes = sum((workspace / p).stat().st_size for p in md5s) / 1024 / 1024
        ours = share.client("ours", handle.ca_file)
        ours.create_share()
        single = share.client("single", handle.ca_file)
        single.create_share()
        set_network(handle, args.latency_ms, args.bandwidth_kbps)
        wall, rss = deploy_to(handle, workspace, share, "ours")
        single_wall = single_stream(single, workspace, synced_files(workspace))
        set_network(handle, 0)
        return Report(
            files=args.files,
            megabytes=megabytes,
            latency_ms=args.latency_ms,
            bandwidth_kbps=args.bandwidth_kbps,
            ours_wall=wall,
            ours_max_rss_mb=rss,
            ours_complete=on_share(ours, md5s, workspace, with_md5=True),
            single_wall=single_wall,
            single_complete=on_share(single, md5s, workspace, with_md5=False),
        )


def deploy_to(
    handle: LocalCloudHandle, workspace: Path, share: Share, name: str
) -> tuple[float, float]:
    point_config(workspace, name)
    ran = run_cli(workspace, handle, "deploy", "--no-restart", timeout=3600)
    point_config(workspace, share.name)
    if ran.code != 0:
        raise RuntimeError(f"deploy failed ({ran.code}):\n{ran.output[-3000:]}")
    return ran.wall, ran.max_rss_mb


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    bench_arguments(parser, "largefile")
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--megabytes", type=int, default=1024)
    parser.add_argument("--latency-ms", type=float, default=30.0)
    parser.add_argument("--bandwidth-kbps", type=float, default=80000.0)
    args = parser.parse_args()
    if args.quick:
        args.files, args.megabytes, args.bandwidth_kbps = 2, 20, 40000.0
    started = time.perf_counter()
    report = run(args)
    print(render(report))
    print(f"\n{machine()}; whole run {time.perf_counter() - started:.0f} s")
    write_report(
        args.out, asdict(report) | {"ratio": report.ratio, "checks": dict(report.checks())}
    )
    return exit_code(report.checks(), args.quick)


if __name__ == "__main__":
    sys.exit(main())
