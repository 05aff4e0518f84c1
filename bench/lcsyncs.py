"""localcloud under several clients at once: CLIENTS `orchestrator deploy --no-restart`
processes, each syncing the same FILES-file tree into its own new share, started together.

Every request localcloud served in that window is read from its log file (one line per
request: method, path, status), so the figures hold however many requests there are: the
request rate, the statuses (any 5xx or dropped connection is an error), and each share's
Create File count.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from _support import LocalCloudHandle, cli_env
from netsync import point_config
from sync import Share

LINE = re.compile(r" localcloud\.requests (\S+) (\S+) -> (\S+) ")


@dataclass(frozen=True)
class ConcurrentSyncs:
    clients: int
    files_each: int
    wall: float
    exit_codes: list[int]
    requests: int
    requests_per_second: float
    errors: int  # 5xx or dropped
    statuses: dict[str, int]
    created_per_share: list[int]

    @property
    def ok(self) -> bool:
        complete = all(n == self.files_each for n in self.created_per_share)
        return complete and self.errors == 0 and not any(self.exit_codes)


def copies(workspace: Path, share: Share, handle: LocalCloudHandle, clients: int) -> list[Path]:
    """`clients` copies of the workspace (no sync records), each pointed at a new share."""
    found = []
    for i in range(clients):
        copy = workspace.parent / f"client-{i}"
        shutil.copytree(workspace, copy, ignore=shutil.ignore_patterns(".orchestrator"))
        name = f"client-{i}"
        share.client(name, handle.ca_file).create_share()
        point_config(copy, name)
        found.append(copy)
    return found


def served(log_file: Path, offset: int) -> list[tuple[str, str, str]]:
    with log_file.open("rb") as fh:
        fh.seek(offset)
        text = fh.read().decode(errors="replace")
    found = (LINE.search(line) for line in text.splitlines())
    return [(m[1], m[2], m[3]) for m in found if m]


def created(lines: list[tuple[str, str, str]], account: str, share: str) -> int:
    prefix = f"/{account}/{share}/".lower()
    return sum(
        1
        for method, path, status in lines
        if method == "PUT"
        and path.lower().startswith(prefix)
        and "?" not in path
        and status.startswith("2")
    )


def concurrent_syncs(
    handle: LocalCloudHandle, workspace: Path, share: Share, clients: int, files_each: int
) -> ConcurrentSyncs:
    folders = copies(workspace, share, handle, clients)
    offset = handle.log_file.stat().st_size
    started = time.perf_counter()
    argv = [sys.executable, "-m", "orchestrator", "deploy", "--no-restart"]
    running = [
        subprocess.Popen(
            argv,
            cwd=f,
            env=cli_env(handle),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in folders
    ]
    outputs = [p.communicate(timeout=1800)[1] for p in running]
    wall = time.perf_counter() - started
    time.sleep(0.5)  # the last log lines reach the file
    lines = served(handle.log_file, offset)
    statuses: dict[str, int] = {}
    for _, _, status in lines:
        statuses[status] = statuses.get(status, 0) + 1
    errors = sum(n for s, n in statuses.items() if s.startswith("5") or s == "dropped")
    for code, err in zip([p.returncode for p in running], outputs, strict=True):
        if code:
            print(f"a client failed ({code}):\n{err[-2000:]}", file=sys.stderr)
    return ConcurrentSyncs(
        clients=clients,
        files_each=files_each,
        wall=wall,
        exit_codes=[p.returncode for p in running],
        requests=len(lines),
        requests_per_second=len(lines) / wall,
        errors=errors,
        statuses=dict(sorted(statuses.items())),
        created_per_share=[
            created(
                lines,
                share.account,
                json.loads((f / "infra" / "inference.config.json").read_text())["FILE_SHARE_NAME"],
            )
            for f in folders
        ],
    )
