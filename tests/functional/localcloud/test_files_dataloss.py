"""Bytes written through the official azure-storage-file-share client come back exactly:
`create_file(data=...)`, `upload_file`, `upload_range` and `download_file` round-trip every
size from empty to past the 4 MiB range limit, under names with unusual code points (and
those names list back as they were written)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.storage.fileshare import ShareClient, ShareDirectoryClient
from localcloud_fixture import LocalCloudHandle, sdk_kwargs, unique_name

pytestmark = pytest.mark.functional

STORAGE_API = "2023-01-01"
MIB = 1024 * 1024
SIZES = [0, 1, 4 * MIB + 1]
# Names Azure Files accepts that are easy to get wrong: non-ASCII letters, combining marks,
# astral-plane emoji, characters percent-encoding must carry, a code point XML cannot hold.
NAMES = [
    "plain.bin",
    "naïve façade.txt",
    "e\u0301cole-combining.txt",
    "数据-файл-データ.bin",
    "emoji-😀.bin",
    "plus+percent%hash#semi;.bin",
    "not-xml-\ufffe.bin",
]


@dataclass(frozen=True)
class Account:
    name: str
    key: str
    url: str
    ca_file: str


@pytest.fixture(scope="module")
def account(localcloud: LocalCloudHandle) -> Iterator[Account]:
    from azure.mgmt.storage import StorageManagementClient

    resources = ResourceManagementClient(
        localcloud.credential(), localcloud.subscription_id, **sdk_kwargs(localcloud)
    )
    storage = StorageManagementClient(
        localcloud.credential(), localcloud.subscription_id, **sdk_kwargs(localcloud)
    )
    group = unique_name("rg-dataloss")
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
    yield Account(name, str(keys[0].value), url.rstrip("/"), localcloud.ca_file)
    if localcloud.running:
        resources.resource_groups.begin_delete(group, polling=False)


@pytest.fixture
def folder(account: Account) -> Iterator[ShareDirectoryClient]:
    """A fresh share made on the data plane, and a folder in it."""
    share = ShareClient(
        account.url, unique_name("dl"), credential=account.key, connection_verify=account.ca_file
    )
    share.create_share()
    directory = share.get_directory_client("dir ü")
    directory.create_directory()
    yield directory
    share.delete_share()


def payload(size: int) -> bytes:
    return os.urandom(size)


@pytest.mark.parametrize("size", SIZES)
def test_upload_file_then_download_returns_the_same_bytes(
    folder: ShareDirectoryClient, size: int
) -> None:
    data = payload(size)
    file = folder.get_file_client(f"upload-{size}.bin")
    file.upload_file(data)
    assert file.get_file_properties().size == size
    assert file.download_file().readall() == data


@pytest.mark.parametrize("size", [0, 1, 4 * MIB])
def test_create_file_with_data_stores_the_data_not_zeros(
    folder: ShareDirectoryClient, size: int
) -> None:
    data = payload(size) if size != 1 else b"\x7f"
    file = folder.get_file_client(f"created-{size}.bin")
    file.create_file(size, data=data)
    assert file.download_file().readall() == data


def test_create_file_with_a_short_body_leaves_zeros_after_it(
    folder: ShareDirectoryClient,
) -> None:
    file = folder.get_file_client("short-body.bin")
    file.create_file(10, data=b"abc")
    assert file.download_file().readall() == b"abc" + bytes(7)


@pytest.mark.parametrize("size", [1, 4 * MIB + 1])
def test_upload_range_writes_each_range_where_it_was_sent(
    folder: ShareDirectoryClient, size: int
) -> None:
    data = payload(size)
    file = folder.get_file_client(f"ranges-{size}.bin")
    file.create_file(size)
    for offset in range(0, size, 4 * MIB):
        chunk = data[offset : offset + 4 * MIB]
        file.upload_range(chunk, offset=offset, length=len(chunk))
    assert file.download_file().readall() == data
    middle = size // 2
    assert file.download_file(offset=middle, length=1).readall() == data[middle : middle + 1]


@pytest.mark.parametrize("name", NAMES)
def test_unusual_names_round_trip_bytes_and_list_back_unchanged(
    folder: ShareDirectoryClient, name: str
) -> None:
    data = payload(1024)
    file = folder.get_file_client(name)
    file.upload_file(data)
    assert file.download_file().readall() == data
    listed = [item["name"] for item in folder.list_directories_and_files()]
    assert listed == [name]
    sub = folder.get_subdirectory_client("sub " + name)
    sub.create_directory()
    names = {item["name"] for item in folder.list_directories_and_files()}
    assert names == {name, "sub " + name}
