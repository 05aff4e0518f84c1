"""`finetune secret set` refuses a variable whose secret another variable already reads
(`HF_TOKEN` and `hf_token` both map to the secret `hf-token`): storing it would silently change
the other variable's value. Exit 2, one line, the job not patched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from localcloud_fixture import LocalCloudHandle, unique_name
from provision_support import group_requests, is_write, requests_log, run_cli

pytestmark = [pytest.mark.functional, pytest.mark.slow]

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "workspaces"
LOCAL = "infra/provision/finetuning.localcloud.parameters.json"


def test_a_second_variable_for_the_same_secret_is_refused(
    tmp_path: Path, localcloud: LocalCloudHandle
) -> None:
    workspace = shutil.copytree(FIXTURES / "legacy", tmp_path / "legacy")
    group = unique_name("secretname")
    ran = run_cli(
        workspace, localcloud, "finetune", "provision", "-g", group, "-l", "eastus",
        "--create-resource-group", "--parameters", LOCAL,
    )  # fmt: skip
    assert ran.code == 0, ran.output
    first = run_cli(
        workspace, localcloud, "finetune", "secret", "set", "HF_TOKEN", "--from-env", "V",
        V="first-value",
    )  # fmt: skip
    assert first.code == 0, first.output
    patches = sum(1 for e in group_requests(requests_log(localcloud), group) if is_write(e))

    second = run_cli(
        workspace, localcloud, "finetune", "secret", "set", "hf_token", "--from-env", "V",
        V="second-value",
    )  # fmt: skip
    assert second.code == 2, second.output
    assert second.stderr.splitlines() == [
        "error: hf_token: secret hf-token is already read by $HF_TOKEN; setting it would "
        "change $HF_TOKEN too",
        "hint: set HF_TOKEN itself, or pick a name that maps to another secret",
    ]
    assert "second-value" not in second.output
    after = sum(1 for e in group_requests(requests_log(localcloud), group) if is_write(e))
    assert after == patches
    status = run_cli(workspace, localcloud, "finetune", "status", "--json")
    assert status.json()["secret_env"] == {"HF_TOKEN": "hf-token"}
