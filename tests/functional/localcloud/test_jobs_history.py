"""Job executions across a localcloud restart, secrets added by PATCH, Azure's secret-name
rule, and the early BackoffLimitExceeded knob - through the official SDK."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.resource.resources import ResourceManagementClient
from jobs_helpers import build_stack, job_body, wait_for
from localcloud_fixture import LocalCloudHandle, sdk_kwargs

pytestmark = [pytest.mark.functional, pytest.mark.slow]


def new_group(lc: LocalCloudHandle, name: str) -> str:
    resources = ResourceManagementClient(lc.credential(), lc.subscription_id, **sdk_kwargs(lc))
    resources.resource_groups.create_or_update(name, {"location": "eastus"})
    return name


def test_executions_survive_a_restart_and_one_in_flight_is_recorded_failed(
    private_localcloud: LocalCloudHandle,
) -> None:
    lc = private_localcloud
    stack = build_stack(lc, new_group(lc, "history"))
    stack.create_job("quick", "echo done")
    stack.create_job("long", "sleep 60")
    quick = stack.start("quick")
    assert stack.finished("quick", quick).status == "Succeeded"
    long = stack.start("long")
    wait_for(lambda: stack.execution("long", long).status == "Running")
    restarted = lc.restart()
    try:
        after = stack.on(restarted)
        assert after.execution("quick", quick).status == "Succeeded"
        lost = after.execution("long", long)
        assert lost.status == "Failed" and lost.end_time is not None
        rows = after.query(
            f"ContainerAppSystemLogs_CL | where ExecutionName_s == '{long}' "
            "and Reason_s == 'PodDeletion' | count"
        ).json()["tables"][0]["rows"]
        assert rows == [[1]]
    finally:
        restarted.stop()


def test_a_secret_added_by_patch_reaches_the_next_execution(
    localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    stack = build_stack(localcloud, fresh_group)
    stack.create_job(
        "patched", 'printf "%s" "$HF_TOKEN" > /mount/hf-$CONTAINER_APP_JOB_EXECUTION_NAME'
    )
    job = stack.aca.jobs.get(fresh_group, "patched")
    secrets = [{"name": s.name} for s in job.configuration.secrets] + [
        {"name": "hf-token", "value": "hf_abc"}
    ]
    container = job.template.containers[0].as_dict()
    container["env"] = [*container["env"], {"name": "HF_TOKEN", "secretRef": "hf-token"}]
    stack.aca.jobs.begin_update(
        fresh_group,
        "patched",
        {
            "properties": {
                "configuration": {"secrets": secrets},
                "template": {"containers": [container]},
            }
        },
        polling_interval=0.05,
    ).result()
    name = stack.start("patched")
    assert stack.finished("patched", name).status == "Succeeded"
    assert stack.read(f"hf-{name}") == "hf_abc"
    listed = stack.aca.jobs.list_secrets(fresh_group, "patched").value
    assert {s.name: s.value for s in listed} == {"api-key": "s3cret-value", "hf-token": "hf_abc"}


def test_an_upper_case_secret_name_is_refused_with_azures_code(
    localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    stack = build_stack(localcloud, fresh_group)
    body = job_body(stack.env_id, "badsecret", "true")
    body["properties"]["configuration"]["secrets"].append({"name": "HF_TOKEN", "value": "x"})
    with pytest.raises(HttpResponseError) as err:
        stack.aca.jobs.begin_create_or_update(fresh_group, "badsecret", body).result()
    assert err.value.error is not None
    assert err.value.error.code == "ContainerAppInvalidSecretName"


def test_the_early_failure_knob_fails_the_next_execution_with_backoff_limit_exceeded(
    localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    stack = build_stack(localcloud, fresh_group)
    stack.create_job("gpu", "echo never")
    localcloud.admin("POST", "executions", json={"early_failures": 1}).raise_for_status()
    try:
        failed = stack.start("gpu")
    finally:
        localcloud.admin("POST", "executions", json={"early_failures": 0})
    assert stack.finished("gpu", failed, timeout=10).status == "Failed"
    reasons = stack.query(
        f"ContainerAppSystemLogs_CL | where ExecutionName_s == '{failed}' | project Reason_s"
    ).json()["tables"][0]["rows"]
    assert ["BackoffLimitExceeded"] in reasons
    assert stack.finished("gpu", stack.start("gpu")).status == "Succeeded"
