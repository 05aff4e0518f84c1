"""`orchestrator outputs`: import the outputs of a deployment made by hand (plain SDK)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from localcloud_fixture import LocalCloudHandle
from provision_support import (
    CONFIG_KEYS,
    config,
    config_text,
    deployments_client,
    make_workspace,
    run_cli,
)

pytestmark = pytest.mark.functional


def deploy_by_hand(workspace: Path, lc: LocalCloudHandle, group: str, name: str) -> None:
    """What a user does with `az deployment group create`: no orchestrator tags."""
    provision = workspace / "infra" / "provision"
    template = json.loads((provision / "inference.json").read_text())
    parameters = json.loads((provision / "inference.parameters.json").read_text())["parameters"]
    parameters = {k: v for k, v in parameters.items() if v.get("value") is not None}
    body = {"properties": {"mode": "Incremental", "template": template, "parameters": parameters}}
    client = deployments_client(lc)
    client.deployments.begin_create_or_update(group, name, body, polling_interval=1).result()


def test_outputs_prints_a_hand_made_deployment_without_writing(
    tmp_path: Path, localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    workspace = make_workspace(tmp_path / "ws")
    deploy_by_hand(workspace, localcloud, fresh_group, "by-hand")
    before = config_text(workspace)
    ran = run_cli(workspace, localcloud, "outputs", "-g", fresh_group)
    assert ran.code == 0, ran.output
    assert "outputs of by-hand" in ran.stdout
    assert f"RESOURCE_GROUP_NAME = {fresh_group}" in ran.stdout
    assert "outputs --write" in ran.stdout
    assert config_text(workspace) == before


def test_outputs_write_imports_into_the_config_keeping_other_keys(
    tmp_path: Path, localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    workspace = make_workspace(tmp_path / "ws")
    deploy_by_hand(workspace, localcloud, fresh_group, "by-hand")
    ran = run_cli(
        workspace, localcloud, "outputs", "-g", fresh_group, "--deployment", "by-hand", "--write"
    )
    assert ran.code == 0, ran.output
    written = config(workspace)
    assert list(written) == ["NOTE", *CONFIG_KEYS]
    assert written["RESOURCE_GROUP_NAME"] == fresh_group and written["ACA_APP_ENDPOINT"]


def test_outputs_of_a_group_without_deployments_is_a_clear_error(
    tmp_path: Path, localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    workspace = make_workspace(tmp_path / "ws")
    ran = run_cli(workspace, localcloud, "outputs", "-g", fresh_group)
    assert ran.code == 2
    assert "no succeeded deployment" in ran.stderr
