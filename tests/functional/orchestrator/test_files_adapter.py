"""The Files adapter (Shared Key over plain HTTPS) against localcloud, read back through the
official azure-storage-file-share SDK: small files in one request, large ones in parallel
ranges, Content-MD5 and type set, listings with ETags across pages, HEADs, folders, deletes,
and errors as ours."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.storage.fileshare import ShareClient
from localcloud_fixture import LocalCloudHandle, sdk_kwargs, unique_name

from orchestrator.azure.errors import AuthFailed, NotFound
from orchestrator.azure.files import FileShare
from orchestrator.azure.fileswire import RANGE_BYTES
from orchestrator.azure.sharemodels import StorageAccess

pytestmark = [pytest.mark.functional]

STORAGE_API = "2023-01-01"
NAMES = ["plain.bin", "with space & plus+.txt", "ünïcödé.bin", "100%.dat"]


@pytest.fixture(scope="module")
def access(localcloud: LocalCloudHandle) -> Iterator[StorageAccess]:
    from azure.mgmt.storage import StorageManagementClient

    kwargs = sdk_kwargs(localcloud)
    resources = ResourceManagementClient(
        localcloud.credential(), localcloud.subscription_id, **kwargs
    )
    storage = StorageManagementClient(localcloud.credential(), localcloud.subscription_id, **kwargs)
    group = unique_name("rg-filesadapter")
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
    key = storage.storage_accounts.list_keys(group, name).keys_property[0].value
    url = storage.storage_accounts.get_properties(group, name).primary_endpoints.file
    yield StorageAccess(name, url.rstrip("/"), str(key))
    if localcloud.running:
        resources.resource_groups.begin_delete(group, polling=False)


@pytest.fixture
def share(access: StorageAccess, localcloud: LocalCloudHandle) -> tuple[FileShare, ShareClient]:
    name = "s" + uuid.uuid4().hex[:12]
    sdk = ShareClient(
        access.file_endpoint,
        name,
        credential={"account_name": access.account, "account_key": access.key},
        connection_verify=localcloud.ca_file,
    )
    sdk.create_share()
    return FileShare(access, name, verify=localcloud.ca_file, backoff=0.01), sdk


def upload(ours: FileShare, path: str, data: bytes, content_type: str = "text/plain") -> str:
    return ours.upload(path, io.BytesIO(data), len(data), content_type, hashlib.md5(data).digest())


@pytest.mark.parametrize("size", [0, 1, 1000, RANGE_BYTES, RANGE_BYTES + 1, 2 * RANGE_BYTES + 7])
def test_an_upload_reads_back_through_the_sdk_with_its_md5_and_type(
    share: tuple[FileShare, ShareClient], size: int
) -> None:
    ours, sdk = share
    data = os.urandom(size)
    etag = upload(ours, "f.bin", data, "application/x-test")
    client = sdk.get_file_client("f.bin")
    assert client.download_file().readall() == data
    props = client.get_file_properties()
    assert bytes(props.content_settings.content_md5) == hashlib.md5(data).digest()
    assert props.content_settings.content_type == "application/x-test"
    assert props.etag == etag


def test_a_large_file_is_created_then_sent_in_ranges_then_given_its_md5(
    share: tuple[FileShare, ShareClient], tmp_path: Path, localcloud: LocalCloudHandle
) -> None:
    ours, sdk = share
    data = os.urandom(3 * RANGE_BYTES + 5)
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    localcloud.admin("DELETE", "requests")
    with source.open("rb") as fh:
        ours.upload(
            "big.bin", fh, len(data), "application/octet-stream", hashlib.md5(data).digest()
        )
    assert sdk.get_file_client("big.bin").download_file().readall() == data
    log = localcloud.admin("GET", "requests").json()
    ranges = [e for e in log if e["path"].endswith("/big.bin?comp=range")]
    assert len(ranges) == 4 and all(e["status"] == 201 for e in ranges)
    writes = [e["path"] for e in log if "/big.bin" in e["path"] and e["method"] == "PUT"]
    assert not writes[0].endswith("comp=range")  # the file is created first
    assert writes[-1].endswith("?comp=properties")  # Content-MD5 comes last


@pytest.mark.parametrize("name", NAMES)
def test_names_that_need_encoding_are_written_and_listed_as_given(
    share: tuple[FileShare, ShareClient], name: str
) -> None:
    ours, sdk = share
    ours.make_dir("dir one")
    etag = upload(ours, f"dir one/{name}", b"hello")
    assert sdk.get_file_client(f"dir one/{name}").download_file().readall() == b"hello"
    listed = ours.list_folder("dir one")
    assert listed is not None and [(e.name, e.size, e.etag) for e in listed] == [(name, 5, etag)]
    props = ours.properties(f"dir one/{name}")
    assert (props.etag, props.size, props.md5) == (etag, 5, hashlib.md5(b"hello").digest())


def test_a_listing_follows_next_markers(share: tuple[FileShare, ShareClient]) -> None:
    ours, sdk = share
    ours.make_dir("many")
    ours.make_dir("many")  # already there: not an error
    names = sorted(f"f{i:04d}" for i in range(5010))  # more than one page of 5000
    for name in names:
        sdk.get_file_client(f"many/{name}").create_file(0)
    listed = ours.list_folder("many")
    assert listed is not None and sorted(e.name for e in listed) == names


def test_missing_things_and_deletes(share: tuple[FileShare, ShareClient]) -> None:
    ours, sdk = share
    assert ours.exists()
    assert ours.list_folder("nope") is None
    with pytest.raises(NotFound):
        ours.properties("nope.txt")
    ours.make_dir("d")
    upload(ours, "d/x.txt", b"x")
    ours.delete_file("d/x.txt")
    ours.delete_dir("d")
    assert ours.list_folder("d") is None
    assert list(sdk.list_directories_and_files()) == []


def test_a_wrong_key_is_an_authentication_error_with_a_hint(
    access: StorageAccess, localcloud: LocalCloudHandle
) -> None:
    wrong = StorageAccess(
        access.account, access.file_endpoint, base64.b64encode(os.urandom(64)).decode()
    )
    ours = FileShare(wrong, "anything", verify=localcloud.ca_file, backoff=0.01)
    with pytest.raises(AuthFailed) as caught:
        ours.exists()
    assert "refused the storage key" in caught.value.message
    assert caught.value.hint
