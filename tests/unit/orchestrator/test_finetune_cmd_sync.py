"""The run's sync plan over the deploy sync's planner (a hand-written fake share, the
workspace in a temp folder): the 2024 layout mirrors the folders; Phi Silica / Aion put
`dataset/` and the rendered `lora.yaml` under `<run_id>/`; an unchanged file is not sent
again; nothing is ever deleted."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import BinaryIO

from orchestrator.azure.sharemodels import FileProperties, ShareEntry
from orchestrator.deploy import syncrun
from orchestrator.finetune import family, layout
from orchestrator.finetune.commands import sync
from orchestrator.workspace import Workspace

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "workspaces"


class FakeShare:
    """A share in memory: folders and files (bytes)."""

    url = "https://acct.file.example/share"

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.dirs: set[str] = set()

    def exists(self) -> bool:
        return True

    def list_folder(self, folder: str) -> list[ShareEntry] | None:
        if folder not in self.dirs:
            return None
        children = {p[len(folder) + 1 :].split("/", 1)[0] for p in [*self.files, *self.dirs]
                    if p.startswith(folder + "/")}  # fmt: skip
        return [
            ShareEntry(n, f"{folder}/{n}" in self.dirs, len(self.files.get(f"{folder}/{n}", b"")))
            for n in sorted(children)
        ]

    def properties(self, path: str) -> FileProperties:
        import hashlib

        data = self.files[path]
        return FileProperties("e", len(data), hashlib.md5(data, usedforsecurity=False).digest())

    def make_dir(self, folder: str) -> None:
        self.dirs.add(folder)

    def upload(self, path: str, data: BinaryIO, size: int, content_type: str, md5: bytes) -> str:
        self.files[path] = data.read()
        return "etag"

    def delete_file(self, path: str) -> None:
        raise AssertionError(f"a run deleted {path}")

    def delete_dir(self, folder: str) -> None:
        raise AssertionError(f"a run deleted {folder}/")


def synced(workspace: Workspace, share: FakeShare, run_id: str | None) -> sync.Planned:
    files = family.detect(workspace)
    run = layout.plan(files, run_id)
    caches = syncrun.load_caches(workspace, share.url)
    planned = sync.plan(workspace, share, run, caches)
    uploaded = sync.execute(share, workspace, planned, lambda _e: None, False)
    sync.record(workspace, share.url, caches, planned, uploaded)
    return planned


def test_the_2024_layout_mirrors_setup_finetuning_and_dataset(tmp_path: Path) -> None:
    ws = Workspace(shutil.copytree(FIXTURES / "legacy", tmp_path / "ws"))
    share = FakeShare()
    share.files["models/qlora/adapter.json"] = b"written by the job"
    share.dirs.update({"models", "models/qlora"})
    first = synced(ws, share, None)
    assert {u.path.split("/")[0] for u in first.sync.plan.uploads} == {
        "setup", "finetuning", "dataset"
    }  # fmt: skip
    assert share.files["models/qlora/adapter.json"] == b"written by the job"
    again = synced(ws, share, None)
    assert again.sync.plan.uploads == () and again.sync.plan.unchanged == len(
        first.sync.plan.uploads
    )


def test_phi_silica_runs_go_under_the_run_id_with_lora_yaml_rendered(tmp_path: Path) -> None:
    ws = Workspace(shutil.copytree(FIXTURES / "phisilica", tmp_path / "ws"))
    share = FakeShare()
    planned = synced(ws, share, "r1")
    paths = {u.path for u in planned.sync.plan.uploads}
    assert {"r1/dataset/train.json", "r1/dataset/test.json", "r1/lora.yaml"} <= paths
    assert "finetuning/standin_lora.py" in paths and not any(
        p.startswith("dataset/") for p in paths
    )
    rendered = share.files["r1/lora.yaml"].decode()
    assert "<run_id>" not in rendered and "mount/r1/dataset" in rendered
    assert "<run_id>" in (ws.root / "lora.yaml").read_text()  # the workspace file is kept
