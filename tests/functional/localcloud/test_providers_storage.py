"""Storage and Log Analytics providers over real HTTPS, through the official SDK clients."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.storage import StorageManagementClient
from azure.storage.fileshare import ShareClient
from localcloud_fixture import LocalCloudHandle, sdk_kwargs, unique_name

pytestmark = pytest.mark.functional

STORAGE_API = "2023-01-01"


@pytest.fixture
def resources(localcloud: LocalCloudHandle) -> ResourceManagementClient:
    return ResourceManagementClient(
        localcloud.credential(), localcloud.subscription_id, **sdk_kwargs(localcloud)
    )


@pytest.fixture
def storage(localcloud: LocalCloudHandle) -> StorageManagementClient:
    return StorageManagementClient(
        localcloud.credential(), localcloud.subscription_id, **sdk_kwargs(localcloud)
    )


def account_name() -> str:
    return "st" + uuid.uuid4().hex[:16]


def rid(sub: str, group: str, tail: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{group}/providers/{tail}"


def put(client: ResourceManagementClient, resource_id: str, body: dict[str, Any], api: str) -> Any:
    poller = client.resources.begin_create_or_update_by_id(
        resource_id, body, api_version=api, polling_interval=0.1
    )
    return poller.result()


def create_account(client: ResourceManagementClient, sub: str, group: str, name: str) -> str:
    account_id = rid(sub, group, f"Microsoft.Storage/storageAccounts/{name}")
    body = {
        "location": "eastus",
        "sku": {"name": "Standard_LRS"},
        "kind": "StorageV2",
        "properties": {"largeFileSharesState": "Enabled"},
    }
    put(client, account_id, body, STORAGE_API)
    return account_id


@pytest.fixture
def account(
    localcloud: LocalCloudHandle, resources: ResourceManagementClient, fresh_group: str
) -> Iterator[str]:
    name = account_name()
    create_account(resources, localcloud.subscription_id, fresh_group, name)
    yield name


def test_account_properties_point_the_file_endpoint_at_localcloud(
    localcloud: LocalCloudHandle, storage: StorageManagementClient, fresh_group: str, account: str
) -> None:
    props = storage.storage_accounts.get_properties(fresh_group, account)
    assert props.primary_endpoints.file == f"{localcloud.endpoint}/{account}/"
    assert props.provisioning_state == "Succeeded"
    assert props.sku.name == "Standard_LRS"
    assert props.kind == "StorageV2"
    assert props.creation_time is not None


def test_list_keys_gives_two_full_keys_that_open_the_share(
    localcloud: LocalCloudHandle,
    resources: ResourceManagementClient,
    storage: StorageManagementClient,
    fresh_group: str,
    account: str,
) -> None:
    share_id = rid(
        localcloud.subscription_id,
        fresh_group,
        f"Microsoft.Storage/storageAccounts/{account}/fileServices/default/shares/models",
    )
    put(resources, share_id, {"properties": {"shareQuota": 1024}}, STORAGE_API)
    result = storage.storage_accounts.list_keys(fresh_group, account)
    keys = {k.key_name: k for k in result.keys_property}
    assert set(keys) == {"key1", "key2"}
    assert keys["key1"].permissions.upper() == "FULL"
    assert result["keys"][0]["value"] == keys["key1"].value
    share = storage.file_shares.get(fresh_group, account, "models")
    assert share.share_quota == 1024
    client = ShareClient(
        f"{localcloud.endpoint}/{account}",
        "models",
        credential=keys["key1"].value,
        connection_verify=localcloud.ca_file,
    )
    client.get_file_client("hello.txt").upload_file(b"hello")
    assert [p["name"] for p in client.list_directories_and_files()] == ["hello.txt"]


def test_regenerate_key_changes_only_that_key(
    storage: StorageManagementClient, fresh_group: str, account: str
) -> None:
    before = storage.storage_accounts.list_keys(fresh_group, account).keys_property
    after = storage.storage_accounts.regenerate_key(
        fresh_group, account, {"keyName": "key1"}
    ).keys_property
    assert after[0].value != before[0].value
    assert after[1].value == before[1].value


def test_account_name_is_global_across_groups(
    localcloud: LocalCloudHandle, resources: ResourceManagementClient, account: str
) -> None:
    other = unique_name("rg")
    resources.resource_groups.create_or_update(other, {"location": "eastus"})
    try:
        with pytest.raises(HttpResponseError) as err:
            create_account(resources, localcloud.subscription_id, other, account)
        assert err.value.status_code == 409
        assert err.value.error.code == "StorageAccountAlreadyTaken"
    finally:
        resources.resource_groups.begin_delete(other, polling=False)


def test_invalid_account_name_is_rejected(
    localcloud: LocalCloudHandle, resources: ResourceManagementClient, fresh_group: str
) -> None:
    with pytest.raises(HttpResponseError) as err:
        create_account(resources, localcloud.subscription_id, fresh_group, "Not_Valid")
    assert err.value.status_code == 400
    assert err.value.error.code == "AccountNameInvalid"


def test_share_under_a_missing_account_is_parent_not_found(
    localcloud: LocalCloudHandle, resources: ResourceManagementClient, fresh_group: str
) -> None:
    share_id = rid(
        localcloud.subscription_id,
        fresh_group,
        f"Microsoft.Storage/storageAccounts/{account_name()}/fileServices/default/shares/s1",
    )
    with pytest.raises(ResourceNotFoundError) as err:
        put(resources, share_id, {"properties": {}}, STORAGE_API)
    assert err.value.error.code == "ParentResourceNotFound"


def test_workspace_shared_keys_and_list_keys_agree(
    localcloud: LocalCloudHandle, resources: ResourceManagementClient, fresh_group: str
) -> None:
    ws_id = rid(
        localcloud.subscription_id, fresh_group, "Microsoft.OperationalInsights/workspaces/logs1"
    )
    body = {"location": "eastus", "properties": {"sku": {"name": "PerGB2018"}}}
    put(resources, ws_id, body, "2022-10-01")
    ws = resources.resources.get_by_id(ws_id, api_version="2022-10-01")
    assert uuid.UUID(ws.properties["customerId"])
    # No Log Analytics SDK is installed: the two POSTs go over the same HTTPS wire.
    shared = localcloud.request("POST", ws_id + "/sharedKeys?api-version=2022-10-01").json()
    listed = localcloud.request("POST", ws_id + "/listKeys?api-version=2022-10-01").json()
    assert shared == listed
    assert set(shared) == {"primarySharedKey", "secondarySharedKey"}
