"""File share sync: first upload, one-file re-sync, and how soon a ready endpoint is noticed.

    .venv/bin/python bench/sync.py [--quick] [--files 2000] [--megabytes 100] [--reps 5]

1. starts a private localcloud, provisions a workspace copied from the repo (the app idles),
   and writes FILES files of MEGABYTES in total under inference/bench-data/ (seeded sizes);
2. (a) first sync: `orchestrator deploy --no-restart` against the provisioned share, and a
   sequential one-file-at-a-time upload of the same files with the same SDK into a second
   share (what `az storage file upload-batch` does: ancestor folders, then upload_file);
3. (b) re-sync: first with nothing changed, then after changing one file (same size, new
   bytes), REPS times: wall time and, from localcloud's request log, files created (PUT
   without comp=), HEADs and listings; last, one with the workspace's share record removed
   (every same-size file HEADed, as before the record existed);
4. (c) endpoint readiness: `orchestrator.deploy.health.wait_for_endpoint` with a real HTTP
   GET against a local server that starts listening (or stops answering 503) at a known
   moment; the gap between that moment and the wait returning.

Targets: re-sync of one changed file uploads exactly that file in <= 1.5 s (median wall);
readiness noticed within 1 s. Prints tables, writes bench/out/sync.json and exits 1 when a
target is missed (not with --quick: 50 files / 2 MB, one re-sync).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from _support import (
    LocalCloudHandle,
    bench_arguments,
    exit_code,
    machine,
    median,
    private_localcloud,
    provisioned_workspace,
    request_log,
    run_cli,
    sdk_kwargs,
    table,
    write_report,
)

DATA = "inference/bench-data"
RESYNC_TARGET = 1.5
READY_TARGET = 1.0
FOLDERS = 40


# --- the tree ---------------------------------------------------------------------------


def sizes(count: int, total: int, rng: random.Random) -> list[int]:
    """`count` file sizes summing to `total`: log-uniform, so a few large and many small."""
    raw = [2 ** rng.uniform(10, 20) for _ in range(count)]
    scaled = [max(1, int(r * total / sum(raw))) for r in raw]
    scaled[0] += total - sum(scaled)
    return scaled


def write_tree(workspace: Path, count: int, total: int, rng: random.Random) -> list[str]:
    """The bench files under inference/bench-data/dNN/; returns their share paths."""
    paths: list[str] = []
    for i, size in enumerate(sizes(count, total, rng)):
        rel = f"{DATA}/d{i % FOLDERS:02d}/f{i:05d}.bin"
        target = workspace / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(rng.randbytes(size))
        paths.append(rel)
    return paths


def synced_files(workspace: Path) -> list[str]:
    """Every file `deploy` syncs by default (inference/, setup/; no caches)."""
    found = []
    for root in ("inference", "setup"):
        for path in sorted((workspace / root).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                found.append(path.relative_to(workspace).as_posix())
    return found


def change_one(workspace: Path, rel: str) -> None:
    """New bytes, same size: only the MD5 can tell."""
    path = workspace / rel
    data = bytearray(path.read_bytes())
    data[0] ^= 0xFF
    path.write_bytes(bytes(data))


# --- the share as seen through the request log --------------------------------------------


@dataclass(frozen=True)
class FileRequests:
    created: tuple[str, ...]  # file paths with a Create File PUT
    heads: int
    listings: int
    other_puts: int  # ranges, properties, folders


def file_requests(log: list[dict[str, Any]], account: str, share: str) -> FileRequests:
    prefix = f"/{account}/{share}/".lower()
    created: list[str] = []
    heads = listings = other = 0
    for entry in log:
        raw = str(entry["path"])
        path, _, query = raw.partition("?")
        if not path.lower().startswith(prefix):
            continue
        method = str(entry["method"]).upper()
        if method == "HEAD":
            heads += 1
        elif method == "GET" and "comp=list" in query:
            listings += 1
        elif method == "PUT" and "comp=" not in query and "restype=" not in query:
            created.append(unquote(path[len(prefix) :]))
        elif method == "PUT":
            other += 1
    return FileRequests(tuple(created), heads, listings, other)


@dataclass(frozen=True)
class Share:
    account: str
    name: str
    url: str  # the account's file endpoint
    key: str

    def client(self, name: str | None = None, ca_file: str = "") -> Any:
        from azure.storage.fileshare import ShareClient

        return ShareClient(
            self.url,
            name or self.name,
            credential={"account_name": self.account, "account_key": self.key},
            connection_verify=ca_file,
        )


def provisioned_share(handle: LocalCloudHandle, workspace: Path) -> tuple[Share, str]:
    from azure.mgmt.storage import StorageManagementClient

    config = json.loads((workspace / "infra" / "inference.config.json").read_text())
    group, account = config["RESOURCE_GROUP_NAME"], config["STORAGE_ACCOUNT_NAME"]
    client = StorageManagementClient(
        handle.credential(), handle.subscription_id, **sdk_kwargs(handle)
    )
    props = client.storage_accounts.get_properties(group, account)
    keys = client.storage_accounts.list_keys(group, account)
    url = str(props["properties"]["primaryEndpoints"]["file"]).rstrip("/")
    share = Share(account, config["FILE_SHARE_NAME"], url, str(keys["keys"][0]["value"]))
    return share, group


# --- (a) first sync ---------------------------------------------------------------------


def deploy(handle: LocalCloudHandle, workspace: Path) -> tuple[float, str]:
    ran = run_cli(workspace, handle, "deploy", "--no-restart", timeout=900)
    if ran.code != 0:
        raise RuntimeError(f"deploy failed ({ran.code}):\n{ran.output[-3000:]}")
    return ran.wall, ran.output


def sequential_upload(share: Any, workspace: Path, paths: list[str]) -> float:
    """One file at a time: its ancestor folders (existing ones ignored), then upload_file."""
    from azure.core.exceptions import ResourceExistsError

    started = time.perf_counter()
    for rel in paths:
        parts = rel.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            with contextlib.suppress(ResourceExistsError):
                share.get_directory_client("/".join(parts[:depth])).create_directory()
        with (workspace / rel).open("rb") as fh:
            share.get_file_client(rel).upload_file(fh)
    return time.perf_counter() - started


# --- (b) re-sync ------------------------------------------------------------------------


@dataclass(frozen=True)
class Resync:
    kind: str  # "one changed" | "nothing changed" | "one changed, no share record"
    wall: float
    changed: str
    requests: FileRequests

    @property
    def exact(self) -> bool:
        return list(self.requests.created) == ([self.changed] if self.changed else [])


def resync(
    handle: LocalCloudHandle, workspace: Path, share: Share, kind: str, changed: str
) -> Resync:
    if changed:
        change_one(workspace, changed)
    if kind.endswith("no share record"):
        for path in (workspace / ".orchestrator" / "share-state").glob("*.json"):
            path.unlink()
    request_log(handle, clear=True)
    wall, _ = deploy(handle, workspace)
    found = file_requests(request_log(handle, clear=True), share.account, share.name)
    return Resync(kind, wall, changed, found)


# --- (c) endpoint readiness ---------------------------------------------------------------


class _App(BaseHTTPRequestHandler):
    ready_at = 0.0  # time.monotonic() from which the app answers 200 (503 before)

    def do_GET(self) -> None:
        status = 200 if time.monotonic() >= self.ready_at else 503
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_get() -> Callable[[str, Any, float], tuple[int, bytes]]:
    import requests

    session = requests.Session()

    def get(url: str, headers: Any, timeout: float) -> tuple[int, bytes]:
        response = session.get(url, headers=dict(headers), timeout=timeout)
        return response.status_code, response.content

    return get


def readiness_once(mode: str, delay: float) -> float:
    """Seconds from the app starting to answer to wait_for_endpoint returning."""
    from orchestrator.deploy.health import Waiter, wait_for_endpoint

    port = free_port()
    clients = type("Http", (), {"get": staticmethod(http_get())})()
    handler = type("App", (_App,), {"ready_at": float("inf")})
    server: ThreadingHTTPServer | None = None
    marks: dict[str, float] = {}

    def start_answering() -> None:
        nonlocal server
        time.sleep(delay)
        if mode == "connection refused":
            handler.ready_at = 0.0
            server = ThreadingHTTPServer(("127.0.0.1", port), handler)
            marks["ready"] = time.monotonic()
            threading.Thread(target=server.serve_forever, daemon=True).start()
        else:
            handler.ready_at = marks["ready"] = time.monotonic()

    if mode != "connection refused":
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    starter = threading.Thread(target=start_answering)
    starter.start()
    waiter = Waiter(time.monotonic, time.sleep, lambda _: None, time.monotonic() + 30)
    answer = wait_for_endpoint(clients, f"http://127.0.0.1:{port}/", waiter)
    returned = time.monotonic()
    starter.join()
    if server is not None:
        server.shutdown()
        server.server_close()
    if answer.status != 200:
        raise RuntimeError(f"wait_for_endpoint gave up: {answer}")
    return returned - marks["ready"]


# --- report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    files: int
    megabytes: float
    first_ours: float
    first_ours_created: int
    first_sequential: float
    resyncs: list[Resync]
    readiness: dict[str, list[float]]

    def checks(self) -> list[tuple[str, bool]]:
        changed = [r for r in self.resyncs if r.kind == "one changed"]
        walls = [r.wall for r in changed]
        gaps = [g for values in self.readiness.values() for g in values]
        return [
            ("every re-sync uploaded exactly the changed file", all(r.exact for r in self.resyncs)),
            (
                f"one-file re-sync median wall <= {RESYNC_TARGET} s",
                median(walls) <= RESYNC_TARGET,
            ),
            (f"readiness noticed within {READY_TARGET} s (max)", max(gaps) <= READY_TARGET),
        ]


def render(report: Report) -> str:
    ratio = report.first_sequential / report.first_ours
    parts = [
        f"(a) first sync of {report.files} files, {report.megabytes:.0f} MB",
        table(
            ["uploader", "wall s", "files created", "MB/s"],
            [
                [
                    "orchestrator deploy --no-restart",
                    report.first_ours,
                    report.first_ours_created,
                    report.megabytes / report.first_ours,
                ],
                [
                    "sequential upload_file (upload-batch)",
                    report.first_sequential,
                    report.files,
                    report.megabytes / report.first_sequential,
                ],
            ],
        ),
        f"sequential / ours: {ratio:.1f}x",
        "",
        "(b) re-sync (orchestrator deploy --no-restart)",
        table(
            ["case", "runs", "median wall s", "max wall s", "files created", "HEADs", "listings"],
            resync_rows(report.resyncs),
        ),
        "",
        "(c) endpoint readiness (wait_for_endpoint, 0.25 s probe interval)",
        table(
            ["the app", "runs", "median gap s", "max gap s"],
            [[mode, len(gaps), median(gaps), max(gaps)] for mode, gaps in report.readiness.items()],
        ),
        "",
        "targets",
    ]
    parts += [f"  {'met   ' if ok else 'MISSED'}  {name}" for name, ok in report.checks()]
    return "\n".join(parts)


def resync_rows(resyncs: list[Resync]) -> list[list[object]]:
    rows: list[list[object]] = []
    for kind in dict.fromkeys(r.kind for r in resyncs):
        mine = [r for r in resyncs if r.kind == kind]
        rows.append(
            [
                kind,
                len(mine),
                median([r.wall for r in mine]),
                max(r.wall for r in mine),
                "/".join(str(len(r.requests.created)) for r in mine),
                "/".join(str(r.requests.heads) for r in mine),
                median([r.requests.listings for r in mine]),
            ]
        )
    return rows


def run(args: argparse.Namespace) -> Report:
    rng = random.Random(args.seed)
    with private_localcloud("bench-sync-") as (handle, tmp):
        workspace, _ = provisioned_workspace(handle, tmp, "sync")
        share, _ = provisioned_share(handle, workspace)
        bench_files = write_tree(workspace, args.files, args.megabytes * 1024 * 1024, rng)
        everything = synced_files(workspace)
        megabytes = sum((workspace / p).stat().st_size for p in everything) / 1024 / 1024

        request_log(handle, clear=True)
        first_ours, _ = deploy(handle, workspace)
        created = file_requests(request_log(handle, clear=True), share.account, share.name)
        baseline = share.client("sequential", handle.ca_file)
        baseline.create_share()
        first_sequential = sequential_upload(baseline, workspace, everything)
        request_log(handle, clear=True)

        picks = rng.sample(bench_files, args.reps + 1)
        resyncs = [resync(handle, workspace, share, "nothing changed", "")]
        resyncs += [resync(handle, workspace, share, "one changed", p) for p in picks[:-1]]
        resyncs.append(resync(handle, workspace, share, "one changed, no share record", picks[-1]))
    readiness = {
        mode: [readiness_once(mode, rng.uniform(0.3, 1.2)) for _ in range(args.ready_reps)]
        for mode in ("connection refused", "503 until ready")
    }
    return Report(
        files=len(everything),
        megabytes=megabytes,
        first_ours=first_ours,
        first_ours_created=len(created.created),
        first_sequential=first_sequential,
        resyncs=resyncs,
        readiness=readiness,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    bench_arguments(parser, "sync")
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--megabytes", type=int, default=100)
    parser.add_argument("--reps", type=int, default=5, help="one-file re-syncs")
    parser.add_argument("--ready-reps", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.quick:
        args.files, args.megabytes, args.reps, args.ready_reps = 50, 2, 1, 1
    started = time.perf_counter()
    report = run(args)
    print(render(report))
    print(f"\n{machine()}; whole run {time.perf_counter() - started:.0f} s")
    write_report(args.out, asdict(report) | {"checks": dict(report.checks())})
    return exit_code(report.checks(), args.quick)


if __name__ == "__main__":
    sys.exit(main())
