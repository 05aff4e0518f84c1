"""Template lint before ARM (orchestrator/provision/lint.py)."""

from __future__ import annotations

from typing import Any

from orchestrator.provision.lint import template_problems

ENV_ID = "[resourceId('Microsoft.App/managedEnvironments', 'env1')]"


def template(profile: dict[str, Any], workload_profile: str) -> dict[str, Any]:
    return {
        "resources": {
            "env": {
                "type": "Microsoft.App/managedEnvironments",
                "name": "env1",
                "properties": {
                    "workloadProfiles": [
                        {"name": "Consumption", "workloadProfileType": "Consumption"},
                        profile,
                    ]
                },
            },
            "job": {
                "type": "Microsoft.App/jobs",
                "name": "job1",
                "properties": {
                    "environmentId": ENV_ID,
                    "workloadProfileName": workload_profile,
                },
            },
        }
    }


def test_counts_on_a_serverless_gpu_profile_are_errors_with_their_json_path() -> None:
    profile = {
        "name": "GPU",
        "workloadProfileType": "Consumption-GPU-NC24-A100",
        "minimumCount": 0,
        "maximumCount": 1,
    }
    problems = template_problems(template(profile, "GPU"), {}, "ft.json")
    assert [str(p).split(": ")[1] for p in problems] == [
        "$.resources.env.properties.workloadProfiles[1].minimumCount",
        "$.resources.env.properties.workloadProfiles[1].maximumCount",
    ]
    assert "WorkloadProfilePropertyNotSupported" in problems[0].message


def test_counts_on_a_dedicated_profile_are_fine() -> None:
    profile = {"name": "GPU", "workloadProfileType": "NC24-A100", "minimumCount": 0}
    assert template_problems(template(profile, "GPU"), {}, "ft.json") == []


def test_a_workload_profile_name_not_in_the_environment_is_an_error() -> None:
    profile = {"name": "[parameters('gpu')]", "workloadProfileType": "NC24-A100"}
    problems = template_problems(template(profile, "GPU-old"), {"gpu": "GPU"}, "ft.json")
    assert len(problems) == 1
    assert problems[0].file == "ft.json"
    assert problems[0].path == "$.resources.job.properties.workloadProfileName"
    assert "'GPU-old' is not a workload profile of env1 (it has: Consumption, GPU" in (
        problems[0].message
    )


def test_names_that_cannot_be_read_offline_are_not_judged() -> None:
    profile = {"name": "[uniqueString('g')]", "workloadProfileType": "NC24-A100"}
    assert template_problems(template(profile, "GPU"), {}, "ft.json") == []
