"""`orchestrator status` against localcloud."""

from __future__ import annotations

from pathlib import Path

import pytest
from localcloud_fixture import LocalCloudHandle
from provision_support import config, make_workspace, run_cli

pytestmark = pytest.mark.functional


def test_status_shows_target_last_deployment_app_and_endpoint(
    tmp_path: Path, localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    workspace = make_workspace(tmp_path / "ws")
    provisioned = run_cli(workspace, localcloud, "provision", "-g", fresh_group, "--json")
    assert provisioned.code == 0, provisioned.output
    name = provisioned.json()["deployment"]["name"]
    ran = run_cli(workspace, localcloud, "status")
    assert ran.code == 0, ran.output
    app = config(workspace)["ACA_APP_NAME"]
    assert f"resource group: {fresh_group}" in ran.stdout
    assert f"{name}: Succeeded" in ran.stdout
    assert f"{app}: provisioning Succeeded" in ran.stdout
    assert "latest revision " in ran.stdout and "replicas: " in ran.stdout
    assert f"endpoint: https://{config(workspace)['ACA_APP_ENDPOINT']}" in ran.stdout
    doc = run_cli(workspace, localcloud, "status", "--json").json()
    assert doc["last_deployment"]["name"] == name
    assert doc["app"]["name"] == app and doc["app"]["latest_revision"]


def test_status_before_provision_says_not_provisioned(
    tmp_path: Path, localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    workspace = make_workspace(tmp_path / "ws")
    ran = run_cli(workspace, localcloud, "status", "-g", fresh_group)
    assert ran.code == 0, ran.output
    assert "none by orchestrator" in ran.stdout
    assert "not provisioned" in ran.stdout
