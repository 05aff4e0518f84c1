"""Carrying out a sync plan against a hand-written share: folders a depth at a time (each
parent made before its children), every file uploaded once from its bytes on disk,
deletions after the uploads."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import BinaryIO

from orchestrator.azure.sharemodels import FileProperties, ShareEntry
from orchestrator.deploy.share import SyncProgress, apply_plan, folder_levels
from orchestrator.deploy.syncplan import KnownFile, SyncPlan, Upload


class RecordingShare:
    """Records the calls; a folder whose parent was not made yet is an error."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.folders: set[str] = {""}
        self.files: dict[str, bytes] = {}
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return "https://example/share"

    def exists(self) -> bool:
        return True

    def list_folder(self, folder: str) -> list[ShareEntry] | None:
        return None

    def properties(self, path: str) -> FileProperties:
        raise AssertionError("apply_plan never HEADs")

    def make_dir(self, folder: str) -> None:
        with self._lock:
            assert folder.rpartition("/")[0] in self.folders, f"{folder}: parent missing"
            self.folders.add(folder)
            self.calls.append(("mkdir", folder))

    def upload(self, path: str, data: BinaryIO, size: int, content_type: str, md5: bytes) -> str:
        body = data.read()
        assert len(body) == size and hashlib.md5(body).digest() == md5
        with self._lock:
            self.files[path] = body
            self.calls.append(("upload", path))
        return f'"etag-{path}"'

    def delete_file(self, path: str) -> None:
        self.calls.append(("delete", path))

    def delete_dir(self, folder: str) -> None:
        self.calls.append(("delete-dir", folder))


def test_folders_are_grouped_by_depth_shallowest_first() -> None:
    folders = ["a", "b", "a/x", "a/x/deep", "b/y"]
    assert folder_levels(folders) == [["a", "b"], ["a/x", "b/y"], ["a/x/deep"]]
    assert folder_levels([]) == []


def test_a_plan_is_carried_out_parents_first_uploads_then_deletions(tmp_path: Path) -> None:
    contents = {f"src/d{i % 3}/f{i}.txt": f"file {i}".encode() for i in range(30)}
    for rel, data in contents.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    uploads = tuple(
        Upload(rel, len(data), hashlib.md5(data).digest(), "new") for rel, data in contents.items()
    )
    plan = SyncPlan(
        make_dirs=("src", "src/d0", "src/d1", "src/d2"),
        uploads=uploads,
        delete_files=("src/old.txt",),
        delete_dirs=("src/gone",),
        unchanged=0,
        kept_remote=(),
    )
    share = RecordingShare()
    seen: list[SyncProgress] = []
    uploaded = apply_plan(share, tmp_path, plan, seen.append)
    assert share.files == contents
    assert uploaded == {u.path: KnownFile(f'"etag-{u.path}"', u.size, u.md5) for u in uploads}
    kinds = [kind for kind, _ in share.calls]
    assert kinds == ["mkdir"] * 4 + ["upload"] * 30 + ["delete", "delete-dir"]
    assert sorted(e.path for e in seen if e.kind == "upload") == sorted(contents)
