"""Listing the remote tree against a hand-written share: every folder listed once, and how
many listings are in flight follows how fast the share answered the first one."""

from __future__ import annotations

import threading
import time
from typing import BinaryIO

from orchestrator.azure.sharemodels import FileProperties, ShareEntry
from orchestrator.deploy.share import LIST_WORKERS, LOCAL_LIST_WORKERS, list_remote


class TreeShare:
    """Serves `folders` folders of one file each below `inference/data/`. The first listing
    takes `first` seconds, the others `rest`; the most listings in flight at once is kept."""

    def __init__(self, folders: int, first: float = 0.0, rest: float = 0.0) -> None:
        self.delays = [first]
        self.rest = rest
        self.tree: dict[str, list[ShareEntry]] = {
            "inference": [ShareEntry("app.py", False, 3, '"e0"'), ShareEntry("data", True)],
            "inference/data": [ShareEntry(f"d{i:02d}", True) for i in range(folders)],
        }
        for i in range(folders):
            self.tree[f"inference/data/d{i:02d}"] = [ShareEntry("f.bin", False, i, f'"e{i}"')]
        self.listed: list[str] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return "https://account.file.core.windows.net/share"

    def exists(self) -> bool:
        return True

    def list_folder(self, folder: str) -> list[ShareEntry] | None:
        with self._lock:
            self.listed.append(folder)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            delay = self.delays.pop() if self.delays else self.rest
        time.sleep(delay)
        with self._lock:
            self.in_flight -= 1
        return self.tree.get(folder)

    def properties(self, path: str) -> FileProperties:
        raise AssertionError("a listing never HEADs")

    def make_dir(self, folder: str) -> None:
        raise AssertionError("a listing never writes")

    def upload(self, path: str, data: BinaryIO, size: int, content_type: str, md5: bytes) -> str:
        raise AssertionError("a listing never writes")

    def delete_file(self, path: str) -> None:
        raise AssertionError("a listing never writes")

    def delete_dir(self, folder: str) -> None:
        raise AssertionError("a listing never writes")


def test_every_folder_is_listed_once_and_every_file_reported_with_its_etag() -> None:
    share = TreeShare(folders=5)
    tree = list_remote(share, ["inference", "scripts"])
    assert sorted(share.listed) == sorted([*share.tree, "scripts"])
    assert tree.dirs == tuple(sorted(share.tree))  # scripts/ is missing on the share
    assert [(f.path, f.size, f.etag) for f in tree.files] == [
        ("inference/app.py", 3, '"e0"'),
        *((f"inference/data/d{i:02d}/f.bin", i, f'"e{i}"') for i in range(5)),
    ]


def test_a_share_that_answers_at_once_is_listed_a_few_folders_at_a_time() -> None:
    share = TreeShare(folders=40, first=0.0, rest=0.05)
    list_remote(share, ["inference"], local_within=1.0)  # a loaded machine stays "local"
    assert share.most_in_flight == LOCAL_LIST_WORKERS < LIST_WORKERS


def test_a_share_a_round_trip_away_is_listed_many_folders_at_a_time() -> None:
    share = TreeShare(folders=40, first=0.03, rest=0.05)
    list_remote(share, ["inference"])
    assert share.most_in_flight == LIST_WORKERS
