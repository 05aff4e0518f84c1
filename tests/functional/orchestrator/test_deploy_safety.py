"""deploy must not lose or leak anything: --delete stays inside the synced folders and never
touches the fine-tuned model (model-cache/, models/); without --delete extras are kept and
reported; --dry-run changes nothing; symlinks out of a folder and `..` names are refused; the
storage key is written nowhere."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from deploy_support import (
    Provisioned,
    answered_version,
    provision,
    remote_dir_exists,
    remote_exists,
    remote_tree,
    seed,
    share_client,
    share_writes,
    storage_keys,
)
from localcloud_fixture import LocalCloudHandle
from provision_support import CONFIG_KEYS, make_workspace, requests_log, run_cli

pytestmark = [pytest.mark.functional, pytest.mark.slow]

FINE_TUNED = {
    "model-cache/microsoft/Phi-3-mini-4k-instruct/model.safetensors": b"base model weights",
    "models/qlora/qlora/gpu_model/adapter/adapter_model.bin": b"hours of GPU time",
}
EXTRAS = {
    "inference/stale.py": b"print('left over')\n",
    "inference/old/gone.txt": b"old\n",
}
OUTSIDE_SYNCED = {
    "setup/remote-only.txt": b"setup/ is not in this workspace: not synced, never deleted\n",
    "notes/keep.txt": b"not a synced folder\n",
}


@pytest.fixture
def provisioned(tmp_path: Path, localcloud: LocalCloudHandle) -> Provisioned:
    return provision(tmp_path / "ws", localcloud)


def test_delete_removes_extras_only_inside_the_synced_folders(provisioned: Provisioned) -> None:
    share = share_client(provisioned)
    seed(share, FINE_TUNED | EXTRAS | OUTSIDE_SYNCED)
    ran = provisioned.deploy("--delete", "-v")
    assert ran.code == 0, ran.output
    assert "2 to delete" in ran.stdout
    assert "delete inference/stale.py" in ran.stderr
    assert "delete-dir inference/old" in ran.stderr
    for path in EXTRAS:
        assert not remote_exists(share, path), path
    assert not remote_dir_exists(share, "inference/old")
    everything = remote_tree(share)
    for path, data in (FINE_TUNED | OUTSIDE_SYNCED).items():
        assert everything[path] == data, path
    assert set(remote_tree(share, "inference")) == {
        f"inference/{f.name}" for f in (provisioned.workspace / "inference").iterdir()
    }


def test_without_delete_remote_extras_are_kept_and_reported(provisioned: Provisioned) -> None:
    share = share_client(provisioned)
    seed(share, FINE_TUNED | EXTRAS)
    ran = provisioned.deploy()
    assert ran.code == 0, ran.output
    assert "2 remote extras kept" in ran.stdout
    for path in EXTRAS:
        assert f"remote extra kept: {path} (not in the workspace; --delete removes it)" in (
            ran.stdout
        )
    tree = remote_tree(share)
    for path, data in (FINE_TUNED | EXTRAS).items():
        assert tree[path] == data, path


def test_delete_after_a_case_only_rename_keeps_the_file(provisioned: Provisioned) -> None:
    """Azure Files names are case-insensitive: the renamed file is the same remote file."""
    assert provisioned.deploy("--no-restart").code == 0
    inference = provisioned.workspace / "inference"
    (inference / "requirements.txt").rename(inference / "Requirements.txt")
    ran = provisioned.deploy("--delete", "--no-restart")
    assert ran.code == 0, ran.output
    assert "to delete" not in ran.stdout and "delete " not in ran.stderr
    on_share = {k.lower(): v for k, v in remote_tree(share_client(provisioned)).items()}
    assert on_share["inference/requirements.txt"] == (inference / "Requirements.txt").read_bytes()


def test_dry_run_prints_the_plan_and_changes_nothing(provisioned: Provisioned) -> None:
    assert provisioned.deploy().code == 0
    version = answered_version(provisioned)
    share = share_client(provisioned)
    seed(share, FINE_TUNED | EXTRAS)
    (provisioned.workspace / "inference" / "greeting.txt").write_text("not yet\n")
    (provisioned.workspace / "inference" / "new.py").write_text("x = 1\n")
    before = remote_tree(share)
    state = provisioned.workspace / ".orchestrator"
    recorded = {p: p.read_bytes() for p in state.rglob("*") if p.is_file()}
    provisioned.lc.admin("DELETE", "requests")
    ran = provisioned.deploy("--dry-run", "--delete")
    assert ran.code == 0, ran.output
    for line in (
        "would upload inference/greeting.txt (changed)",
        "would upload inference/new.py (new)",
        "would delete inference/stale.py",
        "would delete inference/old/gone.txt",
        "would delete folder inference/old/",
        "dry run: nothing was changed",
    ):
        assert line in ran.stdout
    assert "model-cache" not in ran.stdout and "models/" not in ran.stdout
    assert share_writes(provisioned.lc, provisioned) == []
    assert not [e for e in requests_log(provisioned.lc) if e["path"].endswith("/restart")]
    assert remote_tree(share) == before
    assert answered_version(provisioned) == version
    assert {p: p.read_bytes() for p in state.rglob("*") if p.is_file()} == recorded


def test_symlinks_out_of_a_folder_and_unsafe_names_are_reported_not_uploaded(
    tmp_path: Path, provisioned: Provisioned
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("private\n")
    inference = provisioned.workspace / "inference"
    os.symlink(outside / "secret.txt", inference / "link.txt")
    os.symlink(outside, inference / "linkdir")
    os.symlink(inference / "greeting.txt", inference / "inside.txt")  # stays inside: followed
    (inference / "..\\escape.py").write_text("x = 2\n")  # `..\` is a parent on Windows
    ran = provisioned.deploy()
    assert ran.code == 0, ran.output
    assert "warning: inference/link.txt: symlink to" in ran.stdout
    assert "warning: inference/linkdir: symlink to" in ran.stdout
    assert "points outside the source folder; not followed" in ran.stdout
    assert "warning: inference/..\\escape.py: name not allowed on Azure Files" in ran.stdout
    on_share = remote_tree(share_client(provisioned))
    assert "inference/link.txt" not in on_share
    assert not any(path.startswith("inference/linkdir") for path in on_share)
    assert not any("escape" in path for path in on_share)
    assert b"private\n" not in on_share.values()
    assert on_share["inference/inside.txt"] == (inference / "greeting.txt").read_bytes()


@pytest.mark.parametrize("source", ["../elsewhere", "inference/../../elsewhere", "/tmp"])
def test_a_source_outside_the_workspace_is_refused_before_any_request(
    tmp_path: Path, localcloud: LocalCloudHandle, source: str
) -> None:
    workspace = make_workspace(tmp_path / "ws")
    (tmp_path / "elsewhere").mkdir()
    typed = {key: "placeholder" for key in CONFIG_KEYS} | {
        "SUBSCRIPTION_ID": localcloud.subscription_id,
        "STORAGE_ACCOUNT_NAME": "neverasked1",
        "ACA_APP_ENDPOINT": "never.example",
    }
    (workspace / "infra" / "inference.config.json").write_text(json.dumps(typed))
    localcloud.admin("DELETE", "requests")
    ran = run_cli(workspace, localcloud, "deploy", "--source", source)
    assert ran.code == 2, ran.output
    assert f"error: --source '{source}': expected a folder inside the workspace" in ran.stderr
    assert requests_log(localcloud) == []


def test_the_storage_key_is_never_printed_or_written(provisioned: Provisioned) -> None:
    (provisioned.workspace / "inference" / "greeting.txt").write_text("Key check.\n")
    runs = [provisioned.deploy(), provisioned.deploy("--json")]
    assert [r.code for r in runs] == [0, 0], [r.output for r in runs]
    keys = storage_keys(provisioned)
    assert len(keys) == 2 and all(len(k) > 20 for k in keys)
    written = {
        path: path.read_bytes() for path in provisioned.workspace.rglob("*") if path.is_file()
    }
    assert any(".orchestrator" in path.parts for path in written)  # provision state is there
    for key in keys:
        for ran in runs:
            assert key not in ran.output
        for path, data in written.items():
            assert key.encode() not in data, path
