"""Decide what a sync does (pure: no I/O, no clients).

Local and remote trees are compared by size and MD5. Remote MD5s come from the files'
Content-MD5 property (set on every upload) - the caller fetches them only where sizes match,
and not even there when the workspace remembers the file (`KnownFile`: its ETag, size and
MD5 as of our own upload or HEAD) and the listing shows the same ETag and size: Azure Files
changes a file's ETag on every write to its content or properties, so the MD5 still holds.
Remote files missing locally are deleted only with `delete=True`, only inside the synced
roots, and never under the protected folders that hold the fine-tuned model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# Written by the fine-tuning job, never by us: the base model, adapters, caches, data.
PROTECTED_ROOTS: tuple[str, ...] = ("model-cache", "models", "cache", "dataset")


@dataclass(frozen=True)
class LocalFile:
    path: str  # POSIX path relative to the share root, e.g. "inference/app.py"
    size: int
    md5: bytes


@dataclass(frozen=True)
class RemoteFile:
    path: str
    size: int
    md5: bytes | None  # None: the file has no Content-MD5 (uploaded by something else)
    etag: str = ""  # as listed; "" when the listing carried none


@dataclass(frozen=True)
class KnownFile:
    """A remote file as we last saw it ourselves (after uploading it, or from a HEAD)."""

    etag: str
    size: int
    md5: bytes | None


@dataclass(frozen=True)
class Upload:
    path: str
    size: int
    md5: bytes
    reason: str  # "new" | "changed"


@dataclass(frozen=True)
class SyncPlan:
    make_dirs: tuple[str, ...]  # parents before children
    uploads: tuple[Upload, ...]
    delete_files: tuple[str, ...]
    delete_dirs: tuple[str, ...]  # children before parents
    unchanged: int
    kept_remote: tuple[str, ...]  # remote extras left alone (no --delete)

    @property
    def upload_bytes(self) -> int:
        return sum(u.size for u in self.uploads)

    @property
    def is_noop(self) -> bool:
        return not (self.make_dirs or self.uploads or self.delete_files or self.delete_dirs)


def needs_md5(local: Iterable[LocalFile], remote_sizes: Mapping[str, int]) -> list[str]:
    """Remote paths whose Content-MD5 decides whether to upload (same size as local)."""
    return [f.path for f in local if remote_sizes.get(f.path) == f.size]


def known_md5s(
    paths: Iterable[str], remote: Iterable[RemoteFile], known: Mapping[str, KnownFile]
) -> dict[str, bytes | None]:
    """The MD5s among `paths` that need no HEAD: the listed ETag and size are the ones we
    recorded with the MD5. A listing without an ETag never matches."""
    listed = {f.path: f for f in remote}
    found: dict[str, bytes | None] = {}
    for path in paths:
        entry, now = known.get(path), listed.get(path)
        if entry is not None and now is not None and _same_version(entry, now):
            found[path] = entry.md5
    return found


def remember(
    known: Mapping[str, KnownFile],
    remote: Iterable[RemoteFile],
    seen: Mapping[str, KnownFile],
    deleted: Iterable[str] = (),
) -> dict[str, KnownFile]:
    """What to remember after a listing: the entries the listing still confirms (same ETag
    and size), updated with what we just saw or wrote (`seen`), without deleted files."""
    listed = {f.path: f for f in remote}
    kept = {
        path: entry
        for path, entry in known.items()
        if path in listed and _same_version(entry, listed[path])
    }
    kept.update(seen)
    for path in deleted:
        kept.pop(path, None)
    return dict(sorted(kept.items()))


def _same_version(entry: KnownFile, listed: RemoteFile) -> bool:
    return bool(listed.etag) and entry.etag == listed.etag and entry.size == listed.size


def plan_sync(
    local: Sequence[LocalFile],
    local_dirs: Iterable[str],
    remote: Sequence[RemoteFile],
    remote_dirs: Iterable[str],
    roots: Sequence[str],
    *,
    delete: bool,
) -> SyncPlan:
    # Azure Files names are case-insensitive: a local `App.py` is the share's `app.py`, so
    # every comparison goes by lower-cased path (else --delete would remove a renamed file).
    remote_by_path = {f.path.lower(): f for f in remote}
    uploads = [u for u in (_compare(f, remote_by_path.get(f.path.lower())) for f in local) if u]
    existing_dirs = {d.lower(): d for d in remote_dirs}
    wanted_dirs = set(local_dirs) | _folders_above(f.path for f in local)
    wanted_keys = {d.lower() for d in wanted_dirs}
    make_dirs = sorted(
        (d for d in wanted_dirs if d.lower() not in existing_dirs), key=_depth_then_name
    )
    local_paths = {f.path.lower() for f in local}
    extras = sorted(
        f.path for f in remote if f.path.lower() not in local_paths and _deletable(f.path, roots)
    )
    extra_dirs = sorted(
        (
            d
            for key, d in existing_dirs.items()
            if key not in wanted_keys and _deletable(d, roots) and d not in roots
        ),
        key=_depth_then_name,
        reverse=True,
    )
    return SyncPlan(
        make_dirs=tuple(make_dirs),
        uploads=tuple(uploads),
        delete_files=tuple(extras) if delete else (),
        delete_dirs=tuple(extra_dirs) if delete else (),
        unchanged=len(local) - len(uploads),
        kept_remote=() if delete else tuple(extras),
    )


def _compare(local: LocalFile, remote: RemoteFile | None) -> Upload | None:
    if remote is None:
        return Upload(local.path, local.size, local.md5, "new")
    if remote.size != local.size or remote.md5 != local.md5:
        return Upload(local.path, local.size, local.md5, "changed")
    return None


def _folders_above(paths: Iterable[str]) -> set[str]:
    """Every folder that holds one of the paths: `a/b/c.py` gives `a/b` and `a`."""
    found: set[str] = set()
    for path in paths:
        folder = path.rpartition("/")[0]
        while folder and folder not in found:  # a folder found has its parents found too
            found.add(folder)
            folder = folder.rpartition("/")[0]
    return found


def _depth_then_name(path: str) -> tuple[int, str]:
    return (path.count("/"), path)


def _deletable(path: str, roots: Sequence[str]) -> bool:
    """Inside a synced root and outside every protected folder."""
    first = path.split("/", 1)[0]
    if first in PROTECTED_ROOTS:
        return False
    return any(path == r or path.startswith(r + "/") for r in roots)
