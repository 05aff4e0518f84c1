"""`finetune provision`'s template kind: the outputs go into `finetuning.config.json` where the
family keeps it, resource keys always, the user's COMMANDS / ARGS only with --reset-commands."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from orchestrator.finetune import family
from orchestrator.finetune.commands.provision import TEMPLATE, kind_for
from orchestrator.provision.outputs import MappedOutputs
from orchestrator.workspace import Workspace

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "workspaces"
OUTPUTS = {
    "SUBSCRIPTION_ID": "00000000-0000-0000-0000-000000000001",
    "RESOURCE_GROUP_NAME": "rg",
    "STORAGE_ACCOUNT_NAME": "acct1",
    "FILE_SHARE_NAME": "share1",
    "ACA_JOB_NAME": "job1",
    "COMMANDS": ["cd /mount", "python3 ./finetuning/from_template.py"],
}


def test_outputs_go_into_the_config_keeping_the_users_commands(tmp_path: Path) -> None:
    ws = Workspace(shutil.copytree(FIXTURES / "legacy", tmp_path / "ws"))
    files = family.detect(ws)
    existing = json.loads(files.config.read_text()) | {"COMMANDS": ["echo mine"]}
    kind = kind_for(files, reset_commands=False)
    assert kind.name == TEMPLATE and kind.config == ws.root / "infra" / "finetuning.config.json"
    assert kind.recorder is not None
    recorded = kind.recorder(existing, MappedOutputs(OUTPUTS))
    written = json.loads(files.config.read_text())
    assert recorded.written and written["ACA_JOB_NAME"] == "job1"
    assert written["COMMANDS"] == ["echo mine"]
    reset = kind_for(files, reset_commands=True).recorder
    assert reset is not None
    reset(written, MappedOutputs(OUTPUTS))
    assert json.loads(files.config.read_text())["COMMANDS"] == OUTPUTS["COMMANDS"]


def test_image_families_write_the_config_inside_infra_provision(tmp_path: Path) -> None:
    ws = Workspace(shutil.copytree(FIXTURES / "phisilica", tmp_path / "ws"))
    files = family.detect(ws)
    kind = kind_for(files, reset_commands=False)
    assert kind.config == ws.root / "infra" / "provision" / "finetuning.config.json"
    outputs = OUTPUTS | {"LOG_ANALYTICS_NAME": "log1", "ARGS": ["mount/x.yaml"]}
    assert kind.recorder is not None
    kind.recorder(json.loads(files.config.read_text()), MappedOutputs(outputs))
    written = json.loads(files.config.read_text())
    assert written["LOG_ANALYTICS_NAME"] == "log1"
    assert written["ARGS"] == ["mount/<run_id>/lora.yaml"]  # the user's ARGS stay
    assert not (ws.root / "infra" / "finetuning.config.json").exists()
