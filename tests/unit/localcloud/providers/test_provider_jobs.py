from __future__ import annotations

import pytest

from localcloud.arm.errors import ArmError

JOB = "Microsoft.App/jobs/aiacajob1"


def job_body(env_id: str, trigger: str = "Manual") -> dict:
    return {
        "location": "eastus",
        "properties": {
            "environmentId": env_id,
            "workloadProfileName": "GPU",
            "configuration": {
                "triggerType": trigger,
                "replicaTimeout": 10800,
                "replicaRetryLimit": 0,
                "secrets": [{"name": "token", "value": "t0k"}],
            },
            "template": {"containers": [{"name": "job", "image": "busybox"}]},
        },
    }


def test_job_is_stored_with_computed_fields_and_redacted_secrets(arm) -> None:
    arm.environment()
    doc = arm.put(JOB, job_body(arm.id(arm.ENV)))
    props = doc["properties"]
    assert props["provisioningState"] == "Succeeded"
    assert props["environmentId"] == arm.id(arm.ENV)
    assert props["eventStreamEndpoint"].endswith("/jobs/aiacajob1/eventstream")
    assert props["configuration"]["manualTriggerConfig"] == {
        "parallelism": 1,
        "replicaCompletionCount": 1,
    }
    assert props["configuration"]["secrets"] == [{"name": "token"}]
    assert arm.action(JOB, "listSecrets")["value"][0]["value"] == "t0k"


def test_job_needs_a_known_trigger_type(arm) -> None:
    codes = [d.code for d in arm.validate(JOB, job_body(arm.id(arm.ENV), trigger="Cron"))]
    assert codes == ["ContainerAppJobInvalidTriggerType"]


def test_job_needs_its_environment(arm) -> None:
    with pytest.raises(ArmError) as err:
        arm.put(JOB, job_body(arm.id(arm.ENV)))
    assert err.value.code == "ManagedEnvironmentNotFound"


def test_start_records_a_succeeded_execution(arm) -> None:
    arm.environment()
    arm.put(JOB, job_body(arm.id(arm.ENV)))
    started = arm.action(JOB, "start")
    assert started["name"].startswith("aiacajob1-")
    assert started["id"] == arm.id(JOB) + "/executions/" + started["name"]
    execution = arm.get(JOB + "/executions/" + started["name"])
    assert execution["properties"]["status"] == "Succeeded"


def test_start_route_answers_202_and_executions_are_listed(arm, call) -> None:
    arm.environment()
    arm.put(JOB, job_body(arm.id(arm.ENV)))
    status, started = call("POST", arm.id(JOB) + "/start")
    assert status == 202
    _, listing = call("GET", arm.id(JOB) + "/executions")
    assert [e["name"] for e in listing["value"]] == [started["name"]]


def test_start_route_passes_a_template_override(arm, call) -> None:
    arm.environment()
    arm.put(JOB, job_body(arm.id(arm.ENV)))
    template = {"containers": [{"name": "job", "image": "other"}]}
    _, started = call("POST", arm.id(JOB) + "/start", template)
    execution = arm.get(JOB + "/executions/" + started["name"])
    assert execution["properties"]["template"] == template


def test_job_delete_removes_executions(arm) -> None:
    arm.environment()
    arm.put(JOB, job_body(arm.id(arm.ENV)))
    name = arm.action(JOB, "start")["name"]
    assert arm.delete(JOB)
    assert arm.get(JOB + "/executions/" + name) is None


def test_suspend_and_resume_set_the_running_state_which_an_update_keeps(arm) -> None:
    arm.environment()
    arm.put(JOB, job_body(arm.id(arm.ENV)))
    assert arm.action(JOB, "suspend")["properties"]["runningState"] == "Suspended"
    assert arm.get(JOB)["properties"]["runningState"] == "Suspended"
    assert arm.put(JOB, job_body(arm.id(arm.ENV)))["properties"]["runningState"] == "Suspended"
    assert arm.action(JOB, "resume")["properties"]["runningState"] == "Ready"
    assert arm.get(JOB)["properties"]["runningState"] == "Ready"
