"""MD5s of local files remembered between syncs, so an unchanged file is not read again.

A file's MD5 is reused while its size, modification and change times (nanoseconds) and
inode are the ones recorded with it; any write changes the change time, which no tool can
set back. As git does for its index, a file modified less than `RACY_NS` before it was
hashed is not recorded (a second write within the file system's timestamp granularity
could otherwise keep the stamp). Kept in `.orchestrator/local-hashes.json`; only an
optimisation: an unreadable file is ignored, a failed write means hashing again next time.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass

from orchestrator.jsonio import write_atomic
from orchestrator.workspace import Workspace

FILE = "local-hashes.json"
VERSION = 1
RACY_NS = 2_000_000_000


@dataclass(frozen=True)
class Stamp:
    """What identifies one version of a local file without reading it."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int

    @classmethod
    def of(cls, st: os.stat_result) -> Stamp:
        return cls(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


@dataclass(frozen=True)
class Hashed:
    stamp: Stamp
    md5: bytes


def reusable(known: Hashed | None, stamp: Stamp) -> bytes | None:
    """The remembered MD5 when the file is still the version it was taken from (pure)."""
    return known.md5 if known is not None and known.stamp == stamp else None


def recordable(stamp: Stamp, hashed_at_ns: int) -> bool:
    """Whether an MD5 taken at `hashed_at_ns` may be remembered (pure; the racy rule)."""
    return max(stamp.mtime_ns, stamp.ctime_ns) < hashed_at_ns - RACY_NS


def to_json(hashes: Mapping[str, Hashed]) -> dict[str, object]:
    files = {
        path: [h.stamp.size, h.stamp.mtime_ns, h.stamp.ctime_ns, h.stamp.inode, _b64(h.md5)]
        for path, h in sorted(hashes.items())
    }
    return {"version": VERSION, "files": files}


def from_json(doc: object) -> dict[str, Hashed]:
    """The entries of a document (pure); malformed ones are dropped."""
    if not isinstance(doc, dict) or doc.get("version") != VERSION:
        return {}
    files = doc.get("files")
    if not isinstance(files, dict):
        return {}
    found: dict[str, Hashed] = {}
    for path, value in files.items():
        entry = _entry(value)
        if isinstance(path, str) and entry is not None:
            found[path] = entry
    return found


def load(workspace: Workspace) -> dict[str, Hashed]:
    try:
        doc = json.loads((workspace.state_dir / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return from_json(doc)


def update(workspace: Workspace, before: Mapping[str, Hashed], after: Mapping[str, Hashed]) -> None:
    """Write `after` unless it is what the file already holds."""
    if dict(after) == dict(before):
        return
    text = json.dumps(to_json(after), sort_keys=True, separators=(",", ":"))
    try:
        workspace.ensure_state_dir()
        write_atomic(workspace.state_dir / FILE, text + "\n")
    except OSError:
        pass


def _entry(value: object) -> Hashed | None:
    if not isinstance(value, list) or len(value) != 5:
        return None
    *numbers, md5 = value
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
        return None
    if not isinstance(md5, str):
        return None
    try:
        digest = base64.b64decode(md5, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(digest) != 16:
        return None
    return Hashed(Stamp(*numbers), digest)


def _b64(md5: bytes) -> str:
    return base64.b64encode(md5).decode("ascii")
