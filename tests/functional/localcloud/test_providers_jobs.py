"""Container Apps jobs through the official SDK: a template deploys a Log Analytics
workspace, an environment and a manual job; ContainerAppsAPIClient reads the job's computed
properties, starts it (the execution runs `echo done` and succeeds), lists and reads its
executions, and deletes it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.appcontainers import ContainerAppsAPIClient
from azure.mgmt.resource.resources import ResourceManagementClient
from deployments_helpers import body, deployments_client, template
from jobs_helpers import wait_for
from localcloud_fixture import LocalCloudHandle, sdk_kwargs, unique_name

pytestmark = pytest.mark.functional

API = "2023-11-02-preview"
WORKSPACE = "Microsoft.OperationalInsights/workspaces"


def job_stack_template() -> dict[str, Any]:
    workspace_id = f"resourceId('{WORKSPACE}', 'logs')"
    workspace = {
        "type": WORKSPACE,
        "apiVersion": "2022-10-01",
        "name": "logs",
        "location": "eastus",
        "properties": {"sku": {"name": "PerGB2018"}},
    }
    environment = {
        "type": "Microsoft.App/managedEnvironments",
        "apiVersion": API,
        "name": "jobenv",
        "location": "eastus",
        "properties": {
            "appLogsConfiguration": {
                "destination": "log-analytics",
                "logAnalyticsConfiguration": {
                    "customerId": f"[reference({workspace_id}, '2022-10-01').customerId]",
                    "sharedKey": f"[listKeys({workspace_id}, '2022-10-01').primarySharedKey]",
                },
            },
            "workloadProfiles": [{"name": "Consumption", "workloadProfileType": "Consumption"}],
        },
    }
    job = {
        "type": "Microsoft.App/jobs",
        "apiVersion": API,
        "name": "nightly",
        "location": "eastus",
        "dependsOn": ["[resourceId('Microsoft.App/managedEnvironments', 'jobenv')]"],
        "properties": {
            "environmentId": "[resourceId('Microsoft.App/managedEnvironments', 'jobenv')]",
            "workloadProfileName": "Consumption",
            "configuration": {
                "triggerType": "Manual",
                "replicaTimeout": 1800,
                "secrets": [{"name": "token", "value": "t0k3n"}],
            },
            "template": {
                "containers": [
                    {
                        "name": "batch",
                        "image": "busybox",
                        "command": ["/bin/sh", "-c", "echo done"],
                        "env": [{"name": "TOKEN", "secretRef": "token"}],
                    }
                ]
            },
        },
    }
    return template(
        workspace,
        environment,
        job,
        outputs={
            "JOB_ENV": {
                "type": "string",
                "value": "[reference(resourceId('Microsoft.App/jobs', 'nightly'), "
                f"'{API}').environmentId]",
            }
        },
    )


@dataclass(frozen=True)
class JobStack:
    group: str
    apps: ContainerAppsAPIClient
    outputs: dict[str, Any]


@pytest.fixture(scope="module")
def job_stack(localcloud: LocalCloudHandle) -> Iterator[JobStack]:
    resources = ResourceManagementClient(
        localcloud.credential(), localcloud.subscription_id, **sdk_kwargs(localcloud)
    )
    group = unique_name("jobs")
    resources.resource_groups.create_or_update(group, {"location": "eastus"})
    deployed = (
        deployments_client(localcloud)
        .deployments.begin_create_or_update(group, "jobs", body(job_stack_template()))
        .result()
    )
    assert deployed.properties.provisioning_state == "Succeeded"
    apps = ContainerAppsAPIClient(
        localcloud.credential(), localcloud.subscription_id, **sdk_kwargs(localcloud)
    )
    try:
        yield JobStack(group, apps, dict(deployed.properties.outputs))
    finally:
        if localcloud.running:
            resources.resource_groups.begin_delete(group, polling=False)


def test_deployed_job_has_the_properties_azure_computes(
    localcloud: LocalCloudHandle, job_stack: JobStack
) -> None:
    job = job_stack.apps.jobs.get(job_stack.group, "nightly")
    env_id = (
        f"/subscriptions/{localcloud.subscription_id}/resourceGroups/{job_stack.group}"
        "/providers/Microsoft.App/managedEnvironments/jobenv"
    )
    assert job.id.endswith(
        f"/resourceGroups/{job_stack.group}/providers/Microsoft.App/jobs/nightly"
    )
    assert (job.name, job.type, job.location) == ("nightly", "Microsoft.App/jobs", "East US")
    assert job.provisioning_state == "Succeeded"
    assert job.running_state == "Ready"
    assert job.environment_id.lower() == env_id.lower()
    assert job.event_stream_endpoint.endswith(f"/{job_stack.group}/jobs/nightly/eventstream")
    assert job.outbound_ip_addresses
    assert job.configuration.manual_trigger_config.parallelism == 1
    assert job.configuration.replica_retry_limit == 0
    assert [s.name for s in job.configuration.secrets] == ["token"]
    assert job.configuration.secrets[0].value is None
    assert job_stack.outputs["joB_ENV"]["value"].lower() == env_id.lower()

    env = job_stack.apps.managed_environments.get(job_stack.group, "jobenv")
    assert env.default_domain
    assert env.provisioning_state == "Succeeded"


def test_job_is_listed_and_its_secrets_are_readable(job_stack: JobStack) -> None:
    listed = list(job_stack.apps.jobs.list_by_resource_group(job_stack.group))
    assert "nightly" in {j.name for j in listed}
    secrets = job_stack.apps.jobs.list_secrets(job_stack.group, "nightly")
    assert [(s.name, s.value) for s in secrets.value] == [("token", "t0k3n")]


def test_start_runs_an_execution_that_is_listed_and_succeeds(job_stack: JobStack) -> None:
    started = job_stack.apps.jobs.begin_start(
        job_stack.group, "nightly", polling_interval=0.05
    ).result()
    assert started.name.startswith("nightly-")
    executions = list(job_stack.apps.jobs_executions.list(job_stack.group, "nightly"))
    assert started.name in {e.name for e in executions}
    one = wait_for(
        lambda: (
            found
            if (
                found := job_stack.apps.job_execution(job_stack.group, "nightly", started.name)
            ).status
            in ("Succeeded", "Failed")
            else None
        )
    )
    assert one.status == "Succeeded"
    assert one.start_time is not None and one.end_time is not None
    assert one.template.containers[0].name == "batch"


def test_job_created_by_the_sdk_suspends_resumes_and_is_deleted_with_its_executions(
    job_stack: JobStack,
) -> None:
    apps = job_stack.apps
    nightly = apps.jobs.get(job_stack.group, "nightly")
    doomed = {
        "location": "eastus",
        "properties": {
            "environmentId": nightly.environment_id,
            "configuration": {"triggerType": "Manual", "replicaTimeout": 60},
            "template": {"containers": [{"name": "once", "image": "busybox"}]},
        },
    }
    created = apps.jobs.begin_create_or_update(
        job_stack.group, "doomed", doomed, polling_interval=0.05
    ).result()
    assert created.provisioning_state == "Succeeded"
    suspended = apps.jobs.begin_suspend(job_stack.group, "doomed", polling_interval=0.05).result()
    assert suspended.running_state == "Suspended"
    resumed = apps.jobs.begin_resume(job_stack.group, "doomed", polling_interval=0.05).result()
    assert resumed.running_state == "Ready"
    started = apps.jobs.begin_start(job_stack.group, "doomed", polling_interval=0.05).result()
    apps.jobs.begin_delete(job_stack.group, "doomed", polling_interval=0.05).result()
    with pytest.raises(ResourceNotFoundError):
        apps.jobs.get(job_stack.group, "doomed")
    with pytest.raises(ResourceNotFoundError):
        apps.job_execution(job_stack.group, "doomed", started.name)
