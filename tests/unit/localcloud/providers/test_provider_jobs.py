"""The job provider and the execution routes, with a hand-written executions service."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from localcloud.arm.errors import ArmError
from localcloud.cloud import LocalCloud
from localcloud.ids import ResourceId
from localcloud.providers.base import RESOURCE
from localcloud.providers.containerapps import jobroutes
from localcloud.providers.containerapps.jobs import JobProvider
from localcloud.runtime.jobdocs import execution_doc
from localcloud.runtime.logs import utc_now

JOB = "Microsoft.App/jobs/aiacajob1"


class FakeExecutions:
    """Records what the provider and routes ask; executions are stored like the real ones."""

    def __init__(self, cloud: LocalCloud) -> None:
        self.cloud = cloud
        self.started: list[tuple[dict[str, Any], list[dict[str, Any]], Any]] = []
        self.stopped: list[str] = []
        self.forgotten: list[str] = []

    def start(
        self, job: Mapping[str, Any], secrets: Sequence[Mapping[str, Any]], body: Any
    ) -> dict[str, Any]:
        self.started.append((dict(job), [dict(s) for s in secrets], body))
        rid = ResourceId.parse(str(job["id"])).child(
            "executions", f"aiacajob1-{len(self.started):07d}"
        )
        doc = execution_doc(rid, "Running", utc_now(), None, {})
        self.cloud.store.put(RESOURCE, rid.key, doc)
        return doc

    def stop(self, execution: ResourceId) -> dict[str, Any]:
        self.stopped.append(execution.name)
        return self.document(execution)

    def stop_all(self, job: ResourceId) -> list[dict[str, Any]]:
        return [self.stop(ResourceId.parse(str(d["id"]))) for d in self.documents(job)]

    def forget_job(self, job: ResourceId) -> None:
        self.forgotten.append(job.name)

    def documents(self, job: ResourceId) -> list[dict[str, Any]]:
        return self.cloud.store.list(RESOURCE, job.key + "/executions/")

    def document(self, execution: ResourceId) -> dict[str, Any]:
        doc = self.cloud.store.get(RESOURCE, execution.key)
        if doc is None:
            raise ArmError(404, "ContainerAppJobExecutionNotFound", execution.name)
        return doc

    def replicas(self, execution: ResourceId) -> list[dict[str, Any]]:
        return []


@pytest.fixture
def executions(cloud: LocalCloud) -> FakeExecutions:
    fake = FakeExecutions(cloud)
    cloud.providers.register(JobProvider(cloud, fake))
    jobroutes.install(cloud, fake)
    return fake


def job_body(env_id: str, trigger: str = "Manual", secret: str = "token") -> dict[str, Any]:
    return {
        "location": "eastus",
        "properties": {
            "environmentId": env_id,
            "workloadProfileName": "GPU",
            "configuration": {
                "triggerType": trigger,
                "replicaTimeout": 10800,
                "replicaRetryLimit": 0,
                "secrets": [{"name": secret, "value": "t0k"}],
            },
            "template": {"containers": [{"name": "job", "image": "busybox"}]},
        },
    }


def test_job_is_stored_with_computed_fields_and_redacted_secrets(arm: Any) -> None:
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


def test_job_needs_a_known_trigger_type(arm: Any) -> None:
    codes = [d.code for d in arm.validate(JOB, job_body(arm.id(arm.ENV), trigger="Cron"))]
    assert codes == ["ContainerAppJobInvalidTriggerType"]


@pytest.mark.parametrize("name", ["HF_TOKEN", "hf_token", "-token", "token-", "hf.token"])
def test_secret_names_follow_azures_rule(arm: Any, name: str) -> None:
    problems = arm.validate(JOB, job_body(arm.id(arm.ENV), secret=name))
    assert [p.code for p in problems] == ["ContainerAppInvalidSecretName"]
    assert f"'{name}'" in problems[0].message
    assert "lower case alphanumeric characters, '-'" in problems[0].message


def test_a_valid_secret_name_passes(arm: Any) -> None:
    assert arm.validate(JOB, job_body(arm.id(arm.ENV), secret="hf-token")) == []


def test_job_needs_its_environment(arm: Any) -> None:
    with pytest.raises(ArmError) as err:
        arm.put(JOB, job_body(arm.id(arm.ENV)))
    assert err.value.code == "ManagedEnvironmentNotFound"


def test_start_without_an_executions_service_is_unavailable(arm: Any) -> None:
    arm.environment()
    arm.put(JOB, job_body(arm.id(arm.ENV)))
    with pytest.raises(ArmError) as err:
        arm.action(JOB, "start")
    assert err.value.status == 503


def test_start_hands_the_job_its_secret_values_and_the_body(
    arm: Any, executions: FakeExecutions
) -> None:
    arm.environment()
    arm.put(JOB, job_body(arm.id(arm.ENV)))
    override = {"containers": [{"name": "job", "image": "other"}]}
    started = arm.action(JOB, "start", override)
    job, secrets, body = executions.started[0]
    assert set(started) == {"name", "id"} and started["name"].startswith("aiacajob1-")
    assert job["id"] == arm.id(JOB)
    assert secrets == [{"name": "token", "value": "t0k"}]
    assert body == override


def test_start_route_answers_202_with_the_execution_as_location(
    arm: Any, call: Any, executions: FakeExecutions
) -> None:
    arm.environment()
    arm.put(JOB, job_body(arm.id(arm.ENV)))
    status, started = call("POST", arm.id(JOB) + "/start")
    assert status == 202
    assert executions.started[0][2] is None
    _, listing = call("GET", arm.id(JOB) + "/executions")
    assert [e["name"] for e in listing["value"]] == [started["name"]]
    _, one = call("GET", started["id"])
    assert one["properties"]["status"] == "Running"


def test_both_stop_paths_and_stop_all_reach_the_service(
    arm: Any, call: Any, executions: FakeExecutions
) -> None:
    arm.environment()
    arm.put(JOB, job_body(arm.id(arm.ENV)))
    name = arm.action(JOB, "start")["name"]
    assert call("POST", f"{arm.id(JOB)}/executions/{name}/stop")[0] == 200
    status, legacy = call("POST", f"{arm.id(JOB)}/stop/{name}")
    assert (status, legacy["name"]) == (200, name)
    status, stopped = call("POST", f"{arm.id(JOB)}/stop")
    assert status == 200 and [e["name"] for e in stopped["value"]] == [name]
    assert executions.stopped == [name, name, name]


def test_an_unknown_execution_is_404(arm: Any, call: Any, executions: FakeExecutions) -> None:
    arm.environment()
    arm.put(JOB, job_body(arm.id(arm.ENV)))
    with pytest.raises(ArmError) as err:
        call("GET", arm.id(JOB) + "/executions/nope")
    assert (err.value.status, err.value.code) == (404, "ContainerAppJobExecutionNotFound")


def test_get_auth_token_is_a_log_stream_token_for_the_job(arm: Any, cloud: LocalCloud) -> None:
    arm.environment()
    arm.put(JOB, job_body(arm.id(arm.ENV)))
    token = arm.action(JOB, "getAuthToken")
    assert token["type"] == "Microsoft.App/jobs/accesstoken"
    assert token["properties"]["token"].startswith("token-")
    assert cloud.tokens.issued[-1][:2] == (arm.id(JOB), "containerapps-logstream")  # type: ignore[attr-defined]


def test_job_delete_forgets_runs_and_removes_executions(
    arm: Any, executions: FakeExecutions
) -> None:
    arm.environment()
    arm.put(JOB, job_body(arm.id(arm.ENV)))
    name = arm.action(JOB, "start")["name"]
    assert arm.delete(JOB)
    assert executions.forgotten == ["aiacajob1"]
    assert arm.get(JOB + "/executions/" + name) is None


def test_suspend_and_resume_set_the_running_state_which_an_update_keeps(arm: Any) -> None:
    arm.environment()
    arm.put(JOB, job_body(arm.id(arm.ENV)))
    assert arm.action(JOB, "suspend")["properties"]["runningState"] == "Suspended"
    assert arm.get(JOB)["properties"]["runningState"] == "Suspended"
    assert arm.put(JOB, job_body(arm.id(arm.ENV)))["properties"]["runningState"] == "Suspended"
    assert arm.action(JOB, "resume")["properties"]["runningState"] == "Ready"
    assert arm.get(JOB)["properties"]["runningState"] == "Ready"
