"""Container Apps quota through the official SDK against `localcloud serve`: usages, the
region's workload profile types, GPU usage of a running job, and deployments refused with
Azure's codes when a limit or the region says no."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.appcontainers import ContainerAppsAPIClient
from deployments_helpers import body, deployments_client, template
from jobs_helpers import API, wait_for
from localcloud_fixture import LocalCloudHandle, sdk_kwargs

pytestmark = [pytest.mark.functional, pytest.mark.slow]

ENV_TYPE = "Microsoft.App/managedEnvironments"


@pytest.fixture
def aca(localcloud: LocalCloudHandle) -> Iterator[ContainerAppsAPIClient]:
    yield ContainerAppsAPIClient(
        localcloud.credential(),
        localcloud.subscription_id,
        api_version=API,
        **sdk_kwargs(localcloud),
    )
    localcloud.admin("POST", "reset")


def environment(name: str, location: str, *profiles: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": ENV_TYPE,
        "apiVersion": "2024-03-01",
        "name": name,
        "location": location,
        "properties": {"workloadProfiles": list(profiles)},
    }


DEDICATED = {
    "name": "GPU",
    "workloadProfileType": "NC24-A100",
    "minimumCount": 0,
    "maximumCount": 2,
}
SERVERLESS = {"name": "GPU", "workloadProfileType": "Consumption-GPU-NC24-A100"}


def failed_codes(lc: LocalCloudHandle, group: str, tmpl: dict[str, Any]) -> list[str]:
    client = deployments_client(lc)
    with pytest.raises(HttpResponseError) as err:
        client.deployments.begin_create_or_update(group, "gpu", body(tmpl)).result()
    error = err.value.error
    assert error is not None
    return all_codes(error)


def all_codes(error: Any) -> list[str]:
    """Code and message of an ARM error and of every detail below it (a resource that fails
    during a deployment carries the provider's error as JSON text in its message, as in
    Azure)."""
    own = [error.code, error.message or ""]
    return [*own, *[c for d in error.details or [] for c in all_codes(d)]]


def mentions(codes: list[str], code: str) -> bool:
    return any(code in text for text in codes)


def test_usages_and_profile_types_read_through_the_sdk(aca: ContainerAppsAPIClient) -> None:
    regional = {u.name.value: u for u in aca.usages.list("westus3")}
    assert regional["ManagedEnvironmentCount"].limit == 100
    assert regional["SubscriptionNCA100Gpus"].unit == "Count"
    types = {t.name for t in aca.available_workload_profiles.get("westeurope")}
    assert "Consumption-GPU-NC8as-T4" in types and "Consumption-GPU-NC24-A100" not in types


def test_too_little_dedicated_gpu_quota_fails_the_deployment_with_azures_code(
    localcloud: LocalCloudHandle, aca: ContainerAppsAPIClient, fresh_group: str
) -> None:
    localcloud.admin("POST", "quota", json={"limits": {"westus3": {"SubscriptionNCA100Gpus": 1}}})
    codes = failed_codes(
        localcloud, fresh_group, template(environment("gpuenv", "westus3", DEDICATED))
    )
    assert "MaxRegionalQuotaExceeded" in codes
    with pytest.raises(HttpResponseError):
        aca.managed_environments.get(fresh_group, "gpuenv")


def test_min_max_on_a_serverless_gpu_profile_and_a_region_without_it_fail(
    localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    counted = {**SERVERLESS, "minimumCount": 0, "maximumCount": 1}
    codes = failed_codes(localcloud, fresh_group, template(environment("e1", "eastus", counted)))
    assert mentions(codes, "WorkloadProfilePropertyNotSupported")
    codes = failed_codes(
        localcloud, fresh_group, template(environment("e2", "uksouth", SERVERLESS))
    )
    assert mentions(codes, "WorkloadProfileInvalidType")


def test_the_environment_count_limit_refuses_a_new_environment(
    localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    localcloud.admin(
        "POST", "quota", json={"limits": {"brazilsouth": {"ManagedEnvironmentCount": 0}}}
    )
    codes = failed_codes(localcloud, fresh_group, template(environment("e3", "brazilsouth")))
    assert "MaxNumberOfRegionalEnvironmentsInSubExceeded" in codes


def test_a_running_job_on_a_serverless_gpu_profile_counts_and_a_full_environment_queues(
    localcloud: LocalCloudHandle, aca: ContainerAppsAPIClient, fresh_group: str
) -> None:
    env = aca.managed_environments.begin_create_or_update(
        fresh_group,
        "gpuenv",
        {"location": "eastus", "properties": {"workloadProfiles": [SERVERLESS]}},
        polling_interval=0.05,
    ).result()
    job = {
        "location": "eastus",
        "properties": {
            "environmentId": env.id,
            "workloadProfileName": "GPU",
            "configuration": {"triggerType": "Manual", "replicaTimeout": 60},
            "template": {"containers": [{"name": "gpu", "image": "x", "command": ["sleep", "30"]}]},
        },
    }
    aca.jobs.begin_create_or_update(fresh_group, "gpujob", job, polling_interval=0.05).result()

    def a100_in_use() -> float:
        items = aca.managed_environment_usages.list(fresh_group, "gpuenv")
        found = {u.name.value: u.current_value for u in items}
        return float(found["ManagedEnvironmentConsumptionNCA100Gpus"])

    def status(execution: str) -> str:
        found: str = aca.job_execution(fresh_group, "gpujob", execution).status
        return found

    assert a100_in_use() == 0
    name = aca.jobs.begin_start(fresh_group, "gpujob", polling_interval=0.05).result().name
    wait_for(lambda: a100_in_use() == 1)
    quota = {"limits": {env.id: {"ManagedEnvironmentConsumptionNCA100Gpus": 1}}}
    localcloud.admin("POST", "quota", json=quota).raise_for_status()
    queued = aca.jobs.begin_start(fresh_group, "gpujob", polling_interval=0.05).result().name
    time.sleep(1.0)
    assert status(queued) == "Processing"
    aca.jobs.begin_stop_execution(fresh_group, "gpujob", name, polling_interval=0.05).result()
    wait_for(lambda: status(queued) == "Running", timeout=20)
    aca.jobs.begin_stop_execution(fresh_group, "gpujob", queued, polling_interval=0.05).result()
    wait_for(lambda: a100_in_use() == 0, timeout=20)
