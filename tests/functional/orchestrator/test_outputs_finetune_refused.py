"""`outputs --write` never writes a fine-tuning deployment's outputs into
`infra/inference.config.json` (they would set four of its keys to the fine-tuning resources
and leave the app's empty): exit 2 naming `attach --deployment`, which records them where they
belong. Printing them stays possible."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from localcloud_fixture import LocalCloudHandle, unique_name
from provision_support import run_cli

pytestmark = [pytest.mark.functional, pytest.mark.slow]

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "workspaces"
LOCAL = "infra/provision/finetuning.localcloud.parameters.json"


def test_outputs_write_refuses_a_fine_tuning_deployment(
    tmp_path: Path, localcloud: LocalCloudHandle
) -> None:
    workspace = shutil.copytree(FIXTURES / "legacy", tmp_path / "legacy")
    group = unique_name("outft")
    ran = run_cli(
        workspace, localcloud, "finetune", "provision", "-g", group, "-l", "eastus",
        "--create-resource-group", "--parameters", LOCAL, "--json",
    )  # fmt: skip
    assert ran.code == 0, ran.output
    name = ran.json()["deployment"]["name"]
    config = workspace / "infra" / "inference.config.json"
    assert not config.exists()

    written = run_cli(
        workspace, localcloud, "outputs", "-g", group, "--deployment", name, "--write"
    )
    assert written.code == 2, written.output
    assert written.stderr.splitlines() == [
        f"error: deployment {name} deployed the fine-tuning template: its outputs belong in "
        "finetuning.config.json, not infra/inference.config.json (nothing written)",
        f"hint: `orchestrator attach --deployment {name}` records them there",
    ]
    assert not config.exists()

    shown = run_cli(workspace, localcloud, "outputs", "-g", group, "--deployment", name)
    assert shown.code == 0, shown.output
    assert f"outputs of {name} ({group}):" in shown.stdout
