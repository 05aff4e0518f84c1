"""Share snapshots: read-only copies of a share taken at one instant.

A snapshot of `<account>/<share>` named by its time (`2026-12-02T18:49:53.1644180Z`) is a
copy of the share folder under `<state_dir>/files-snapshots/<account>/<share>/<time>/data/`
(regular files and folders only: symlinks and special files are invisible in a share, so
they are not copied) and a copy of the share's sidecar records beside it (`meta.sqlite`).
Requests naming `sharesnapshot=<time>` read from there; the live share is never consulted.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
from pathlib import Path

from localcloud.files.props import file_time

SNAPSHOT_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,7})?Z")
MAX_SNAPSHOTS = 200  # per share, as Azure allows
_NS = 1_000_000_000


class ShareSnapshots:
    def __init__(self, root: Path) -> None:
        self.root = root  # <state_dir>/files-snapshots

    def folder(self, account: str, share: str, snapshot: str) -> Path:
        return self.root / account / share / snapshot

    def data(self, account: str, share: str, snapshot: str) -> Path:
        return self.folder(account, share, snapshot) / "data"

    def meta_file(self, account: str, share: str, snapshot: str) -> Path:
        return self.folder(account, share, snapshot) / "meta.sqlite"

    def exists(self, account: str, share: str, snapshot: str) -> bool:
        return self.data(account, share, snapshot).is_dir()

    def names(self, account: str, share: str) -> list[str]:
        folder = self.root / account / share
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if (p / "data").is_dir())

    def copy_files(self, account: str, share: str, snapshot: str, source: Path) -> None:
        """Copy the share folder `source` into the snapshot (files and folders only)."""
        target = self.data(account, share, snapshot)
        target.mkdir(parents=True)
        _copy_tree(source, target)

    def delete(self, account: str, share: str, snapshot: str) -> None:
        shutil.rmtree(self.folder(account, share, snapshot), ignore_errors=True)


def snapshot_name(ns: int, taken: list[str]) -> str:
    """`2024-12-06T11:08:54.0000000Z`: the service names snapshots by the second; a second
    already taken moves the name on to the next free one."""
    seconds = ns // _NS
    while (name := file_time(seconds * _NS)) in taken:
        seconds += 1
    return name


def _copy_tree(source: Path, target: Path) -> None:
    for entry in os.scandir(source):
        st = entry.stat(follow_symlinks=False)
        if stat.S_ISDIR(st.st_mode):
            (target / entry.name).mkdir()
            _copy_tree(Path(entry.path), target / entry.name)
        elif stat.S_ISREG(st.st_mode):
            shutil.copy2(entry.path, target / entry.name, follow_symlinks=False)
