"""The workspace's record of a share: document shape, malformed input, round trip."""

from __future__ import annotations

import hashlib
from pathlib import Path

from orchestrator.deploy.sharestate import from_json, load, save, state_file, to_json
from orchestrator.deploy.syncplan import KnownFile
from orchestrator.workspace import Workspace

URL = "https://acct.file.core.windows.net/share"
MD5 = hashlib.md5(b"v1").digest()


def test_document_round_trips_including_files_without_md5() -> None:
    known = {
        "inference/a.py": KnownFile('"0x1"', 2, MD5),
        "inference/b": KnownFile('"0x2"', 0, None),
    }
    assert from_json(to_json(URL, known), URL) == known


def test_another_shares_document_is_not_used() -> None:
    doc = to_json(URL, {"inference/a.py": KnownFile('"0x1"', 2, MD5)})
    assert from_json(doc, URL + "2") == {}


def test_malformed_entries_are_dropped_and_the_rest_kept() -> None:
    doc = to_json(URL, {"inference/a.py": KnownFile('"0x1"', 2, MD5)})
    doc["files"] |= {
        "inference/no-etag": ["", 2, None],
        "inference/negative": ['"0x1"', -1, None],
        "inference/bad-md5": ['"0x1"', 2, "not base64!"],
        "inference/short": ['"0x1"', 2],
    }
    assert list(from_json(doc, URL)) == ["inference/a.py"]
    assert from_json({"version": 99, "share": URL, "files": {}}, URL) == {}
    assert from_json("nonsense", URL) == {}


def test_save_then_load_in_the_workspace_state_folder(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    known = {"inference/a.py": KnownFile('"0x1"', 2, MD5)}
    save(workspace, URL, known)
    assert state_file(workspace, URL).parent.parent == workspace.state_dir
    assert load(workspace, URL) == known
    assert load(workspace, URL + "/other") == {}


def test_an_unreadable_file_loads_as_nothing(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    path = state_file(workspace, URL)
    path.parent.mkdir(parents=True)
    path.write_text("{")
    assert load(workspace, URL) == {}
