"""What a compiled template needs of GPU quota (orchestrator/provision/gpuneeds.py)."""

from __future__ import annotations

from typing import Any

from orchestrator.provision.armexpr import UNRESOLVED
from orchestrator.provision.gpuneeds import Values, environment_needs

ENV_ID = "[resourceId('Microsoft.App/managedEnvironments', parameters('envName'))]"


def template(
    profiles: list[dict[str, Any]], workloads: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "parameters": {
            "envName": {"type": "string", "defaultValue": "env1"},
            "location": {"type": "string", "defaultValue": "[resourceGroup().location]"},
            "maximumInstanceCount": {"type": "int"},
        },
        "variables": {"gpuName": "GPU"},
        "resources": [
            {
                "type": "Microsoft.App/managedEnvironments",
                "name": "[parameters('envName')]",
                "location": "[parameters('location')]",
                "properties": {"workloadProfiles": profiles},
            },
            *(workloads or []),
        ],
    }


def app(profile: str, scale: dict[str, Any] | None = None, name: str = "app1") -> dict[str, Any]:
    body: dict[str, Any] = {"containers": []}
    if scale is not None:
        body["scale"] = scale
    return {
        "type": "Microsoft.App/containerApps",
        "name": name,
        "properties": {"environmentId": ENV_ID, "workloadProfileName": profile, "template": body},
    }


def job(profile: str, parallelism: int | None) -> dict[str, Any]:
    trigger = {} if parallelism is None else {"parallelism": parallelism}
    return {
        "type": "Microsoft.App/jobs",
        "name": "job1",
        "properties": {
            "environmentId": ENV_ID,
            "workloadProfileName": profile,
            "configuration": {"triggerType": "Manual", "manualTriggerConfig": trigger},
        },
    }


def test_dedicated_profile_needs_maximum_count_times_gpus_per_node() -> None:
    profiles: list[dict[str, Any]] = [
        {"name": "Consumption", "workloadProfileType": "Consumption"},
        {
            "name": "[variables('gpuName')]",
            "workloadProfileType": "NC48-A100",
            "minimumCount": 0,
            "maximumCount": "[parameters('maximumInstanceCount')]",
        },
    ]
    values = Values({"maximumInstanceCount": 3}, group_location="westus3")
    (need,) = environment_needs(template(profiles, [app("GPU")]), values)
    assert (need.name, need.location) == ("env1", "westus3")
    (profile,) = need.profiles
    assert (profile.name, profile.type, profile.gpus) == ("GPU", "NC48-A100", 6)
    assert profile.because == "maximumCount 3"


def test_serverless_app_needs_one_gpu_per_replica_and_azures_default_of_10() -> None:
    profiles = [{"name": "T4", "workloadProfileType": "Consumption-GPU-NC8as-T4"}]
    scaled = template(profiles, [app("T4", {"maxReplicas": 2})])
    assert environment_needs(scaled, Values({}))[0].profiles[0].gpus == 2
    unscaled = template(profiles, [app("T4")])
    assert environment_needs(unscaled, Values({}))[0].profiles[0].gpus == 10


def test_serverless_job_needs_its_parallelism_default_1() -> None:
    profiles = [{"name": "A100", "workloadProfileType": "consumption-gpu-nc24-a100"}]
    (profile,) = environment_needs(template(profiles, [job("A100", 3)]), Values({}))[0].profiles
    assert (profile.gpus, profile.because) == (3, "job job1: parallelism 3")
    (profile,) = environment_needs(template(profiles, [job("A100", None)]), Values({}))[0].profiles
    assert profile.gpus == 1


def test_apps_on_other_profiles_do_not_count() -> None:
    profiles = [
        {"name": "Consumption", "workloadProfileType": "Consumption"},
        {"name": "T4", "workloadProfileType": "Consumption-GPU-NC8as-T4"},
    ]
    workloads = [app("Consumption", {"maxReplicas": 5}), app("T4", {"maxReplicas": 1}, "a2")]
    (profile,) = environment_needs(template(profiles, workloads), Values({}))[0].profiles
    assert profile.gpus == 1


def test_a_template_without_gpu_profiles_needs_nothing() -> None:
    profiles = [{"name": "Consumption", "workloadProfileType": "Consumption"}]
    assert environment_needs(template(profiles, [app("Consumption")]), Values({})) == []


def test_expressions_beyond_plain_references_are_unresolved() -> None:
    values = Values({}, group_location="eastus")
    doc: dict[str, Any] = {"parameters": {"n": {"defaultValue": "[uniqueString('x')]"}}}
    assert values.resolve(doc, "[parameters('n')]") is UNRESOLVED
    assert values.resolve(doc, "[resourceGroup().location]") == "eastus"
    assert values.resolve(doc, "[[literal]") == "[literal]"
    profiles = [{"name": "GPU", "workloadProfileType": "NC24-A100", "maximumCount": "[add(1, 1)]"}]
    (need,) = environment_needs(template(profiles), Values({}))
    assert need.profiles[0].gpus is None and need.location == ""
