"""Target precedence: flags → AZURE_* env → inference config → fine-tuning config → default."""

from __future__ import annotations

import pytest

from orchestrator.errors import InputError
from orchestrator.provision.target import (
    Sourced,
    TargetFlags,
    TargetSources,
    check_target,
    no_default,
    resolve_target,
)
from orchestrator.settings import TargetEnv, read_settings

INFERENCE = {
    "SUBSCRIPTION_ID": "11111111-1111-4111-8111-111111111111",
    "RESOURCE_GROUP_NAME": "rg-inference",
}
FINETUNING = {
    "SUBSCRIPTION_ID": "22222222-2222-4222-8222-222222222222",
    "RESOURCE_GROUP_NAME": "rg-ft",
}
ENV = read_settings(
    {
        "AZURE_SUBSCRIPTION_ID": "33333333-3333-4333-8333-333333333333",
        "AZURE_RESOURCE_GROUP": "rg-env",
        "AZURE_LOCATION": "westus",
    }
).target
AZ_DEFAULT = Sourced("44444444-4444-4444-8444-444444444444", "az CLI default")


def az_default() -> Sourced:
    return AZ_DEFAULT


def sources(**kw: object) -> TargetSources:
    base: dict[str, object] = {
        "cloud": "azure",
        "flags": TargetFlags(),
        "env": TargetEnv(),
        "inference_config": {},
        "finetuning_config": {},
        "cloud_default_subscription": no_default,
    }
    base.update(kw)
    return TargetSources(**base)  # type: ignore[arg-type]


def test_flags_win_over_everything() -> None:
    target = resolve_target(
        sources(
            flags=TargetFlags("55555555-5555-4555-8555-555555555555", "rg-flag", "eastus"),
            env=ENV,
            inference_config=INFERENCE,
            finetuning_config=FINETUNING,
            cloud_default_subscription=az_default,
        )
    )
    assert target.subscription == Sourced("55555555-5555-4555-8555-555555555555", "--subscription")
    assert target.resource_group == Sourced("rg-flag", "--resource-group")
    assert target.location == Sourced("eastus", "--location")


def test_environment_wins_over_config_files() -> None:
    target = resolve_target(
        sources(env=ENV, inference_config=INFERENCE, finetuning_config=FINETUNING)
    )
    assert target.subscription == Sourced(
        "33333333-3333-4333-8333-333333333333", "AZURE_SUBSCRIPTION_ID"
    )
    assert target.resource_group == Sourced("rg-env", "AZURE_RESOURCE_GROUP")
    assert target.location == Sourced("westus", "AZURE_LOCATION")


def test_inference_config_wins_over_finetuning_config() -> None:
    target = resolve_target(sources(inference_config=INFERENCE, finetuning_config=FINETUNING))
    assert target.subscription.value == "11111111-1111-4111-8111-111111111111"
    assert "inference.config.json" in target.subscription.source
    assert target.resource_group.value == "rg-inference"


def test_finetuning_config_supplies_shared_environment_when_inference_config_is_empty() -> None:
    empty = {key: None for key in INFERENCE}
    target = resolve_target(sources(inference_config=empty, finetuning_config=FINETUNING))
    assert target.subscription == Sourced(
        "22222222-2222-4222-8222-222222222222", "infra/finetuning.config.json SUBSCRIPTION_ID"
    )
    assert target.resource_group.value == "rg-ft"


def test_cloud_default_subscription_is_the_last_resort() -> None:
    target = resolve_target(
        sources(
            finetuning_config={"RESOURCE_GROUP_NAME": "rg"}, cloud_default_subscription=az_default
        )
    )
    assert target.subscription == AZ_DEFAULT


def test_each_value_resolves_independently() -> None:
    target = resolve_target(
        sources(
            flags=TargetFlags(resource_group="rg-flag"),
            inference_config=INFERENCE,
        )
    )
    assert target.subscription.value == "11111111-1111-4111-8111-111111111111"
    assert target.resource_group.source == "--resource-group"


def test_blank_values_are_skipped() -> None:
    target = resolve_target(
        sources(
            flags=TargetFlags(subscription="  "),
            env=read_settings({"AZURE_SUBSCRIPTION_ID": " "}).target,
            inference_config=INFERENCE,
        )
    )
    assert target.subscription.value == "11111111-1111-4111-8111-111111111111"


def test_unset_location_means_the_groups_location() -> None:
    target = resolve_target(sources(inference_config=INFERENCE))
    assert not target.location.is_set
    assert "resource group's location" in target.describe()[2]


def test_describe_says_where_each_value_came_from() -> None:
    lines = resolve_target(sources(env=ENV)).describe()
    assert lines[0].endswith("(from AZURE_SUBSCRIPTION_ID)")
    assert lines[1].endswith("(from AZURE_RESOURCE_GROUP)")
    assert lines[2].endswith("(from AZURE_LOCATION)")


def test_missing_subscription_is_an_input_error_saying_how_to_give_one() -> None:
    with pytest.raises(InputError) as caught:
        resolve_target(sources(inference_config={"RESOURCE_GROUP_NAME": "rg"}))
    assert "no subscription" in caught.value.message
    assert "--subscription" in caught.value.hint


def test_missing_group_says_how_to_create_one() -> None:
    with pytest.raises(InputError) as caught:
        resolve_target(sources(cloud_default_subscription=az_default))
    assert "no resource group" in caught.value.message
    assert "--create-resource-group --location" in caught.value.hint


def test_the_cloud_default_is_asked_for_only_after_the_given_values_pass() -> None:
    asked: list[str] = []

    def default() -> Sourced:
        asked.append("default")
        return AZ_DEFAULT

    given = TargetFlags(resource_group="a/b")
    with pytest.raises(InputError, match="--resource-group"):
        resolve_target(sources(flags=given, cloud_default_subscription=default))
    with pytest.raises(InputError, match="no resource group"):
        resolve_target(sources(cloud_default_subscription=default))
    flagged = TargetFlags(subscription="55555555-5555-4555-8555-555555555555", resource_group="rg")
    resolve_target(sources(flags=flagged, cloud_default_subscription=default))
    assert asked == []
    resolve_target(
        sources(flags=TargetFlags(resource_group="rg"), cloud_default_subscription=default)
    )
    assert asked == ["default"]


def test_group_may_be_optional() -> None:
    target = resolve_target(sources(cloud_default_subscription=az_default), need_group=False)
    assert not target.resource_group.is_set


def test_each_value_is_held_to_azure_s_rules_naming_its_source() -> None:
    good = "00000000-0000-4000-8000-000000000000"
    target = check_target(resolve_target(sources(flags=TargetFlags(good, "rg-1", "East US"))))
    assert target.location == Sourced("eastus", "--location")
    env = read_settings({"AZURE_SUBSCRIPTION_ID": "not-a-guid"}).target
    with pytest.raises(InputError) as caught:
        check_target(resolve_target(sources(env=env, flags=TargetFlags(None, "rg"))))
    assert caught.value.message.startswith("AZURE_SUBSCRIPTION_ID: ")
    with pytest.raises(InputError) as caught:
        check_target(resolve_target(sources(flags=TargetFlags(good, "a/b"))))
    assert caught.value.message.startswith("--resource-group: ")
