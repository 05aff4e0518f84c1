"""provision under failure: throttling, 503s, dropped connections, resource failures, cancel,
409 DeploymentActive, a refused token. Each checks the exit code, the message, and that the
config is untouched on failure. Faults are scoped to the test's group; settings are reset."""

from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path

import pytest
from localcloud_fixture import LocalCloudHandle
from provision_support import (
    add_fault,
    config,
    config_text,
    deployments_client,
    group_requests,
    make_workspace,
    requests_log,
    run_cli,
    set_settings,
    start_cli,
    wait_for_deployment,
)

pytestmark = pytest.mark.functional


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws")


def deployments_path(group: str) -> str:
    return f"(?i)/resourcegroups/{re.escape(group)}/(providers/microsoft.resources/)?deployments/"


def test_429_with_retry_after_on_polls_is_waited_out(
    workspace: Path, lc: LocalCloudHandle, fresh_group: str
) -> None:
    add_fault(
        lc,
        method="GET",
        path=deployments_path(fresh_group),
        status=429,
        headers={"Retry-After": "2"},
        body={"error": {"code": "SubscriptionRequestsThrottled", "message": "slow down"}},
        count=2,
    )
    started = time.monotonic()
    ran = run_cli(workspace, lc, "provision", "-g", fresh_group)
    assert ran.code == 0, ran.output
    assert "throttling" in ran.stderr
    assert time.monotonic() - started >= 2.0  # the Retry-After was honoured
    throttled = [e for e in group_requests(requests_log(lc), fresh_group) if e["status"] == 429]
    assert len(throttled) == 2
    assert config(workspace)["RESOURCE_GROUP_NAME"] == fresh_group


def test_three_503s_on_create_are_retried(
    workspace: Path, lc: LocalCloudHandle, fresh_group: str
) -> None:
    add_fault(
        lc,
        method="PUT",
        path=deployments_path(fresh_group),
        status=503,
        headers={"Retry-After": "0"},
        body={"error": {"code": "ServiceUnavailable", "message": "try later"}},
        count=3,
    )
    ran = run_cli(workspace, lc, "provision", "-g", fresh_group)
    assert ran.code == 0, ran.output
    puts = [
        e["status"]
        for e in group_requests(requests_log(lc), fresh_group)
        if e["method"] == "PUT" and "/deployments/" in e["path"].lower()
    ]
    assert puts == [503, 503, 503, 201]
    assert config(workspace)["ACA_APP_NAME"]


def test_a_dropped_connection_mid_watch_is_survived(
    workspace: Path, lc: LocalCloudHandle, fresh_group: str
) -> None:
    set_settings(lc, {"provisioning_seconds": {"*": 0.5}})
    # twice: a poll on a kept-alive connection is sent once more on a new one when the
    # connection drops, so it takes a second drop for the watcher to see it
    path = deployments_path(fresh_group) + ".*operations"
    add_fault(lc, method="GET", path=path, drop=True, count=2)
    ran = run_cli(workspace, lc, "provision", "-g", fresh_group)
    assert ran.code == 0, ran.output
    assert "retrying" in ran.stderr
    assert config(workspace)["ACA_APP_NAME"]


def test_a_resource_failing_with_a_nested_quota_error_names_resource_code_and_hint(
    workspace: Path, lc: LocalCloudHandle, fresh_group: str
) -> None:
    set_settings(
        lc,
        {
            "fail": {
                "Microsoft.App/managedEnvironments": {
                    "code": "MaxRegionalQuotaExceeded",
                    "message": "Workload profile NC24-A100: SubscriptionNCA100Gpus quota is 0.",
                }
            }
        },
    )
    before = config_text(workspace)
    ran = run_cli(workspace, lc, "provision", "-g", fresh_group)
    assert ran.code == 1, ran.output
    assert "failed" in ran.stderr
    assert "Microsoft.App/managedEnvironments" in ran.stderr
    assert "MaxRegionalQuotaExceeded" in ran.stderr
    assert "quota" in ran.stderr.split("MaxRegionalQuotaExceeded", 1)[1].lower()
    assert "DeploymentFailed" not in ran.stderr  # wrappers dropped
    assert config_text(workspace) == before
    assert not (workspace / ".orchestrator" / "inflight.json").exists()


