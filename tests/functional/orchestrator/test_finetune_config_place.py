"""The Phi Silica / Aion family keeps `finetuning.config.json` in `infra/provision/` (the 2024
family in `infra/`): `finetune provision` writes it there, and `orchestrator validate` checks
it there, with the family's keys (`LOG_ANALYTICS_NAME`, `ARGS`)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from localcloud_fixture import LocalCloudHandle, unique_name
from provision_support import run_cli

pytestmark = [pytest.mark.functional, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[3]
PLACE = "infra/provision/finetuning.config.json"
LOCAL_INFERENCE = "infra/provision/inference.localcloud.parameters.json"


def workspace_of(family: str, root: Path) -> Path:
    """A fixture workspace of `family` with the inference half beside it (what validate reads)."""
    workspace = shutil.copytree(REPO / "tests" / "fixtures" / "workspaces" / family, root / family)
    provision = workspace / "infra" / "provision"
    for name in ("inference.bicep", "inference.json", "inference.localcloud.parameters.json"):
        shutil.copy2(REPO / "infra" / "provision" / name, provision / name)
    shutil.copy2(REPO / "infra" / "inference.config.json", workspace / "infra")
    return workspace


@pytest.mark.parametrize("family", ["phisilica", "aion"])
def test_validate_checks_the_config_in_infra_provision_with_the_family_keys(
    tmp_path: Path, lc: LocalCloudHandle, family: str
) -> None:
    workspace = workspace_of(family, tmp_path)
    path = workspace / PLACE
    values = json.loads(path.read_text()) | {"RESOURCE_GROUP_NAME": "ft/rg", "ARG": ["x"]}
    path.write_text(json.dumps(values, indent=2) + "\n")
    ran = run_cli(workspace, lc, "validate", "--parameters", LOCAL_INFERENCE, "--json")
    assert ran.code == 2, ran.output
    problems = {p["path"]: p for p in ran.json()["error"]["problems"]}
    assert set(problems) == {"RESOURCE_GROUP_NAME", "ARG"}, problems
    assert problems["RESOURCE_GROUP_NAME"]["file"] == f"{PLACE}:3:26"
    assert problems["ARG"]["message"] == "unknown key; did you mean ARGS?"
    assert problems["ARG"]["file"].startswith(f"{PLACE}:")
    assert not (workspace / "infra" / "finetuning.config.json").exists()


@pytest.mark.parametrize("family", ["phisilica", "aion"])
def test_provision_writes_the_config_in_infra_provision_and_validate_reads_it_there(
    tmp_path: Path, lc: LocalCloudHandle, family: str
) -> None:
    workspace = workspace_of(family, tmp_path)
    group = unique_name("ftplace")
    ran = run_cli(
        workspace, lc, "finetune", "provision", "-g", group, "-l", "eastus",
        "--create-resource-group", "--parameters",
        "infra/provision/finetuning.localcloud.parameters.json", "--json",
    )  # fmt: skip
    assert ran.code == 0, ran.output
    written = json.loads((workspace / PLACE).read_text())
    assert written["RESOURCE_GROUP_NAME"] == group and written["LOG_ANALYTICS_NAME"]
    assert ran.json()["config"]["path"] == PLACE
    assert not (workspace / "infra" / "finetuning.config.json").exists()
    ran = run_cli(workspace, lc, "validate", "--parameters", LOCAL_INFERENCE, "--json")
    assert ran.code == 0, ran.output
    checks = {c["name"]: c["status"] for c in ran.json()["checks"]}
    assert checks[PLACE] == "passed"
    assert "infra/finetuning.config.json" not in checks
