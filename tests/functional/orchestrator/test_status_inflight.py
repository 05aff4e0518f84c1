"""A `finetune provision` left running (`--no-wait`, Ctrl-C) is what a user asks `status`
about: `orchestrator status` names it next to an inference one, `finetune status` says so
instead of listing the config's missing keys, and an unreadable record is a warning in
`status` and passed over by `attach` - none of them writes anything."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from localcloud_fixture import LocalCloudHandle
from provision_support import (
    group_requests,
    is_write,
    requests_log,
    reset,
    run_cli,
    set_settings,
)

pytestmark = [pytest.mark.functional, pytest.mark.slow]

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "workspaces"
LOCAL = "infra/provision/finetuning.localcloud.parameters.json"
RECORD = ".orchestrator/finetuning-inflight.json"


def tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def group_writes(lc: LocalCloudHandle, group: str) -> int:
    return sum(1 for e in group_requests(requests_log(lc), group) if is_write(e))


@pytest.fixture
def left_running(
    tmp_path: Path, localcloud: LocalCloudHandle, fresh_group: str
) -> Iterator[tuple[Path, str]]:
    """A legacy workspace whose `finetune provision --no-wait` is still deploying."""
    set_settings(localcloud, {"provisioning_seconds": {"*": 30}})
    try:
        workspace = shutil.copytree(FIXTURES / "legacy", tmp_path / "legacy")
        ran = run_cli(
            workspace, localcloud, "finetune", "provision", "-g", fresh_group, "--parameters",
            LOCAL, "--no-wait", "--json",
        )  # fmt: skip
        assert ran.code == 0, ran.output
        assert "orchestrator attach" in ran.json()["messages"][-1]["text"]
        assert (workspace / RECORD).is_file()
        yield workspace, ran.json()["deployment"]["name"]
    finally:
        reset(localcloud)


def test_status_names_a_finetune_provision_left_running(
    left_running: tuple[Path, str], localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    workspace, name = left_running
    before = tree_hash(workspace)
    ran = run_cli(workspace, localcloud, "status", "-g", fresh_group)
    assert ran.code == 0, ran.output
    assert f"fine-tuning in flight: {name} in {fresh_group}" in ran.stdout
    assert "(`orchestrator attach`)" in ran.stdout
    as_json = run_cli(workspace, localcloud, "status", "-g", fresh_group, "--json")
    assert as_json.code == 0, as_json.output
    doc = as_json.json()
    assert doc["finetune_inflight"]["deployment"] == name and doc["inflight"] is None
    assert tree_hash(workspace) == before


def test_finetune_status_says_the_provision_is_still_running(
    left_running: tuple[Path, str], localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    workspace, name = left_running
    before = tree_hash(workspace)
    ran = run_cli(workspace, localcloud, "finetune", "status")
    assert ran.code == 2, ran.output
    assert ran.stderr.splitlines()[0] == (
        f"error: finetune provision {name} in {fresh_group} was left running (Ctrl-C or "
        "--no-wait): its outputs are not in the config yet"
    )
    assert "orchestrator attach" in ran.stderr and "Traceback" not in ran.stderr
    assert tree_hash(workspace) == before


def test_unreadable_inference_record_is_a_status_warning_and_attach_takes_the_other(
    left_running: tuple[Path, str], localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    workspace, name = left_running
    (workspace / ".orchestrator" / "inflight.json").write_text("{bad\n")
    writes_before = group_writes(localcloud, fresh_group)
    ran = run_cli(workspace, localcloud, "status", "-g", fresh_group)
    assert ran.code == 0, ran.output
    assert "warning: inference in flight: unreadable record: .orchestrator/inflight.json:1:2" in (
        ran.stdout
    )
    assert f"fine-tuning in flight: {name}" in ran.stdout
    assert group_writes(localcloud, fresh_group) == writes_before

    set_settings(localcloud, {"provisioning_seconds": {"*": 0}})
    attached = run_cli(workspace, localcloud, "attach", "--json")
    assert attached.code == 0, attached.output
    assert attached.json()["deployment"]["name"] == name
    assert not (workspace / RECORD).exists()


def test_attach_with_only_an_unreadable_record_says_how_to_go_on(
    tmp_path: Path, localcloud: LocalCloudHandle
) -> None:
    workspace = shutil.copytree(FIXTURES / "legacy", tmp_path / "legacy")
    (workspace / ".orchestrator").mkdir(exist_ok=True)
    (workspace / ".orchestrator" / "inflight.json").write_text("{bad\n")
    before = tree_hash(workspace)
    ran = run_cli(workspace, localcloud, "attach")
    assert ran.code == 2, ran.output
    assert ran.stderr.splitlines() == [
        "error: .orchestrator/inflight.json:1:2: Expecting property name enclosed in double quotes",
        "hint: delete it, or name the deployment: `orchestrator attach --deployment NAME`",
    ]
    assert tree_hash(workspace) == before
