"""The file share as the sync sees it: list the remote tree, fetch MD5s, carry out a plan.

Everything here goes through the Files adapter (`orchestrator.azure.files.FileShare`,
errors already ours). Decisions are made in `syncplan.py`. Listings carry ETags, and HEADs
and uploads report each file's ETag, size and MD5 as `KnownFile`s, so the caller can
remember them (`sharestate.py`) and skip the HEAD next time.
"""

from __future__ import annotations

import mimetypes
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from orchestrator.azure.sharemodels import FileProperties, ShareEntry
from orchestrator.azure.transport import LOCAL_ANSWER_S
from orchestrator.deploy.syncplan import KnownFile, RemoteFile, SyncPlan, Upload
from orchestrator.errors import AzureError
from orchestrator.threads import Pool


class Share(Protocol):
    """What the sync needs of a file share (`orchestrator.azure.files.FileShare`)."""

    @property
    def url(self) -> str: ...
    def exists(self) -> bool: ...
    def list_folder(self, folder: str) -> list[ShareEntry] | None: ...
    def properties(self, path: str) -> FileProperties: ...
    def make_dir(self, folder: str) -> None: ...
    def upload(
        self, path: str, data: BinaryIO, size: int, content_type: str, md5: bytes
    ) -> str: ...
    def delete_file(self, path: str) -> None: ...
    def delete_dir(self, folder: str) -> None: ...


# Parallel uploads / HEADs. Each request waits a network round trip (20-80 ms to an Azure
# region), so many small files need many in flight; Azure Files takes far more.
WORKERS = 64
# Parallel listings: a listing's folders are only known once its parent is listed, so few are
# in flight at once; 16 keeps a 40-folder tree at three round trips at 30 ms (bench/walls.py:
# 16 and 64 alike at 30 ms, 8 slower). A share that answers within `LOCAL_ANSWER_S` is local:
# there 4 are faster than 16, which spend the time on TLS handshakes.
LIST_WORKERS = 16
LOCAL_LIST_WORKERS = 4


@dataclass(frozen=True)
class RemoteTree:
    files: tuple[RemoteFile, ...]  # md5 None until fetched
    dirs: tuple[str, ...]


@dataclass(frozen=True)
class SyncProgress:
    """One event for the display: `kind` is mkdir | upload | delete | delete-dir."""

    kind: str
    path: str
    size: int = 0


ProgressSink = Callable[[SyncProgress], None]


def list_remote(
    share: Share, roots: Sequence[str], *, local_within: float = LOCAL_ANSWER_S
) -> RemoteTree:
    """Every file and folder under the synced roots (sizes and ETags), one listing per
    folder. The first root is listed alone: answered within `local_within` seconds, the
    share is local and the rest are listed `LOCAL_LIST_WORKERS` at a time."""
    files: list[RemoteFile] = []
    dirs: list[str] = []

    def take(folder: str, entries: list[ShareEntry] | None) -> list[str]:
        """Record a listing; its subfolders, to list next."""
        if entries is None:
            return []
        dirs.append(folder)
        subfolders = []
        for entry in entries:
            path = f"{folder}/{entry.name}"
            if entry.is_directory:
                subfolders.append(path)
            else:
                files.append(RemoteFile(path, entry.size, None, entry.etag))
        return subfolders

    if roots:
        started = time.perf_counter()
        waiting = take(*_list_one(share, roots[0])) + list(roots[1:])
        local = time.perf_counter() - started < local_within
        with Pool(LOCAL_LIST_WORKERS if local else LIST_WORKERS, "share-list") as pool:
            pending = [pool.submit(_list_one, share, folder) for folder in waiting]
            while pending:
                found = take(*pending.pop().result())
                pending += [pool.submit(_list_one, share, folder) for folder in found]
    return RemoteTree(tuple(sorted(files, key=lambda f: f.path)), tuple(sorted(dirs)))


def _list_one(share: Share, folder: str) -> tuple[str, list[ShareEntry] | None]:
    return folder, share.list_folder(folder)


def fetch_properties(share: Share, paths: Iterable[str]) -> dict[str, KnownFile]:
    """ETag, size and Content-MD5 (None when it has none) of each remote file: one HEAD each."""

    def head(path: str) -> tuple[str, KnownFile]:
        found = share.properties(path)
        return path, KnownFile(found.etag, found.size, found.md5)

    with Pool(WORKERS, "share-head") as pool:
        return dict(pool.map(head, paths))


def apply_plan(
    share: Share,
    root: Path,
    plan: SyncPlan,
    progress: ProgressSink,
    locate: Callable[[str], Path] | None = None,
) -> dict[str, KnownFile]:
    """Carry out a plan: folders parent-first (each depth in parallel), uploads in parallel,
    deletions last. Returns each uploaded file as the share now has it. `locate` maps a
    share path to the local file when they differ (default `root / path`)."""
    local = locate or (lambda path: root / path)
    uploaded: dict[str, KnownFile] = {}
    with Pool(WORKERS, "share-sync") as pool:
        for level in folder_levels(plan.make_dirs):
            for folder in pool.map(lambda f: _make_dir(share, f), level):
                progress(SyncProgress("mkdir", folder))
        for upload, etag in pool.map(lambda u: _upload(share, local(u.path), u), plan.uploads):
            uploaded[upload.path] = KnownFile(etag, upload.size, upload.md5)
            progress(SyncProgress("upload", upload.path, upload.size))
    for path in plan.delete_files:
        share.delete_file(path)
        progress(SyncProgress("delete", path))
    for folder in plan.delete_dirs:
        share.delete_dir(folder)
        progress(SyncProgress("delete-dir", folder))
    return uploaded


def folder_levels(folders: Sequence[str]) -> list[list[str]]:
    """The folders grouped by depth, shallowest first: each group's parents exist once the
    groups before it are made, so a group's folders can be made in parallel (pure)."""
    levels: dict[int, list[str]] = {}
    for folder in folders:
        levels.setdefault(folder.count("/"), []).append(folder)
    return [levels[depth] for depth in sorted(levels)]


def _make_dir(share: Share, folder: str) -> str:
    share.make_dir(folder)
    return folder


def _upload(share: Share, source: Path, upload: Upload) -> tuple[Upload, str]:
    """Upload one file; returns it and its ETag once its properties are set."""
    content_type = mimetypes.guess_type(upload.path)[0] or "application/octet-stream"
    try:
        with source.open("rb") as fh:
            etag = share.upload(upload.path, fh, upload.size, content_type, upload.md5)
    except OSError as exc:
        raise AzureError(f"could not upload {upload.path}: {exc.strerror or exc}") from exc
    return upload, etag
