"""The official SDKs against localcloud's long-running creates, as they poll Azure.

azure-mgmt-storage's `begin_create` accepts only 200 and 202 on the initial PUT: a 201 with
the account (what localcloud answered before) raised `HttpResponseError`. Azure answers 202
with a `Location` (golden/storage/account_create.json), which the SDK polls to the account.
"""

from __future__ import annotations

import uuid

from azure.mgmt.appcontainers import ContainerAppsAPIClient
from azure.mgmt.appcontainers.models import ManagedEnvironment
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.storage import StorageManagementClient
from localcloud_fixture import LocalCloudHandle, sdk_kwargs


def _group(cloud: LocalCloudHandle) -> str:
    name = f"fid-sdk-{uuid.uuid4().hex[:8]}"
    client = ResourceManagementClient(
        cloud.credential(), cloud.subscription_id, **sdk_kwargs(cloud)
    )
    client.resource_groups.create_or_update(name, {"location": "eastus"})
    return name


def _statuses(cloud: LocalCloudHandle, fragment: str) -> list[tuple[str, int]]:
    log = cloud.admin("GET", "requests").json()
    return [(r["method"], r["status"]) for r in log if fragment in r["path"].lower()]


def test_storage_begin_create_polls_the_202_to_the_account(
    fidelity_cloud: LocalCloudHandle,
) -> None:
    group, account = _group(fidelity_cloud), f"fidsdk{uuid.uuid4().hex[:12]}"
    client = StorageManagementClient(
        fidelity_cloud.credential(), fidelity_cloud.subscription_id, **sdk_kwargs(fidelity_cloud)
    )
    poller = client.storage_accounts.begin_create(
        group,
        account,
        {"location": "eastus", "kind": "StorageV2", "sku": {"name": "Standard_LRS"}},
        polling_interval=0.1,
    )
    created = poller.result()
    assert (created.name, created.provisioning_state) == (account, "Succeeded")
    puts = [s for m, s in _statuses(fidelity_cloud, f"/storageaccounts/{account}") if m == "PUT"]
    assert puts == [202]
    assert ("GET", 200) in _statuses(fidelity_cloud, "/asyncoperations/")


def test_container_app_environment_create_polls_the_operation_status(
    fidelity_cloud: LocalCloudHandle,
) -> None:
    group, env = _group(fidelity_cloud), f"fidenv{uuid.uuid4().hex[:8]}"
    client = ContainerAppsAPIClient(
        fidelity_cloud.credential(), fidelity_cloud.subscription_id, **sdk_kwargs(fidelity_cloud)
    )
    poller = client.managed_environments.begin_create_or_update(
        group, env, ManagedEnvironment(location="eastus"), polling_interval=0.1
    )
    created = poller.result()
    assert created.provisioning_state == "Succeeded"
    assert created.location == "East US"
    assert ("GET", 200) in _statuses(fidelity_cloud, "/managedenvironmentoperationstatuses/")
