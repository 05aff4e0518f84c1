"""What the workspace remembers of a file share: path -> (ETag, size, Content-MD5).

Recorded after our own uploads and HEADs, one JSON file per share under `.orchestrator/`,
so a re-sync trusts an MD5 without a HEAD while the listed ETag and size are unchanged
(`syncplan.known_md5s`). Only an optimisation: an unreadable file is ignored, and a failed
write only means the next sync HEADs again. The file is machine state with thousands of
entries, so it is written compact (sorted keys, one line) rather than indented.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from orchestrator.deploy.syncplan import KnownFile
from orchestrator.jsonio import write_atomic
from orchestrator.workspace import Workspace

FOLDER = "share-state"
VERSION = 1


def state_file(workspace: Workspace, share_url: str) -> Path:
    digest = hashlib.sha256(share_url.rstrip("/").lower().encode("utf-8")).hexdigest()
    return workspace.state_dir / FOLDER / f"{digest[:24]}.json"


def to_json(share_url: str, known: Mapping[str, KnownFile]) -> dict[str, Any]:
    """The file's document (pure): `files` maps path -> [etag, size, base64 MD5 or null]."""
    files = {
        path: [entry.etag, entry.size, _b64(entry.md5)] for path, entry in sorted(known.items())
    }
    return {"version": VERSION, "share": share_url, "files": files}


def from_json(doc: object, share_url: str) -> dict[str, KnownFile]:
    """The entries of a document (pure); anything malformed, or another share's, is dropped."""
    if not isinstance(doc, dict) or doc.get("version") != VERSION:
        return {}
    if doc.get("share") != share_url or not isinstance(doc.get("files"), dict):
        return {}
    known: dict[str, KnownFile] = {}
    for path, value in doc["files"].items():
        entry = _entry(value)
        if isinstance(path, str) and entry is not None:
            known[path] = entry
    return known


def load(workspace: Workspace, share_url: str) -> dict[str, KnownFile]:
    try:
        doc = json.loads(state_file(workspace, share_url).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return from_json(doc, share_url)


def save(workspace: Workspace, share_url: str, known: Mapping[str, KnownFile]) -> None:
    text = json.dumps(to_json(share_url, known), sort_keys=True, separators=(",", ":"))
    try:
        workspace.ensure_state_dir()
        write_atomic(state_file(workspace, share_url), text + "\n")
    except OSError:
        pass


def update(
    workspace: Workspace,
    share_url: str,
    before: Mapping[str, KnownFile],
    after: Mapping[str, KnownFile],
) -> None:
    """Save `after` unless it is what the file already holds."""
    if dict(after) != dict(before):
        save(workspace, share_url, after)


def _entry(value: object) -> KnownFile | None:
    if not isinstance(value, list) or len(value) != 3:
        return None
    etag, size, md5 = value
    if not isinstance(etag, str) or not etag or not isinstance(size, int) or size < 0:
        return None
    if md5 is None:
        return KnownFile(etag, size, None)
    if not isinstance(md5, str):
        return None
    try:
        return KnownFile(etag, size, base64.b64decode(md5, validate=True))
    except (binascii.Error, ValueError):
        return None


def _b64(md5: bytes | None) -> str | None:
    return base64.b64encode(md5).decode("ascii") if md5 is not None else None
