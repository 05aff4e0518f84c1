"""Resource groups and generic resources through the official SDK, over HTTPS."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.resource.resources import ResourceManagementClient
from localcloud_fixture import LocalCloudHandle, sdk_kwargs, unique_name

pytestmark = pytest.mark.functional


@pytest.fixture
def client(localcloud: LocalCloudHandle) -> ResourceManagementClient:
    return ResourceManagementClient(
        localcloud.credential(), localcloud.subscription_id, **sdk_kwargs(localcloud)
    )


def test_group_create_returns_the_group_then_update_keeps_location(
    client: ResourceManagementClient, localcloud: LocalCloudHandle
) -> None:
    name = unique_name()
    created = client.resource_groups.create_or_update(name, {"location": "East US"})
    assert created.id == f"/subscriptions/{localcloud.subscription_id}/resourceGroups/{name}"
    assert created.location == "eastus"
    assert created.properties.provisioning_state == "Succeeded"
    updated = client.resource_groups.create_or_update(
        name, {"location": "eastus", "tags": {"a": "b"}}
    )
    assert updated.tags == {"a": "b"}
    assert client.resource_groups.get(name).tags == {"a": "b"}


def test_group_existence_and_listing(client: ResourceManagementClient, fresh_group: str) -> None:
    assert client.resource_groups.check_existence(fresh_group) is True
    assert client.resource_groups.check_existence(unique_name()) is False
    assert fresh_group in [g.name for g in client.resource_groups.list()]


def test_missing_group_is_resource_group_not_found(client: ResourceManagementClient) -> None:
    name = unique_name()
    with pytest.raises(ResourceNotFoundError) as info:
        client.resource_groups.get(name)
    assert info.value.error is not None
    assert info.value.error.code == "ResourceGroupNotFound"
    assert info.value.response.headers["x-ms-failure-cause"] == "gateway"


def test_group_delete_removes_group_and_its_resources(
    client: ResourceManagementClient, localcloud: LocalCloudHandle
) -> None:
    name = unique_name()
    client.resource_groups.create_or_update(name, {"location": "eastus"})
    rid = (
        f"/subscriptions/{localcloud.subscription_id}/resourceGroups/{name}"
        "/providers/Contoso.Test/widgets/w1"
    )
    client.resources.begin_create_or_update_by_id(
        rid, {"location": "eastus", "properties": {"size": 3}}, api_version="2024-01-01"
    ).result()
    client.resource_groups.begin_delete(name, polling_interval=0.1).result()
    assert client.resource_groups.check_existence(name) is False
    client.resource_groups.create_or_update(name, {"location": "eastus"})
    assert list(client.resources.list_by_resource_group(name)) == []


def test_group_location_cannot_change(client: ResourceManagementClient, fresh_group: str) -> None:
    with pytest.raises(HttpResponseError) as info:
        client.resource_groups.create_or_update(fresh_group, {"location": "westus"})
    assert info.value.status_code == 409
    assert info.value.error.code == "InvalidResourceGroupLocation"


def test_generic_resource_crud_by_id(
    client: ResourceManagementClient, localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    rid = (
        f"/subscriptions/{localcloud.subscription_id}/resourceGroups/{fresh_group}"
        "/providers/Contoso.Test/widgets/w1"
    )
    made = client.resources.begin_create_or_update_by_id(
        rid, {"location": "eastus", "properties": {"size": 3}}, api_version="2024-01-01"
    ).result()
    assert made.id == rid
    assert (made.name, made.type, made.location) == ("w1", "Contoso.Test/widgets", "eastus")
    assert made.properties == {"size": 3, "provisioningState": "Succeeded"}
    assert client.resources.check_existence_by_id(rid, api_version="2024-01-01") is True
    listed = list(client.resources.list_by_resource_group(fresh_group))
    assert [(r.id, r.type) for r in listed] == [(rid, "Contoso.Test/widgets")]
    client.resources.begin_delete_by_id(rid, api_version="2024-01-01").result()
    with pytest.raises(ResourceNotFoundError) as info:
        client.resources.get_by_id(rid, api_version="2024-01-01")
    assert info.value.error.code == "ResourceNotFound"


def test_child_resource_needs_its_parent(
    client: ResourceManagementClient, localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    parent = (
        f"/subscriptions/{localcloud.subscription_id}/resourceGroups/{fresh_group}"
        "/providers/Contoso.Test/widgets/p"
    )
    with pytest.raises(ResourceNotFoundError) as info:
        client.resources.begin_create_or_update_by_id(
            parent + "/parts/c", {"properties": {}}, api_version="2024-01-01"
        ).result()
    assert info.value.error.code == "ParentResourceNotFound"
    client.resources.begin_create_or_update_by_id(
        parent, {"location": "eastus"}, api_version="2024-01-01"
    ).result()
    client.resources.begin_create_or_update_by_id(
        parent + "/parts/c", {"properties": {"n": 1}}, api_version="2024-01-01"
    ).result()
    children = localcloud.request("GET", parent + "/parts?api-version=2024-01-01").json()
    assert [c["name"] for c in children["value"]] == ["c"]


def test_resources_in_missing_group_are_resource_group_not_found(
    client: ResourceManagementClient, localcloud: LocalCloudHandle
) -> None:
    rid = (
        f"/subscriptions/{localcloud.subscription_id}/resourceGroups/{unique_name()}"
        "/providers/Contoso.Test/widgets/w1"
    )
    with pytest.raises(ResourceNotFoundError) as info:
        client.resources.get_by_id(rid, api_version="2024-01-01")
    assert info.value.error.code == "ResourceGroupNotFound"


def test_unknown_subscription_is_subscription_not_found(localcloud: LocalCloudHandle) -> None:
    client = ResourceManagementClient(
        localcloud.credential(), "00000000-0000-0000-0000-000000000000", **sdk_kwargs(localcloud)
    )
    with pytest.raises(ResourceNotFoundError) as info:
        client.resource_groups.get("anything")
    assert info.value.error.code == "SubscriptionNotFound"
