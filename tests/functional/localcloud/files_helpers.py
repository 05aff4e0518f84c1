"""Shared pieces of the Files functional tests: a new storage account, made through ARM with
the official SDK against a real localcloud."""

from __future__ import annotations

import uuid

from azure.mgmt.resource.resources import ResourceManagementClient
from localcloud_fixture import LocalCloudHandle, sdk_kwargs


def new_storage_account(lc: LocalCloudHandle, group: str) -> str:
    """A new StorageV2 account in `group` (eastus); its name."""
    name = "st" + uuid.uuid4().hex[:16]
    resources = ResourceManagementClient(lc.credential(), lc.subscription_id, **sdk_kwargs(lc))
    resources.resources.begin_create_or_update_by_id(
        f"/subscriptions/{lc.subscription_id}/resourceGroups/{group}"
        f"/providers/Microsoft.Storage/storageAccounts/{name}",
        {"location": "eastus", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"},
        api_version="2023-01-01",
        polling_interval=0.1,
    ).result()
    return name
