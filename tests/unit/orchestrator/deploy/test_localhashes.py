"""Remembered local MD5s: when one may be reused, when one may be recorded, the file shape."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from orchestrator.deploy.localhashes import (
    RACY_NS,
    Hashed,
    Stamp,
    from_json,
    load,
    recordable,
    reusable,
    to_json,
    update,
)
from orchestrator.deploy.localtree import scan
from orchestrator.workspace import Workspace

STAMP = Stamp(size=2, mtime_ns=1_000, ctime_ns=2_000, inode=7)
MD5 = hashlib.md5(b"v1").digest()


def test_an_md5_is_reused_only_for_the_same_stamp() -> None:
    known = Hashed(STAMP, MD5)
    assert reusable(known, STAMP) == MD5
    assert reusable(known, Stamp(2, 1_000, 2_001, 7)) is None  # rewritten (change time)
    assert reusable(known, Stamp(3, 1_000, 2_000, 7)) is None
    assert reusable(known, Stamp(2, 1_000, 2_000, 8)) is None  # replaced by another file
    assert reusable(None, STAMP) is None


def test_a_file_changed_just_before_hashing_is_not_recorded() -> None:
    assert recordable(STAMP, hashed_at_ns=2_000 + RACY_NS + 1)
    assert not recordable(STAMP, hashed_at_ns=2_000 + RACY_NS)
    assert not recordable(Stamp(2, 5_000, 2_000, 7), hashed_at_ns=2_000 + RACY_NS + 1)


def test_document_round_trips_and_drops_malformed_entries() -> None:
    doc = to_json({"inference/a.py": Hashed(STAMP, MD5)})
    assert from_json(doc) == {"inference/a.py": Hashed(STAMP, MD5)}
    files: dict[str, object] = dict(doc["files"])  # type: ignore[call-overload]
    doc["files"] = files | {
        "inference/short-md5": [2, 1, 2, 3, "AAAA"],
        "inference/bool": [True, 1, 2, 3, "AAAAAAAAAAAAAAAAAAAAAA=="],
        "inference/three": [2, 1, 2],
    }
    assert list(from_json(doc)) == ["inference/a.py"]
    assert from_json({"version": 2, "files": {}}) == {}


def test_update_writes_only_when_something_changed(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    entries = {"inference/a.py": Hashed(STAMP, MD5)}
    update(workspace, {}, {})
    assert not workspace.state_dir.exists()
    update(workspace, {}, entries)
    assert load(workspace) == entries


def test_scan_reuses_a_remembered_md5_without_reading_the_file(tmp_path: Path) -> None:
    path = tmp_path / "inference" / "a.py"
    path.parent.mkdir()
    path.write_bytes(b"v1")
    stamp = Stamp.of(os.stat(path))
    remembered = hashlib.md5(b"something else").digest()  # proves the file was not read
    (found,) = scan(
        tmp_path, ["inference"], None, {"inference/a.py": Hashed(stamp, remembered)}
    ).files
    assert found.md5 == remembered


def test_scan_hashes_a_file_whose_stamp_changed_and_does_not_record_fresh_files(
    tmp_path: Path,
) -> None:
    path = tmp_path / "inference" / "a.py"
    path.parent.mkdir()
    path.write_bytes(b"v2")
    old = Hashed(Stamp(2, 1, 1, 1), MD5)
    tree = scan(tmp_path, ["inference"], None, {"inference/a.py": old})
    assert tree.files[0].md5 == hashlib.md5(b"v2").digest()
    assert tree.hashes == {}  # written just now: the racy rule keeps it out
