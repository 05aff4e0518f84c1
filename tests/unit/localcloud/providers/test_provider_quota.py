from __future__ import annotations

from typing import Any

import pytest

from localcloud.cloud import LocalCloud
from localcloud.providers.containerapps import usages
from localcloud.providers.containerapps.quota import (
    BY_NAME,
    QuotaConfig,
    Workload,
    default_offering,
    environment_usage,
    offering_problems,
    property_problems,
    regional_problems,
    regional_usage,
    usage_items,
)
from localcloud.providers.containerapps.usages import QuotaError, merge_config

SUB = "00000000-0000-0000-0000-000000000000"


def env(*profiles: dict[str, Any], location: str = "westus3") -> dict[str, Any]:
    return {"location": location, "properties": {"workloadProfiles": list(profiles)}}


DEDICATED = {
    "name": "GPU",
    "workloadProfileType": "NC24-A100",
    "minimumCount": 0,
    "maximumCount": 2,
}
SERVERLESS = {"name": "GPU", "workloadProfileType": "Consumption-GPU-NC24-A100"}


def test_min_max_counts_on_a_serverless_gpu_profile_are_refused() -> None:
    problems = property_problems(env({**SERVERLESS, "minimumCount": 0, "maximumCount": 1}))
    assert [(p.code, p.message) for p in problems] == [
        (
            "WorkloadProfilePropertyNotSupported",
            "Workload Profile property 'MinimumCount' is not supported for "
            "Consumption_GPU_NC24_A100",
        )
    ]
    assert property_problems(env(SERVERLESS, DEDICATED)) == []


def test_a_type_the_region_does_not_offer_is_invalid() -> None:
    problems = offering_problems(env(SERVERLESS), default_offering("westeurope"))
    assert [(p.code, p.message) for p in problems] == [
        (
            "WorkloadProfileInvalidType",
            "Workload profile type 'CONSUMPTION_GPU_NC24_A100' is invalid.",
        )
    ]
    assert offering_problems(env(SERVERLESS), default_offering("West US 3")) == []


def test_default_offerings_follow_the_serverless_gpu_region_table() -> None:
    assert "Consumption-GPU-NC8as-T4" in default_offering("westeurope")
    assert "Consumption-GPU-NC24-A100" not in default_offering("westeurope")
    assert not any(t.startswith("Consumption-GPU") for t in default_offering("uksouth"))
    assert "NC24-A100" in default_offering("uksouth")


def test_dedicated_a100_beyond_the_subscription_limit_is_max_regional_quota_exceeded() -> None:
    used = {"ManagedEnvironmentCount": 0.0, "SubscriptionNCA100Gpus": 0.0}
    limits = {"ManagedEnvironmentCount": 15.0, "SubscriptionNCA100Gpus": 1.0}
    problems = regional_problems(SUB, "West US 3", env(DEDICATED), True, used, limits)
    assert [(p.code, p.message) for p in problems] == [
        (
            "MaxRegionalQuotaExceeded",
            f"Regional max quota limit threshold hit. The subscription '{SUB}' cannot have more "
            "than 1 SubscriptionNCA100Gpus in region West US 3.",
        )
    ]


def test_a_new_environment_beyond_the_count_limit_is_refused_but_an_update_is_not() -> None:
    used = {"ManagedEnvironmentCount": 1.0, "SubscriptionNCA100Gpus": 0.0}
    limits = {"ManagedEnvironmentCount": 1.0, "SubscriptionNCA100Gpus": 4.0}
    new = regional_problems(SUB, "eastus", env(), True, used, limits)
    assert [p.code for p in new] == ["MaxNumberOfRegionalEnvironmentsInSubExceeded"]
    assert (
        new[0].message
        == f"The subscription '{SUB}' cannot have more than 1 environments in eastus."
    )
    assert regional_problems(SUB, "eastus", env(), False, used, limits) == []


def test_usage_counts_dedicated_max_counts_and_running_serverless_replicas() -> None:
    regional = regional_usage(
        [env(DEDICATED), env({**DEDICATED, "workloadProfileType": "NC48-A100"})]
    )
    assert regional == {"ManagedEnvironmentCount": 2.0, "SubscriptionNCA100Gpus": 6.0}
    usage = environment_usage(
        [
            Workload("e", BY_NAME["consumption-gpu-nc24-a100"], 1, 24.0),
            Workload("e", BY_NAME["consumption"], 2, 0.5),
            Workload("e", BY_NAME["consumption-gpu-nc8as-t4"], 0, 8.0),
        ]
    )
    assert usage["ManagedEnvironmentConsumptionNCA100Gpus"] == 1
    assert usage["ManagedEnvironmentConsumptionT4Gpus"] == 0
    assert usage["ManagedEnvironmentConsumptionCores"] == 1.0


def test_usage_items_have_the_usages_json_shape() -> None:
    items = usage_items(
        {"ManagedEnvironmentCount": "Managed Environment Count"},
        {"ManagedEnvironmentCount": 1.0},
        {"ManagedEnvironmentCount": 15.0},
    )
    assert items == [
        {
            "unit": "Count",
            "name": {
                "value": "ManagedEnvironmentCount",
                "localizedValue": "Managed Environment Count",
            },
            "currentValue": 1,
            "limit": 15,
        }
    ]


def test_config_picks_the_most_specific_scope() -> None:
    config = merge_config(
        QuotaConfig(),
        {
            "limits": {
                "*": {"SubscriptionNCA100Gpus": 8},
                "westus3": {"subscriptionnca100gpus": 1},
            },
            "current": {"myenv": {"ManagedEnvironmentConsumptionT4Gpus": 2}},
            "offerings": {"westus3": ["consumption", "D4"]},
        },
    )
    assert config.limit("SubscriptionNCA100Gpus", ("westus3",)) == 1
    assert config.limit("SubscriptionNCA100Gpus", ("eastus",)) == 8
    assert config.limit("ManagedEnvironmentCount", ("eastus",)) == 100
    assert config.extra("ManagedEnvironmentConsumptionT4Gpus", ("/x/myenv", "myenv")) == 2
    assert config.offering("West US 3") == ("Consumption", "D4")
    cleared = merge_config(config, {"limits": {"westus3": None}})
    assert cleared.limit("SubscriptionNCA100Gpus", ("westus3",)) == 8


@pytest.mark.parametrize(
    "body",
    [[], {"colour": {}}, {"limits": {"*": {"x": -1}}}, {"offerings": {"eastus": ["NC1000"]}}],
)
def test_bad_admin_bodies_are_refused(body: Any) -> None:
    with pytest.raises(QuotaError):
        merge_config(QuotaConfig(), body)


class NoExecutions:
    def active_replicas(self, job_key: str) -> int:
        return 0


def test_environment_put_fails_with_azures_code_when_the_quota_is_too_low(
    arm: Any, cloud: LocalCloud
) -> None:
    admin = usages.install(cloud, NoExecutions())
    admin.quota.config = merge_config(
        QuotaConfig(), {"limits": {"*": {"SubscriptionNCA100Gpus": 1}}}
    )
    arm.put(arm.WORKSPACE, {"location": "eastus", "properties": {}})
    body = {"location": "westus3", "properties": {"workloadProfiles": [DEDICATED]}}
    codes = [d.code for d in arm.validate(arm.ENV, body)]
    assert codes == ["MaxRegionalQuotaExceeded"]
    admin.reset()
    assert arm.validate(arm.ENV, body) == []
