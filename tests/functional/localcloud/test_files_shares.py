"""Share-level behaviour through the official clients: the quota ARM sets is the quota the
data plane reports (and the reverse path through Set Share Properties), share snapshots
serve the bytes of their instant (never the live share's), a file under a missing folder
is `ParentNotFound`, listings carry each entry's file id, a SAS grants what it says."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.storage.fileshare import (
    FileSasPermissions,
    ShareClient,
    ShareFileClient,
    ShareServiceClient,
    generate_file_sas,
)
from localcloud_fixture import LocalCloudHandle, sdk_kwargs, unique_name

pytestmark = pytest.mark.functional

STORAGE_API = "2023-01-01"


@dataclass(frozen=True)
class Account:
    resources: ResourceManagementClient
    account_id: str
    name: str
    key: str
    url: str
    ca_file: str

    def share(self, name: str) -> ShareClient:
        return ShareClient(self.url, name, credential=self.key, connection_verify=self.ca_file)


@pytest.fixture(scope="module")
def account(localcloud: LocalCloudHandle) -> Iterator[Account]:
    from azure.mgmt.storage import StorageManagementClient

    resources = ResourceManagementClient(
        localcloud.credential(), localcloud.subscription_id, **sdk_kwargs(localcloud)
    )
    storage = StorageManagementClient(
        localcloud.credential(), localcloud.subscription_id, **sdk_kwargs(localcloud)
    )
    group = unique_name("rg-shares")
    resources.resource_groups.create_or_update(group, {"location": "eastus"})
    name = "st" + uuid.uuid4().hex[:16]
    account_id = (
        f"/subscriptions/{localcloud.subscription_id}/resourceGroups/{group}"
        f"/providers/Microsoft.Storage/storageAccounts/{name}"
    )
    body = {"location": "eastus", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}
    resources.resources.begin_create_or_update_by_id(
        account_id, body, api_version=STORAGE_API, polling_interval=0.1
    ).result()
    keys = storage.storage_accounts.list_keys(group, name).keys_property
    url = storage.storage_accounts.get_properties(group, name).primary_endpoints.file
    yield Account(
        resources, account_id, name, str(keys[0].value), url.rstrip("/"), localcloud.ca_file
    )
    if localcloud.running:
        resources.resource_groups.begin_delete(group, polling=False)


def test_quota_set_through_arm_is_the_quota_the_data_plane_reports(account: Account) -> None:
    account.resources.resources.begin_create_or_update_by_id(
        f"{account.account_id}/fileServices/default/shares/armquota",
        {"properties": {"shareQuota": 1024}},
        api_version=STORAGE_API,
        polling_interval=0.1,
    ).result()
    assert account.share("armquota").get_share_properties().quota == 1024


def test_quota_set_on_the_data_plane_is_reported_and_listed(account: Account) -> None:
    share = account.share(unique_name("quota"))
    share.create_share(quota=7)
    assert share.get_share_properties().quota == 7
    share.set_share_properties(quota=3)
    assert share.get_share_properties().quota == 3
    service = ShareServiceClient(
        account.url, credential=account.key, connection_verify=account.ca_file
    )
    listed = {s.name: s.quota for s in service.list_shares(name_starts_with=share.share_name)}
    assert listed == {share.share_name: 3}


def test_a_snapshot_serves_the_bytes_of_its_instant_not_the_live_share(account: Account) -> None:
    share = account.share(unique_name("snap"))
    share.create_share()
    live = share.get_file_client("a.txt")
    live.upload_file(b"before")
    snapshot = share.create_snapshot()
    live.upload_file(b"after!")
    frozen = ShareClient(
        account.url,
        share.share_name,
        snapshot=snapshot["snapshot"],
        credential=account.key,
        connection_verify=account.ca_file,
    ).get_file_client("a.txt")
    assert frozen.download_file().readall() == b"before"
    assert live.download_file().readall() == b"after!"
    with pytest.raises(HttpResponseError):
        frozen.upload_file(b"write to a snapshot")
    share.delete_share(delete_snapshots=True)


def test_an_unknown_snapshot_is_not_found_rather_than_the_live_share(account: Account) -> None:
    share = account.share(unique_name("nosnap"))
    share.create_share()
    share.get_file_client("a.txt").upload_file(b"live")
    made_up = ShareClient(
        account.url,
        share.share_name,
        snapshot="2017-07-19T06:53:46.0000000Z",
        credential=account.key,
        connection_verify=account.ca_file,
    )
    with pytest.raises(ResourceNotFoundError):
        made_up.get_file_client("a.txt").download_file().readall()


def test_a_file_under_a_missing_folder_is_parent_not_found(account: Account) -> None:
    share = account.share(unique_name("parent"))
    share.create_share()
    with pytest.raises(ResourceNotFoundError) as caught:
        share.get_file_client("missing/dir/a.txt").get_file_properties()
    assert caught.value.error_code == "ParentNotFound"


def test_a_listing_carries_the_file_id_of_every_entry(account: Account) -> None:
    share = account.share(unique_name("ids"))
    share.create_share()
    made = share.get_directory_client("b-dir").create_directory()
    share.get_file_client("a-file").upload_file(b"1")
    items = {i["name"]: i["file_id"] for i in share.list_directories_and_files()}
    file_id = share.get_file_client("a-file").get_file_properties().file_id
    assert items == {"b-dir": made["file_id"], "a-file": file_id}


def test_a_read_only_file_sas_reads_and_cannot_write(account: Account) -> None:
    share = account.share(unique_name("sas"))
    share.create_share()
    share.get_file_client("a.txt").upload_file(b"shared")
    token = generate_file_sas(
        account.name,
        share.share_name,
        ["a.txt"],
        account.key,
        permission=FileSasPermissions(read=True),
        expiry=datetime.now(timezone.utc) + timedelta(hours=1),
    )
    reader = ShareFileClient(
        account.url,
        share.share_name,
        "a.txt",
        credential=token,
        connection_verify=account.ca_file,
    )
    assert reader.download_file().readall() == b"shared"
    with pytest.raises(HttpResponseError) as caught:
        reader.upload_file(b"overwrite")
    assert caught.value.status_code == 403
