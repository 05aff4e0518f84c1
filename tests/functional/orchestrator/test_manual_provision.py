"""`orchestrator manual`: the exact az command, the final parameters file, the script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from provision_support import make_workspace

SUB = "00000000-0000-0000-0000-000000000001"


def run_manual(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "ORCHESTRATOR_"))}
    env["AZURE_CONFIG_DIR"] = str(workspace / "no-az")
    return subprocess.run(
        [sys.executable, "-m", "orchestrator", "manual", "-s", SUB, *args],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_manual_prints_the_exact_az_command_and_writes_final_parameters(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path / "ws")
    ran = run_manual(workspace, "-g", "my-rg", "-p", "maximumInstanceCount=3")
    assert ran.returncode == 0, ran.stderr
    assert (
        f"az deployment group create --subscription {SUB} --resource-group my-rg --name inference-"
        in ran.stdout
    )
    assert f"--template-file {workspace}/infra/provision/inference." in ran.stdout  # absolute
    assert f"--parameters @{workspace}/.orchestrator/final.parameters.json" in ran.stdout
    assert (
        f"orchestrator outputs --write --cloud azure -w {workspace} --subscription {SUB} "
        "--resource-group my-rg --deployment inference-" in ran.stdout
    )
    for key in ("SUBSCRIPTION_ID", "ACA_APP_ENDPOINT", "FILE_SHARE_NAME"):
        assert key in ran.stdout
    final = json.loads((workspace / ".orchestrator" / "final.parameters.json").read_text())
    assert final["contentVersion"] == "1.0.0.0"
    assert final["parameters"]["maximumInstanceCount"] == {"value": 3}
    assert "location" not in final["parameters"]  # nulls dropped
    assert (workspace / ".orchestrator" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_manual_script_is_an_executable_bash_script(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path / "ws")
    script = workspace / "provision-by-hand.sh"
    ran = run_manual(workspace, "-g", "my-rg(1)", "-l", "eastus", "--script", str(script))
    assert ran.returncode == 0, ran.stderr
    text = script.read_text()
    assert text.startswith("#!/usr/bin/env bash")
    assert os.access(script, os.X_OK)
    assert "az group create --name 'my-rg(1)' --location eastus" in text
    assert "az deployment group create" in text and "'my-rg(1)'" in text
    assert "orchestrator outputs --write" in text
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0


def test_manual_without_a_group_says_how_to_give_one(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path / "ws")
    ran = run_manual(workspace)
    assert ran.returncode == 2
    assert "no resource group" in ran.stderr
