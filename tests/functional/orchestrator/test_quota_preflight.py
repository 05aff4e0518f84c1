"""GPU quota and region preflight of `provision` and `plan` against localcloud's usages,
workload profile types and quota settings (`/_localcloud/quota`)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from localcloud_fixture import LocalCloudHandle
from provision_support import add_fault, config_text, make_workspace, requests_log, run_cli

pytestmark = pytest.mark.functional

T4 = "Consumption-GPU-NC8as-T4"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws")


def set_quota(lc: LocalCloudHandle, doc: dict[str, Any]) -> None:
    response = lc.admin("POST", "quota", json=doc)
    assert response.status_code < 300, response.text


def one_gpu_left(lc: LocalCloudHandle, location: str = "eastus") -> None:
    """Set the regional dedicated A100 limit to what the region's environments (those of
    earlier tests included) use, plus one."""
    path = (
        f"/subscriptions/{lc.subscription_id}/providers/Microsoft.App/locations/{location}"
        "/usages?api-version=2025-07-01"
    )
    items = lc.request("GET", path).json()["value"]
    used = next(u["currentValue"] for u in items if u["name"]["value"] == "SubscriptionNCA100Gpus")
    set_quota(lc, {"limits": {location: {"SubscriptionNCA100Gpus": used + 1}}})


def deployment_puts(lc: LocalCloudHandle, group: str) -> list[dict[str, Any]]:
    return [
        e
        for e in requests_log(lc)
        if str(e["method"]).upper() == "PUT"
        and f"/resourcegroups/{group.lower()}/" in str(e["path"]).lower()
        and "/providers/microsoft.resources/deployments/" in str(e["path"]).lower()
    ]


def serverless_template(
    workspace: Path, *, profile: dict[str, Any] | None = None, app_profile: str = "GPU"
) -> Path:
    """A small ARM template: an environment with a serverless T4 profile and an app on it
    (maxReplicas 2)."""
    gpu = profile or {"name": "GPU", "workloadProfileType": T4}
    template = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/"
        "deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {
            "envName": {"type": "string"},
            "appName": {"type": "string", "defaultValue": "gpuapp"},
            "maxReplicas": {"type": "int", "defaultValue": 2},
            "minReplicas": {"type": "int", "defaultValue": 0},
        },
        "resources": [
            {
                "type": "Microsoft.App/managedEnvironments",
                "apiVersion": "2024-03-01",
                "name": "[parameters('envName')]",
                "location": "[resourceGroup().location]",
                "properties": {
                    "workloadProfiles": [
                        {"name": "Consumption", "workloadProfileType": "Consumption"},
                        gpu,
                    ]
                },
            },
            {
                "type": "Microsoft.App/containerApps",
                "apiVersion": "2024-03-01",
                "name": "[parameters('appName')]",
                "location": "[resourceGroup().location]",
                "dependsOn": [
                    "[resourceId('Microsoft.App/managedEnvironments', parameters('envName'))]"
                ],
                "properties": {
                    "environmentId": "[resourceId('Microsoft.App/managedEnvironments', "
                    "parameters('envName'))]",
                    "workloadProfileName": app_profile,
                    "configuration": {"ingress": {"external": True, "targetPort": 7860}},
                    "template": {
                        "containers": [
                            {
                                "name": "main",
                                "image": "python:3.12",
                                "command": ["python3", "-m", "http.server", "7860"],
                                "resources": {"cpu": 1, "memory": "2Gi"},
                            }
                        ],
                        "scale": {
                            "minReplicas": "[parameters('minReplicas')]",
                            "maxReplicas": "[parameters('maxReplicas')]",
                        },
                    },
                },
            },
        ],
    }
    path = workspace / "infra" / "provision" / "gpu.json"
    path.write_text(json.dumps(template, indent=2) + "\n")
    params = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/"
        "deploymentParameters.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"envName": {"value": "gpuenv"}},
    }
    (workspace / "infra" / "provision" / "gpu.parameters.json").write_text(json.dumps(params))
    return path


def gpu_args(group: str) -> tuple[str, ...]:
    return (
        "-g",
        group,
        "--template",
        "infra/provision/gpu.json",
        "--parameters",
        "infra/provision/gpu.parameters.json",
    )


def test_dedicated_quota_too_low_stops_before_any_deployment_put(
    workspace: Path, lc: LocalCloudHandle, fresh_group: str
) -> None:
    one_gpu_left(lc)
    before = config_text(workspace)
    ran = run_cli(workspace, lc, "provision", "-g", fresh_group, "-p", "maximumInstanceCount=2")
    assert ran.code == 1, ran.output
    assert "not enough GPU quota for this deployment in eastus" in ran.stderr
    assert "NC24-A100 GPUs" in ran.stderr and "needs 2 GPUs" in ran.stderr
    assert "available 1 of " in ran.stderr and "(SubscriptionNCA100Gpus)" in ran.stderr
    offered = r"regions that offer NC24-A100: westus3 \(\d+ GPUs? free\), northeurope \("
    assert re.search(offered, ran.stderr), ran.stderr
    assert "Quotas" in ran.stderr and "--skip-quota-check" in ran.stderr
    assert deployment_puts(lc, fresh_group) == []
    assert config_text(workspace) == before


def test_skip_quota_check_goes_to_azure_which_refuses_at_preflight(
    workspace: Path, lc: LocalCloudHandle, fresh_group: str
) -> None:
    one_gpu_left(lc)
    ran = run_cli(
        workspace,
        lc,
        "provision",
        "-g",
        fresh_group,
        "-p",
        "maximumInstanceCount=2",
        "--skip-quota-check",
    )
    assert ran.code == 1, ran.output
    assert "not enough GPU quota" not in ran.stderr
    assert "MaxRegionalQuotaExceeded" in ran.stderr


def test_enough_quota_is_said_and_the_deployment_goes_on(
    workspace: Path, lc: LocalCloudHandle, fresh_group: str
) -> None:
    ran = run_cli(workspace, lc, "provision", "-g", fresh_group)
    assert ran.code == 0, ran.output
    assert "GPU quota: NC24-A100 GPUs" in ran.stderr
    assert "needs 1 GPU, available" in ran.stderr
    assert len(deployment_puts(lc, fresh_group)) == 1


def test_region_without_the_profile_type_names_the_regions_that_offer_it(
    workspace: Path, lc: LocalCloudHandle, fresh_group: str
) -> None:
    serverless_template(workspace)
    set_quota(lc, {"offerings": {"eastus": ["Consumption"]}})
    ran = run_cli(workspace, lc, "provision", *gpu_args(fresh_group))
    assert ran.code == 1, ran.output
    assert f"workload profile type {T4} in eastus: eastus does not offer it" in ran.stderr
    assert f"regions that offer {T4}:" in ran.stderr and "westus3" in ran.stderr
    assert "--location" in ran.stderr
    assert deployment_puts(lc, fresh_group) == []


def test_new_environment_is_a_warning_and_the_deploy_goes_on(
    workspace: Path, lc: LocalCloudHandle, fresh_group: str
) -> None:
    serverless_template(workspace)
    ran = run_cli(workspace, lc, "provision", *gpu_args(fresh_group))
    assert ran.code == 0, ran.output
    assert "warning: GPU quota not checked:" in ran.stderr
    assert "a new environment's quota can be read only once it exists" in ran.stderr
    assert len(deployment_puts(lc, fresh_group)) == 1


def test_existing_environment_quota_too_low_stops_with_its_usage(
    workspace: Path, lc: LocalCloudHandle, fresh_group: str
) -> None:
    serverless_template(workspace)
    assert run_cli(workspace, lc, "provision", *gpu_args(fresh_group)).code == 0
    set_quota(lc, {"limits": {"gpuenv": {"ManagedEnvironmentConsumptionT4Gpus": 1}}})
    ran = run_cli(workspace, lc, "provision", *gpu_args(fresh_group), "-p", "maxReplicas=4")
    assert ran.code == 1, ran.output
    assert "app gpuapp: maxReplicas 4" in ran.stderr  # less what its replicas hold now
    assert "available 1 of 1 (ManagedEnvironmentConsumptionT4Gpus)" in ran.stderr
    assert "environment's Quota page" in ran.stderr
    assert len(deployment_puts(lc, fresh_group)) == 1  # only the first provision's


def test_usages_api_not_answering_is_a_warning_and_the_deploy_goes_on(
    workspace: Path, lc: LocalCloudHandle, fresh_group: str
) -> None:
    error = {"error": {"code": "NoRegisteredProviderFound", "message": "no usages here"}}
    add_fault(lc, method="GET", path="/usages", status=404, body=error, count=50)
    ran = run_cli(workspace, lc, "provision", "-g", fresh_group)
    assert ran.code == 0, ran.output
    assert "warning: GPU quota not checked:" in ran.stderr
    assert "not answered" in ran.stderr
    assert len(deployment_puts(lc, fresh_group)) == 1


def test_lint_errors_exit_2_before_arm_sees_the_template(
    workspace: Path, lc: LocalCloudHandle, fresh_group: str
) -> None:
    profile = {"name": "GPU", "workloadProfileType": T4, "minimumCount": 0, "maximumCount": 1}
    serverless_template(workspace, profile=profile, app_profile="gpu-missing")
    ran = run_cli(workspace, lc, "provision", *gpu_args(fresh_group))
    assert ran.code == 2, ran.output
    lines = ran.stderr.splitlines()
    assert (
        "infra/provision/gpu.json: $.resources[0].properties.workloadProfiles[1].minimumCount: "
        f"minimumCount is not supported on the serverless profile type {T4}"
    ) in ran.stderr
    assert any("workloadProfiles[1].maximumCount" in line for line in lines)
    assert any(
        "$.resources[1].properties.workloadProfileName: 'gpu-missing' is not a workload profile"
        in line
        for line in lines
    )
    group = f"/resourcegroups/{fresh_group.lower()}/"
    assert [e for e in requests_log(lc) if group in str(e["path"]).lower()] == []


def test_plan_shows_the_same_check_and_exits_1_when_short(
    workspace: Path, lc: LocalCloudHandle, fresh_group: str
) -> None:
    one_gpu_left(lc)
    ran = run_cli(
        workspace, lc, "plan", "-g", fresh_group, "-p", "maximumInstanceCount=2", "--json"
    )
    assert ran.code == 1, ran.output
    quota = ran.json()["quota"]
    assert quota["verdict"] == "short"
    short = [f for f in quota["findings"] if f["verdict"] == "short"]
    assert short[0]["quota"] == "SubscriptionNCA100Gpus" and short[0]["needed"] == "2 GPUs"
    skipped = run_cli(
        workspace,
        lc,
        "plan",
        "-g",
        fresh_group,
        "-p",
        "maximumInstanceCount=2",
        "--json",
        "--skip-quota-check",
    )
    assert skipped.code == 0, skipped.output
    assert "quota" not in skipped.json()


def replicas(lc: LocalCloudHandle, group: str, app: str) -> int:
    base = (
        f"/subscriptions/{lc.subscription_id}/resourceGroups/{group}/providers/Microsoft.App/"
        f"containerApps/{app}/revisions"
    )
    count = 0
    for revision in lc.request("GET", f"{base}?api-version=2024-03-01").json()["value"]:
        if revision["properties"].get("active"):
            path = f"{base}/{revision['name']}/replicas?api-version=2024-03-01"
            count += len(lc.request("GET", path).json()["value"])
    return count


def test_the_apps_own_replicas_do_not_count_against_a_re_provision(
    workspace: Path, lc: LocalCloudHandle, fresh_group: str
) -> None:
    serverless_template(workspace)
    args = (*gpu_args(fresh_group), "-p", "minReplicas=1")
    assert run_cli(workspace, lc, "provision", *args, "-p", "maxReplicas=1").code == 0
    deadline = time.monotonic() + 30
    while replicas(lc, fresh_group, "gpuapp") < 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    item = "ManagedEnvironmentConsumptionT4Gpus"  # the environment full: by this app's replica
    set_quota(lc, {"limits": {"gpuenv": {item: 1}}, "current": {"gpuenv": {item: 1}}})
    ran = run_cli(workspace, lc, "provision", *args, "-p", "maxReplicas=1", "--force")
    assert ran.code == 0, ran.output
    assert "1 GPU already in use by its apps" in ran.stderr
    more = run_cli(workspace, lc, "provision", *args, "-p", "maxReplicas=2")
    assert more.code == 1, more.output
    assert "needs 1 GPU, available 0 of 1 (ManagedEnvironmentConsumptionT4Gpus)" in more.stderr
    assert len(deployment_puts(lc, fresh_group)) == 2


def test_validate_reports_the_lint_errors_too(workspace: Path, lc: LocalCloudHandle) -> None:
    profile = {"name": "GPU", "workloadProfileType": T4, "maximumCount": 1}
    serverless_template(workspace, profile=profile)
    ran = run_cli(
        workspace,
        lc,
        "validate",
        "--template",
        "infra/provision/gpu.json",
        "--parameters",
        "infra/provision/gpu.parameters.json",
    )
    assert ran.code == 2, ran.output
    assert "$.resources[0].properties.workloadProfiles[1].maximumCount" in ran.stderr
