"""`orchestrator attach` finds an in-flight `finetune provision` (left by Ctrl-C, `--no-wait`,
or found in the group without a record) and records its outputs into `finetuning.config.json`
where the family keeps it, keeping the user's `COMMANDS` / `ARGS`; the inference config is
not touched."""

from __future__ import annotations

import json
import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from localcloud_fixture import LocalCloudHandle
from provision_support import reset, run_cli, set_settings, start_cli, wait_for_deployment

pytestmark = [pytest.mark.functional, pytest.mark.slow]

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "workspaces"
LOCAL = "infra/provision/finetuning.localcloud.parameters.json"
RECORD = ".orchestrator/finetuning-inflight.json"
CONFIG = "infra/provision/finetuning.config.json"
MY_ARGS = ["mount/<run_id>/lora.yaml", "--mine"]


@pytest.fixture
def slow_lc(localcloud: LocalCloudHandle) -> Iterator[LocalCloudHandle]:
    set_settings(localcloud, {"provisioning_seconds": {"*": 1.5}})
    try:
        yield localcloud
    finally:
        reset(localcloud)


def workspace_with_args(tmp_path: Path, family: str, key: str, value: list[str]) -> Path:
    """A fixture workspace whose config has the user's own `key` (COMMANDS or ARGS)."""
    workspace = shutil.copytree(FIXTURES / family, tmp_path / family)
    place = "infra/finetuning.config.json" if family == "legacy" else CONFIG
    path = workspace / place
    path.write_text(json.dumps(json.loads(path.read_text()) | {key: value}, indent=2) + "\n")
    return workspace


def test_attach_after_ctrl_c_records_the_fine_tuning_outputs_where_the_family_keeps_them(
    tmp_path: Path, slow_lc: LocalCloudHandle, fresh_group: str
) -> None:
    workspace = workspace_with_args(tmp_path, "phisilica", "ARGS", MY_ARGS)
    proc = start_cli(
        workspace, slow_lc, "finetune", "provision", "-g", fresh_group, "--parameters", LOCAL,
        "--on-interrupt", "leave",
    )  # fmt: skip
    name = str(wait_for_deployment(slow_lc, fresh_group)["name"])
    time.sleep(1.0)  # inside the watch loop by now
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "orchestrator attach" in err
    assert (workspace / RECORD).is_file()
    assert json.loads((workspace / CONFIG).read_text())["ACA_JOB_NAME"] is None

    attached = run_cli(workspace, slow_lc, "attach", "--json")
    assert attached.code == 0, attached.output
    doc = attached.json()
    assert doc["template"] == "finetuning" and doc["deployment"]["name"] == name
    assert doc["config"] == {"path": CONFIG, "written": True}
    config = json.loads((workspace / CONFIG).read_text())
    assert config["RESOURCE_GROUP_NAME"] == fresh_group
    assert config["ACA_JOB_NAME"].startswith("aiacajoblora") and config["LOG_ANALYTICS_NAME"]
    assert config["ARGS"] == MY_ARGS  # the user's, as `finetune provision` keeps them
    assert not (workspace / RECORD).exists()
    assert not (workspace / "infra" / "inference.config.json").exists()
    assert not (workspace / "infra" / "finetuning.config.json").exists()


def test_attach_finds_a_fine_tuning_deployment_in_the_group_without_a_record(
    tmp_path: Path, slow_lc: LocalCloudHandle, fresh_group: str
) -> None:
    commands = ["cd /mount", "echo mine"]
    workspace = workspace_with_args(tmp_path, "legacy", "COMMANDS", commands)
    ran = run_cli(
        workspace, slow_lc, "finetune", "provision", "-g", fresh_group, "--parameters", LOCAL,
        "--no-wait", "--json",
    )  # fmt: skip
    assert ran.code == 0, ran.output
    name = ran.json()["deployment"]["name"]
    (workspace / RECORD).unlink()

    attached = run_cli(workspace, slow_lc, "attach", "-g", fresh_group, "--json")
    assert attached.code == 0, attached.output
    doc = attached.json()
    assert doc["template"] == "finetuning" and doc["deployment"]["name"] == name
    assert doc["config"]["path"] == "infra/finetuning.config.json"
    config = json.loads((workspace / "infra" / "finetuning.config.json").read_text())
    assert config["RESOURCE_GROUP_NAME"] == fresh_group and config["ACA_JOB_NAME"]
    assert config["COMMANDS"] == commands
    assert not (workspace / "infra" / "inference.config.json").exists()