def test_a_canceled_deployment_exits_1_and_leaves_the_config(
    workspace: Path, lc: LocalCloudHandle, fresh_group: str
) -> None:
    set_settings(lc, {"provisioning_seconds": {"*": 3}})
    before = config_text(workspace)
    proc = start_cli(workspace, lc, "provision", "-g", fresh_group)
    name = wait_for_deployment(lc, fresh_group)["name"]
    deployments_client(lc).deployments.cancel(fresh_group, name)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert f"deployment {name} was canceled" in err
    assert config_text(workspace) == before


def test_409_deployment_active_is_refused_clearly(
    workspace: Path, lc: LocalCloudHandle, fresh_group: str
) -> None:
    add_fault(
        lc,
        method="PUT",
        path=deployments_path(fresh_group),
        status=409,
        body={
            "error": {
                "code": "DeploymentActive",
                "message": "The deployment cannot be saved, because this would overwrite an "
                "existing deployment which is still active.",
            }
        },
    )
    before = config_text(workspace)
    ran = run_cli(workspace, lc, "provision", "-g", fresh_group)
    assert ran.code == 1
    assert "DeploymentActive" in ran.stderr
    assert "orchestrator attach" in ran.stderr
    assert config_text(workspace) == before


def test_a_refused_token_says_how_to_sign_in(
    workspace: Path, lc: LocalCloudHandle, fresh_group: str, tmp_path: Path
) -> None:
    add_fault(
        lc,
        method="POST",
        path="(?i)/oauth2/v2.0/token",
        status=401,
        body={"error": "invalid_client", "error_description": "AADSTS7000215: Invalid secret."},
        count=5,
    )
    before = config_text(workspace)
    fresh_cache = str(tmp_path / "cache")  # no token kept by an earlier test
    ran = run_cli(workspace, lc, "provision", "-g", fresh_group, XDG_CACHE_HOME=fresh_cache)
    assert ran.code == 1, ran.output
    assert "could not get a token" in ran.stderr
    assert "hint:" in ran.stderr
    assert config_text(workspace) == before


def test_a_taken_storage_name_hints_at_the_parameters_file_used(
    workspace: Path, lc: LocalCloudHandle, fresh_group: str
) -> None:
    taken = "st" + uuid.uuid4().hex[:16]
    other = f"{fresh_group}-other"
    sub = lc.subscription_id
    lc.request(
        "PUT",
        f"/subscriptions/{sub}/resourcegroups/{other}?api-version=2022-09-01",
        json={"location": "eastus"},
    ).raise_for_status()
    lc.request(
        "PUT",
        f"/subscriptions/{sub}/resourceGroups/{other}/providers/Microsoft.Storage/"
        f"storageAccounts/{taken}?api-version=2023-01-01",
        json={"location": "eastus", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"},
    ).raise_for_status()
    provision = workspace / "infra" / "provision"
    doc = json.loads((provision / "inference.parameters.json").read_text())
    doc["parameters"]["storageAccountName"] = {"value": taken}
    (provision / "prod.parameters.json").write_text(json.dumps(doc, indent=2))
    before = config_text(workspace)

    ran = run_cli(
        workspace,
        lc,
        "provision",
        "-g",
        fresh_group,
        "--parameters",
        str(provision / "prod.parameters.json"),
    )

    assert ran.code == 1, ran.output
    assert "StorageAccountAlreadyTaken" in ran.stderr
    hint = next(
        line for line in ran.stderr.splitlines() if "Storage account names are global" in line
    )
    assert "prod.parameters.json" in hint
    assert "inference.parameters.json" not in hint
    assert "Traceback" not in ran.output
    assert config_text(workspace) == before
