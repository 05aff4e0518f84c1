"""`orchestrator provision` end to end against localcloud with the real SDK (subprocess CLI)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from localcloud_fixture import LocalCloudHandle, unique_name
from provision_support import (
    CONFIG_KEYS,
    config,
    config_text,
    group_requests,
    is_write,
    list_deployments,
    make_workspace,
    requests_log,
    run_cli,
)

pytestmark = pytest.mark.functional


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws")


def test_provision_writes_the_outputs_into_the_config_and_prints_the_endpoint(
    workspace: Path, localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    ran = run_cli(workspace, localcloud, "provision", "-g", fresh_group)
    assert ran.code == 0, ran.output
    written = config(workspace)
    assert list(written) == ["NOTE", *CONFIG_KEYS]  # unknown key and order kept
    assert written["NOTE"] == "kept by provision"
    assert written["RESOURCE_GROUP_NAME"] == fresh_group
    assert written["SUBSCRIPTION_ID"] == localcloud.subscription_id
    assert all(written[key] for key in CONFIG_KEYS)
    assert f"endpoint: https://{written['ACA_APP_ENDPOINT']}" in ran.stdout
    assert "resource group: " + fresh_group + " (from --resource-group)" in ran.stderr
    assert "containerApps" in ran.stderr  # per-resource progress lines
    (deployment,) = list_deployments(localcloud, fresh_group)
    assert deployment["name"].startswith("inference-") and len(deployment["name"]) <= 64
    assert deployment["tags"]["orchestrator-template"] == "inference"
    assert deployment["properties"]["mode"] == "Incremental"
    assert not (workspace / ".orchestrator" / "inflight.json").exists()


def test_unchanged_reprovision_is_skipped_without_any_write(
    workspace: Path, localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    assert run_cli(workspace, localcloud, "provision", "-g", fresh_group).code == 0
    localcloud.admin("DELETE", "requests")
    ran = run_cli(workspace, localcloud, "provision", "--json")
    assert ran.code == 0, ran.output
    assert ran.json()["action"] == "skipped"
    log = requests_log(localcloud)
    assert [e for e in log if is_write(e)] == []
    assert group_requests(log, fresh_group)  # it did look
    assert len(list_deployments(localcloud, fresh_group)) == 1


def test_force_deploys_again_and_a_changed_parameter_deploys(
    workspace: Path, localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    assert run_cli(workspace, localcloud, "provision", "-g", fresh_group).code == 0
    forced = run_cli(workspace, localcloud, "provision", "--force", "--json")
    assert forced.code == 0, forced.output
    assert forced.json()["action"] == "deployed"
    changed = run_cli(workspace, localcloud, "provision", "-p", "maximumInstanceCount=2", "--json")
    assert changed.code == 0, changed.output
    assert changed.json()["action"] == "deployed"
    assert "parameters or target changed" in changed.json()["reason"]


def test_missing_group_is_an_error_that_says_how_to_create_it(
    workspace: Path, localcloud: LocalCloudHandle
) -> None:
    before = config_text(workspace)
    ran = run_cli(workspace, localcloud, "provision", "-g", unique_name("missing"))
    assert ran.code == 1
    assert "does not exist" in ran.stderr
    assert "--create-resource-group --location" in ran.stderr
    assert config_text(workspace) == before


def test_create_resource_group_creates_it_in_the_location(
    workspace: Path, localcloud: LocalCloudHandle
) -> None:
    group = unique_name("rgnew")
    ran = run_cli(
        workspace, localcloud, "provision", "-g", group, "--create-resource-group", "-l", "westus"
    )
    assert ran.code == 0, ran.output
    assert f"creating resource group {group} in westus" in ran.stderr
    assert config(workspace)["RESOURCE_GROUP_NAME"] == group


def test_json_mode_streams_ndjson_events_and_prints_one_document(
    workspace: Path, localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    ran = run_cli(workspace, localcloud, "provision", "-g", fresh_group, "--json")
    assert ran.code == 0, ran.output
    doc = ran.json()
    assert doc["command"] == "provision" and doc["exit_code"] == 0
    assert doc["outputs"]["ACA_APP_NAME"] == config(workspace)["ACA_APP_NAME"]
    events = [json.loads(line) for line in ran.stderr.splitlines()]
    kinds = [e["event"] for e in events]
    assert "started" in kinds and "resource" in kinds and kinds[-1] == "finished"
    resources = [e for e in events if e["event"] == "resource"]
    assert {"resource_type", "resource_name", "state", "duration"} <= set(resources[0])


def test_no_wait_returns_the_name_and_attach_records_the_outputs(
    workspace: Path, localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    ran = run_cli(workspace, localcloud, "provision", "-g", fresh_group, "--no-wait", "--json")
    assert ran.code == 0, ran.output
    name = ran.json()["deployment"]["name"]
    assert (workspace / ".orchestrator" / "inflight.json").exists()
    assert config(workspace)["ACA_APP_NAME"] is None
    attached = run_cli(workspace, localcloud, "attach")
    assert attached.code == 0, attached.output
    assert f"deployment {name} succeeded" in attached.stderr  # the display's last line
    assert config(workspace)["ACA_APP_NAME"]
    assert not (workspace / ".orchestrator" / "inflight.json").exists()


def test_validation_problems_stop_before_any_request(
    workspace: Path, localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    ran = run_cli(
        workspace, localcloud, "provision", "-g", fresh_group, "-p", "storageAccountName=NO!"
    )
    assert ran.code == 2
    assert "storageAccountName" in ran.stderr
    assert list_deployments(localcloud, fresh_group) == []
