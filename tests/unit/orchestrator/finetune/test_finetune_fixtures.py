"""The pure modules on the shipped workspaces: this repository and the three family fixtures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from orchestrator.errors import ValidationFailed
from orchestrator.finetune import config, layout, override
from orchestrator.finetune.family import Family, detect
from orchestrator.workspace import Workspace

ROOT = Path(__file__).resolve().parents[4]
FIXTURES = ROOT / "tests" / "fixtures" / "workspaces"
WORKSPACES = {
    "repository": (ROOT, Family.LEGACY),
    "legacy": (FIXTURES / "legacy", Family.LEGACY),
    "phisilica": (FIXTURES / "phisilica", Family.PHI_SILICA),
    "aion": (FIXTURES / "aion", Family.AION),
}
SUB = "00000000-0000-4000-8000-000000000001"


def outputs_like_arm(files_compiled: Path) -> dict[str, Any]:
    """What a deployment of the template returns: every output, names recased as ARM does."""
    declared = json.loads(files_compiled.read_text())["outputs"]
    values = {
        "SUBSCRIPTION_ID": SUB,
        "RESOURCE_GROUP_NAME": "rg-ft",
        "STORAGE_ACCOUNT_NAME": "aistoragejs26o",
        "FILE_SHARE_NAME": "aifilesharejs26o",
        "ACA_JOB_NAME": "aiacajobjs26o",
        "LOG_ANALYTICS_NAME": "ailogjs26o",
    }
    out: dict[str, Any] = {}
    for name, output in declared.items():
        value = values.get(name, output["value"])
        if isinstance(value, str) and value.startswith("["):  # [parameters('defaultCommands')]
            value = ["cd /mount", "from the parameters"]
        out[name[:5].lower() + name[5:]] = {"type": output["type"], "value": value}
    return out


@pytest.mark.parametrize("name", list(WORKSPACES))
def test_each_workspace_is_detected_as_its_family(name: str) -> None:
    root, family = WORKSPACES[name]
    files = detect(Workspace(root))
    assert files.family is family
    assert files.config.is_file() and files.bicep.is_file() and files.compiled.is_file()
    assert files.parameters.is_file() and files.localcloud_parameters.is_file()
    assert (files.method == "lora") is family.image_entrypoint


@pytest.mark.parametrize("name", list(WORKSPACES))
def test_shipped_configs_check_clean_but_are_not_yet_complete(name: str) -> None:
    files = detect(Workspace(WORKSPACES[name][0]))
    found = config.read(files)
    assert config.problems(found.values, found.shown, files.family, complete=False) == []
    assert list(found.values) == list(config.keys(files.family))
    with pytest.raises(ValidationFailed, match="problems found"):
        config.require(files)


@pytest.mark.parametrize("name", list(WORKSPACES))
def test_a_provision_fills_the_config_from_the_templates_outputs(name: str) -> None:
    files = detect(Workspace(WORKSPACES[name][0]))
    existing = config.read(files).values
    merged = config.checked_merge(
        existing, outputs_like_arm(files.compiled), files.family, "cfg", reset_commands=False
    )
    assert merged["ACA_JOB_NAME"] == "aiacajobjs26o"
    if files.family.image_entrypoint:
        assert merged["ARGS"] == ["mount/<run_id>/lora.yaml"]
        assert merged["LOG_ANALYTICS_NAME"] == "ailogjs26o"
    elif existing["COMMANDS"]:
        assert merged["COMMANDS"] == existing["COMMANDS"]  # the toolkit's, kept
    else:
        assert merged["COMMANDS"] == ["cd /mount", "from the parameters"]
    assert config.problems(merged, "cfg", files.family, complete=True) == []


@pytest.mark.parametrize("name", ["phisilica", "aion"])
def test_a_run_of_an_image_family_fixture(name: str) -> None:
    files = detect(Workspace(WORKSPACES[name][0]))
    run = layout.plan(files, "r1")
    assert run.sources == ("finetuning", "dataset")  # the stand-in, then the per-run data
    assert run.remote("dataset/train.json") == "r1/dataset/train.json"
    (rendered,) = run.rendered
    text = layout.render(rendered.local.read_text(), "r1")
    assert "finetune_dataset: mount/r1/dataset" in text.replace('"', "")
    args = override.RunCommand(None, layout.substitute(["mount/<run_id>/lora.yaml"], "r1"))
    assert args.args == ("mount/r1/lora.yaml",)


def test_a_run_of_the_repository_syncs_the_trainer_and_the_dataset() -> None:
    files = detect(Workspace(ROOT))
    run = layout.plan(files, None)
    assert (ROOT / "finetuning" / "train.py").is_file() and (ROOT / "dataset").is_dir()
    assert run.sources == ("setup", "finetuning", "dataset")
