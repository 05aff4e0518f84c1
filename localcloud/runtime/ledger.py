"""The process groups localcloud started, on disk, so a crashed localcloud leaves no orphans.

Every replica process is a session (and process group) leader. The ledger records each
group's id and the leader's start time (`/proc/<pid>/stat` field 22); `reap_leftovers` at
startup kills the groups of a previous run that are still there:
- leader alive with the recorded start time -> the group is ours: SIGKILL it;
- leader gone but members with that group id remain -> they can only be its orphans
  (a new group with that id needs a leader with that pid): SIGKILL the group;
- a different process now has that pid -> not ours, left alone.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
from pathlib import Path


def start_time(pid: int, proc: Path = Path("/proc")) -> str | None:
    try:
        stat = (proc / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else None


def group_members(pgid: int, proc: Path = Path("/proc")) -> list[int]:
    members = []
    for entry in proc.iterdir() if proc.is_dir() else ():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[-1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(entry.name))
    return members


class Ledger:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._groups: dict[int, str] = {}
        try:  # what a previous run left, read before this run records anything
            doc = json.loads(path.read_text())
            self._previous = {int(k): str(v) for k, v in doc.items()}
        except (OSError, ValueError, AttributeError):
            self._previous = {}

    def add(self, pgid: int) -> None:
        self._groups[pgid] = start_time(pgid) or ""
        self._save()

    def remove(self, pgid: int) -> None:
        if self._groups.pop(pgid, None) is not None:
            self._save()

    def reap_leftovers(self) -> list[int]:
        """Kill the groups a previous run left behind; returns their ids."""
        recorded, self._previous = self._previous, {}
        killed = []
        for pgid, started in recorded.items():
            if pgid in self._groups:
                continue
            now = start_time(pgid)
            ours = now == started if now is not None else bool(group_members(pgid))
            if ours:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pgid, signal.SIGKILL)
                    killed.append(pgid)
        self._save()
        return killed

    def _save(self) -> None:
        with contextlib.suppress(OSError):
            self._path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self._path.with_suffix(".tmp")
            tmp.write_text(json.dumps({str(k): v for k, v in sorted(self._groups.items())}))
            tmp.replace(self._path)
