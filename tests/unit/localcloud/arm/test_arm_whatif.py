from __future__ import annotations

from typing import Any

from localcloud.arm.whatif import Desired, changes, property_delta, resource_change

RID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a"


def desired(body: dict[str, Any], rid: str = RID) -> Desired:
    return Desired(rid, "Microsoft.Storage/storageAccounts", "a", "2023-01-01", body, "sa")


STORED: dict[str, Any] = {
    "id": RID,
    "name": "a",
    "type": "Microsoft.Storage/storageAccounts",
    "location": "eastus",
    "tags": {"env": "dev", "old": "x"},
    "kind": "StorageV2",
    "properties": {
        "provisioningState": "Succeeded",
        "largeFileSharesState": "Enabled",
        "primaryEndpoints": {"file": "https://a/"},
    },
}


def test_a_missing_resource_is_created_with_its_after_payload() -> None:
    change = resource_change(desired({"location": "eastus", "properties": {}}), None, True)
    assert change["changeType"] == "Create"
    assert change["after"]["id"] == RID
    assert change["after"]["apiVersion"] == "2023-01-01"
    assert "delta" not in change


def test_unchanged_template_values_are_no_change_despite_computed_properties() -> None:
    body = {
        "location": "East US",
        "kind": "StorageV2",
        "tags": {"env": "dev", "old": "x"},
        "properties": {"largeFileSharesState": "Enabled"},
    }
    assert resource_change(desired(body), STORED, True)["changeType"] == "NoChange"


def test_modified_and_new_properties_are_reported_by_path() -> None:
    body = {
        "properties": {"largeFileSharesState": "Disabled", "minimumTlsVersion": "TLS1_2"},
        "tags": {"env": "prod"},
    }
    change = resource_change(desired(body), STORED, True)
    assert change["changeType"] == "Modify"
    assert change["delta"] == [
        {
            "path": "properties.largeFileSharesState",
            "propertyChangeType": "Modify",
            "before": "Enabled",
            "after": "Disabled",
        },
        {"path": "properties.minimumTlsVersion", "propertyChangeType": "Create", "after": "TLS1_2"},
        {"path": "tags.env", "propertyChangeType": "Modify", "before": "dev", "after": "prod"},
        {"path": "tags.old", "propertyChangeType": "Delete", "before": "x"},
    ]


def test_arrays_are_compared_element_by_element() -> None:
    before = {"rules": [{"name": "a", "port": 1}, {"name": "b", "port": 2}]}
    after = {"rules": [{"name": "a", "port": 9}]}
    assert property_delta(before, after) == [
        {
            "path": "rules",
            "propertyChangeType": "Array",
            "children": [
                {
                    "path": "0",
                    "propertyChangeType": "Modify",
                    "children": [
                        {"path": "port", "propertyChangeType": "Modify", "before": 1, "after": 9}
                    ],
                },
                {"path": "1", "propertyChangeType": "Delete", "before": {"name": "b", "port": 2}},
            ],
        }
    ]


def test_unresolved_expressions_are_not_compared() -> None:
    body = {"properties": {"largeFileSharesState": "[reference('x').state]"}}
    assert resource_change(desired(body), STORED, True)["changeType"] == "NoChange"


def test_resource_id_only_format_has_no_payloads() -> None:
    change = resource_change(desired({"properties": {"largeFileSharesState": "No"}}), STORED, False)
    assert change == {"resourceId": RID, "symbolicName": "sa", "changeType": "Modify"}


def test_other_group_resources_are_ignored_in_incremental_and_deleted_in_complete_mode() -> None:
    other = {"id": RID.replace("/a", "/other"), "name": "other"}
    incremental = changes([], {}, [other], mode="Incremental", full=True)
    complete = changes([], {}, [other], mode="Complete", full=False)
    assert [c["changeType"] for c in incremental] == ["Ignore"]
    assert complete == [{"resourceId": other["id"], "changeType": "Delete"}]


def test_template_resources_are_not_listed_twice() -> None:
    out = changes(
        [desired({"properties": {}})], {RID.lower(): STORED}, [STORED], mode="Complete", full=True
    )
    assert [c["changeType"] for c in out] == ["NoChange"]


def test_write_only_secrets_missing_from_the_stored_document_are_no_change() -> None:
    before = {"properties": {"azureFile": {"accountName": "a"}}}
    after = {"properties": {"azureFile": {"accountName": "a", "accountKey": "s3cret"}}}
    assert property_delta(before, after) == []
