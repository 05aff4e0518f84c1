"""`reference(id, apiVersion, 'full')`: the documented shape around the stored document."""

from __future__ import annotations

from localcloud.arm.resolver import full_shape
from localcloud.ids import ResourceId

RID = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myRg"
    "/providers/Microsoft.Storage/storageAccounts/aistoragejs26o"
)


def test_full_reference_wraps_the_resource_in_arms_envelope() -> None:
    doc = {
        "id": RID,
        "name": "aistoragejs26o",
        "location": "eastus",
        "sku": {"name": "Standard_LRS"},
        "kind": "StorageV2",
        "tags": {"a": "b"},
        "identity": {"type": "SystemAssigned"},
        "properties": {"provisioningState": "Succeeded"},
    }
    shape = full_shape(doc, ResourceId.parse(RID), "2023-01-01")
    assert shape == {
        "apiVersion": "2023-01-01",
        "location": "eastus",
        "sku": {"name": "Standard_LRS"},
        "tags": {"a": "b"},
        "kind": "StorageV2",
        "properties": {"provisioningState": "Succeeded"},
        "subscriptionId": "00000000-0000-0000-0000-000000000000",
        "resourceGroupName": "myRg",
        "resourceId": RID,
        "referenceApiVersion": "2023-01-01",
        "condition": True,
        "isConditionTrue": True,
        "isTemplateResource": False,
        "isAction": False,
        "provisioningOperation": "Read",
        "identity": {"type": "SystemAssigned"},
    }


def test_absent_top_level_fields_are_left_out() -> None:
    shape = full_shape({"properties": {}}, ResourceId.parse(RID), None)
    assert "sku" not in shape and "identity" not in shape and "apiVersion" not in shape
    assert shape["properties"] == {}
