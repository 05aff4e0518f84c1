from __future__ import annotations

import uuid

import pytest

from localcloud.arm.errors import ArmError

BODY = {"location": "eastus", "properties": {"sku": {"name": "PerGB2018"}, "retentionInDays": 60}}


def test_workspace_has_a_guid_customer_id_sku_and_retention(arm) -> None:
    doc = arm.put(arm.WORKSPACE, BODY)
    props = doc["properties"]
    uuid.UUID(props["customerId"])
    assert props["sku"]["name"] == "PerGB2018"
    assert props["retentionInDays"] == 60
    assert props["provisioningState"] == "Succeeded"


def test_workspace_customer_id_is_stable_across_puts(arm) -> None:
    first = arm.put(arm.WORKSPACE, BODY)["properties"]["customerId"]
    assert arm.put(arm.WORKSPACE, BODY)["properties"]["customerId"] == first


@pytest.mark.parametrize("action", ["sharedKeys", "listKeys", "listkeys"])
def test_shared_keys_and_list_keys_return_the_same_pair(arm, action: str) -> None:
    arm.put(arm.WORKSPACE, BODY)
    keys = arm.action(arm.WORKSPACE, action)
    assert set(keys) == {"primarySharedKey", "secondarySharedKey"}
    assert keys == arm.action(arm.WORKSPACE, "sharedKeys")
    assert keys["primarySharedKey"] != keys["secondarySharedKey"]


def test_workspace_get_never_contains_keys(arm) -> None:
    arm.put(arm.WORKSPACE, BODY)
    keys = arm.action(arm.WORKSPACE, "sharedKeys")
    assert keys["primarySharedKey"] not in repr(arm.get(arm.WORKSPACE))


def test_invalid_workspace_name_is_refused(arm) -> None:
    with pytest.raises(ArmError) as err:
        arm.put("Microsoft.OperationalInsights/workspaces/ab", BODY)
    assert (err.value.status, err.value.code) == (400, "InvalidWorkspaceName")


def test_keys_of_a_missing_workspace_are_a_404(arm) -> None:
    with pytest.raises(ArmError) as err:
        arm.action(arm.WORKSPACE, "sharedKeys")
    assert err.value.status == 404
