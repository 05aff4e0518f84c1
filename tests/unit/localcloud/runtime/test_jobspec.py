from __future__ import annotations

from localcloud.runtime.jobspec import (
    execution_template,
    job_environment,
    launch_document,
    shown_template,
)

TEMPLATE = {
    "containers": [
        {
            "name": "train",
            "image": "pytorch:2.4",
            "command": ["/bin/bash", "-c", "echo old"],
            "env": [{"name": "HF_TOKEN", "secretRef": "hf-token"}],
            "resources": {"cpu": 24, "memory": "220Gi"},
            "volumeMounts": [{"volumeName": "sharevolume", "mountPath": "/mount"}],
        }
    ],
    "volumes": [{"name": "sharevolume", "storageType": "AzureFile", "storageName": "st"}],
}


def test_no_body_runs_the_job_template_unchanged() -> None:
    assert execution_template(TEMPLATE, None) == TEMPLATE
    assert execution_template(TEMPLATE, {}) == TEMPLATE


def test_override_replaces_containers_and_clears_env_not_resent() -> None:
    body = {"containers": [{"name": "train", "image": "other", "command": ["echo", "new"]}]}
    merged = execution_template(TEMPLATE, body)
    (container,) = merged["containers"]
    assert container["image"] == "other"
    assert container["command"] == ["echo", "new"]
    assert "env" not in container
    assert "resources" not in container


def test_override_inherits_the_volumes_and_the_mounts_of_the_same_named_container() -> None:
    merged = execution_template(TEMPLATE, {"containers": [{"name": "train", "image": "x"}]})
    assert merged["volumes"] == TEMPLATE["volumes"]
    assert merged["containers"][0]["volumeMounts"] == [
        {"volumeName": "sharevolume", "mountPath": "/mount"}
    ]


def test_an_override_container_with_another_name_takes_the_first_containers_mounts() -> None:
    merged = execution_template(TEMPLATE, {"containers": [{"name": "other", "image": "x"}]})
    assert merged["containers"][0]["volumeMounts"][0]["mountPath"] == "/mount"


def test_override_drops_fields_a_job_execution_container_cannot_carry() -> None:
    body = {"containers": [{"name": "train", "image": "x", "probes": [{"type": "Liveness"}]}]}
    assert "probes" not in execution_template(TEMPLATE, body)["containers"][0]


def test_shown_template_has_only_job_execution_container_fields() -> None:
    shown = shown_template(TEMPLATE)
    assert shown == {
        "containers": [
            {
                "name": "train",
                "image": "pytorch:2.4",
                "command": ["/bin/bash", "-c", "echo old"],
                "env": [{"name": "HF_TOKEN", "secretRef": "hf-token"}],
                "resources": {"cpu": 24, "memory": "220Gi"},
            }
        ]
    }


def test_launch_document_carries_the_environment_and_secret_values() -> None:
    job = {"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.App/jobs/j", "name": "j"}
    job["properties"] = {"environmentId": "/env"}  # type: ignore[assignment]
    doc = launch_document(job, TEMPLATE, [{"name": "hf-token", "value": "v"}])
    assert doc["properties"]["environmentId"] == "/env"
    assert doc["properties"]["configuration"]["secrets"] == [{"name": "hf-token", "value": "v"}]


def test_job_environment_swaps_app_variables_for_job_ones() -> None:
    env = {"PORT": "1", "CONTAINER_APP_NAME": "a", "KEEP": "k"}
    out = job_environment(env, "job", "job-abc1234", "job-abc1234-xyz12")
    assert "PORT" not in out and "CONTAINER_APP_NAME" not in out
    assert out["KEEP"] == "k"
    assert out["CONTAINER_APP_JOB_EXECUTION_NAME"] == "job-abc1234"
    assert out["CONTAINER_APP_REPLICA_NAME"] == out["HOSTNAME"] == "job-abc1234-xyz12"
