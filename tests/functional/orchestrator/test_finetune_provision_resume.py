"""`finetune provision` as the rest of the tool: a provision left running (`--no-wait`, or
Ctrl-C) is waited for by the next one, which records its outputs; a broken config is one
line naming the file, line and column, before any request."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from localcloud_fixture import LocalCloudHandle, unique_name
from provision_support import run_cli

pytestmark = [pytest.mark.functional, pytest.mark.slow]

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "workspaces"
LOCAL = "infra/provision/finetuning.localcloud.parameters.json"


def test_a_provision_left_running_is_finished_by_the_next_one(
    tmp_path: Path, lc: LocalCloudHandle
) -> None:
    workspace = shutil.copytree(FIXTURES / "aion", tmp_path / "aion")
    group = unique_name("ftresume")
    ran = run_cli(
        workspace, lc, "finetune", "provision", "-g", group, "-l", "eastus",
        "--create-resource-group", "--parameters", LOCAL, "--no-wait", "--json",
    )  # fmt: skip
    assert ran.code == 0, ran.output
    assert ran.json()["action"] == "submitted"
    config = workspace / "infra" / "provision" / "finetuning.config.json"
    assert json.loads(config.read_text())["ACA_JOB_NAME"] is None
    assert (workspace / ".orchestrator" / "finetuning-inflight.json").is_file()
    assert not (workspace / ".orchestrator" / "inflight.json").exists()

    ran = run_cli(workspace, lc, "finetune", "provision", "-g", group, "--parameters", LOCAL,
                  "--json")  # fmt: skip
    assert ran.code == 0, ran.output
    assert ran.json()["action"] == "skipped"
    assert json.loads(config.read_text())["ACA_JOB_NAME"].startswith("aiacajoblora")


def test_a_broken_config_names_file_line_and_column_before_any_request(
    tmp_path: Path, lc: LocalCloudHandle
) -> None:
    workspace = shutil.copytree(FIXTURES / "legacy", tmp_path / "legacy")
    (workspace / "infra" / "finetuning.config.json").write_text('{\n  "COMMANDS": [,]\n}\n')
    lc.admin("DELETE", "requests")
    for args in (("run",), ("provision", "-g", "x", "--parameters", LOCAL), ("status",)):
        ran = run_cli(workspace, lc, "finetune", *args)
        assert ran.code == 2, ran.output
        assert "infra/finetuning.config.json:2:" in ran.stderr, ran.stderr
        assert "Traceback" not in ran.output
    arm = [r for r in lc.admin("GET", "requests").json() if "/subscriptions/" in r["path"]]
    assert arm == []
