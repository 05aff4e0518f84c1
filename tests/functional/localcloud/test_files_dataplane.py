"""The Azure Files data plane through the official azure-storage-file-share SDK, against a
real localcloud server: the storage account and share are created with ARM, the key comes
from listKeys, every call is Shared Key signed over HTTPS."""

from __future__ import annotations

import base64
import hashlib
import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from azure.core.credentials import AzureNamedKeyCredential
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
)
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.storage import StorageManagementClient
from azure.storage.fileshare import ContentSettings, ShareClient, ShareDirectoryClient
from localcloud_fixture import LocalCloudHandle, sdk_kwargs, unique_name

pytestmark = pytest.mark.functional

STORAGE_API = "2023-01-01"
MIB = 1024 * 1024


@dataclass(frozen=True)
class ShareFixture:
    account: str
    share: str
    key: str
    key2: str
    account_url: str
    ca_file: str
    folder: Path  # the share folder on disk
    state_dir: Path

    def client(self, credential: object = None) -> ShareClient:
        return ShareClient(
            self.account_url,
            self.share,
            credential=credential if credential is not None else self.key,
            connection_verify=self.ca_file,
        )


@pytest.fixture(scope="module")
def share(localcloud: LocalCloudHandle) -> Iterator[ShareFixture]:
    """A storage account and a file share made through ARM; the key from listKeys."""
    resources = ResourceManagementClient(
        localcloud.credential(), localcloud.subscription_id, **sdk_kwargs(localcloud)
    )
    storage = StorageManagementClient(
        localcloud.credential(), localcloud.subscription_id, **sdk_kwargs(localcloud)
    )
    group = unique_name("rg-files")
    resources.resource_groups.create_or_update(group, {"location": "eastus"})
    account = "st" + uuid.uuid4().hex[:16]
    account_id = (
        f"/subscriptions/{localcloud.subscription_id}/resourceGroups/{group}"
        f"/providers/Microsoft.Storage/storageAccounts/{account}"
    )
    body = {"location": "eastus", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}
    resources.resources.begin_create_or_update_by_id(
        account_id, body, api_version=STORAGE_API, polling_interval=0.1
    ).result()
    resources.resources.begin_create_or_update_by_id(
        f"{account_id}/fileServices/default/shares/code",
        {"properties": {"shareQuota": 10}},
        api_version=STORAGE_API,
        polling_interval=0.1,
    ).result()
    keys = storage.storage_accounts.list_keys(group, account).keys_property
    key = next(k.value for k in keys if k.key_name == "key1")
    key2 = next(k.value for k in keys if k.key_name == "key2")
    file_endpoint = storage.storage_accounts.get_properties(group, account).primary_endpoints.file
    yield ShareFixture(
        account=account,
        share="code",
        key=key,
        key2=key2,
        account_url=file_endpoint.rstrip("/"),
        ca_file=localcloud.ca_file,
        folder=localcloud.state_dir / "files" / account / "code",
        state_dir=localcloud.state_dir,
    )
    if localcloud.running:
        resources.resource_groups.begin_delete(group, polling=False)


@pytest.fixture
def workdir(share: ShareFixture) -> ShareDirectoryClient:
    """A fresh top-level directory of the share, so tests do not see each other's files."""
    directory = share.client().get_directory_client(unique_name("t"))
    directory.create_directory()
    return directory


def md5(data: bytes) -> bytes:
    return hashlib.md5(data).digest()


def test_five_mib_upload_round_trips_with_its_md5(
    share: ShareFixture, workdir: ShareDirectoryClient
) -> None:
    data = os.urandom(5 * MIB)
    file = workdir.get_file_client("model.bin")
    file.upload_file(data, content_settings=ContentSettings(content_md5=md5(data)))
    props = file.get_file_properties()
    assert props.size == 5 * MIB
    assert bytes(props.content_settings.content_md5) == md5(data)
    assert file.download_file().readall() == data
    # the bytes are a real file in the share folder (what a mounted app sees)
    assert (share.folder / workdir.directory_path / "model.bin").read_bytes() == data


def test_zero_byte_file_uploads_and_downloads(workdir: ShareDirectoryClient) -> None:
    file = workdir.get_file_client("empty.txt")
    file.upload_file(b"")
    assert file.get_file_properties().size == 0
    assert file.download_file().readall() == b""


def test_set_http_headers_replaces_content_type_and_md5(workdir: ShareDirectoryClient) -> None:
    file = workdir.get_file_client("app.py")
    file.upload_file(b"print('hi')\n")
    etag = file.get_file_properties().etag
    file.set_http_headers(ContentSettings(content_type="text/x-python", content_md5=md5(b"x")))
    props = file.get_file_properties()
    assert props.content_settings.content_type == "text/x-python"
    assert bytes(props.content_settings.content_md5) == md5(b"x")
    assert props.etag != etag


def test_metadata_sent_by_upload_file_is_stored(workdir: ShareDirectoryClient) -> None:
    file = workdir.get_file_client("meta.txt")
    file.upload_file(b"m", metadata={"sha256": "abc123"})  # also sends the bare x-ms-meta
    assert file.get_file_properties().metadata == {"sha256": "abc123"}
    file.set_file_metadata({"other": "1"})
    assert file.get_file_properties().metadata == {"other": "1"}


def test_ranged_download_returns_the_slice(workdir: ShareDirectoryClient) -> None:
    file = workdir.get_file_client("slice.bin")
    data = bytes(range(256)) * 16
    file.upload_file(data)
    assert file.download_file(offset=100, length=50).readall() == data[100:150]


def test_listing_pages_through_directories_then_files(workdir: ShareDirectoryClient) -> None:
    for name in ("b.txt", "a.txt", "c.txt"):
        workdir.get_file_client(name).upload_file(name.encode())
    for name in ("zdir", "adir"):
        workdir.get_subdirectory_client(name).create_directory()
    pages = list(workdir.list_directories_and_files(results_per_page=2).by_page())
    items = [item for page in pages for item in page]
    assert len(pages) == 3
    assert sorted(i.name for i in items if i.is_directory) == ["adir", "zdir"]
    assert sorted(i.name for i in items if not i.is_directory) == ["a.txt", "b.txt", "c.txt"]
    sizes = {i.name: i.size for i in items if not i.is_directory}
    assert sizes == {"a.txt": 5, "b.txt": 5, "c.txt": 5}


def test_listing_with_every_include_and_extended_info(workdir: ShareDirectoryClient) -> None:
    workdir.get_file_client("x.txt").upload_file(b"xx")
    workdir.get_subdirectory_client("sub").create_directory()
    items = list(
        workdir.list_directories_and_files(
            include=["timestamps", "Etag", "Attributes", "PermissionKey"],
            include_extended_info=True,
        )
    )
    assert [(i.name, i.is_directory) for i in items] == [("sub", True), ("x.txt", False)]
    for item in items:
        assert item.etag and item.last_modified and item.creation_time and item.file_id
        assert item.permission_key
    assert items[0].file_attributes == "Directory"


def test_prefix_filters_the_listing(workdir: ShareDirectoryClient) -> None:
    for name in ("keep-1", "keep-2", "other"):
        workdir.get_file_client(name).upload_file(b"1")
    names = [i.name for i in workdir.list_directories_and_files(name_starts_with="keep")]
    assert names == ["keep-1", "keep-2"]


def test_delete_file_then_directory(workdir: ShareDirectoryClient) -> None:
    sub = workdir.get_subdirectory_client("sub")
    sub.create_directory()
    file = sub.get_file_client("f.txt")
    file.upload_file(b"x")
    with pytest.raises(ResourceExistsError) as caught:
        sub.delete_directory()
    assert caught.value.error_code == "DirectoryNotEmpty"
    file.delete_file()
    assert not file.exists()
    sub.delete_directory()
    assert not sub.exists()


def test_errors_carry_azure_codes(share: ShareFixture, workdir: ShareDirectoryClient) -> None:
    with pytest.raises(ResourceExistsError) as exists:
        workdir.create_directory()
    assert exists.value.error_code == "ResourceAlreadyExists"
    with pytest.raises(ResourceNotFoundError) as parent:
        workdir.get_subdirectory_client("missing/child").create_directory()
    assert parent.value.error_code == "ParentNotFound"
    with pytest.raises(ResourceNotFoundError) as missing:
        workdir.get_file_client("nope.txt").download_file()
    assert missing.value.error_code == "ResourceNotFound"
    other = ShareClient(
        share.account_url, "noshare", credential=share.key, connection_verify=share.ca_file
    )
    with pytest.raises(ResourceNotFoundError) as no_share:
        other.get_directory_client("d").create_directory()
    assert no_share.value.error_code == "ShareNotFound"


def test_wrong_key_is_authentication_failed(share: ShareFixture) -> None:
    wrong = base64.b64encode(os.urandom(64)).decode()
    client = share.client(credential=wrong)
    with pytest.raises(ClientAuthenticationError) as caught:
        client.get_directory_client("d").create_directory()
    assert caught.value.error_code == "AuthenticationFailed"
    assert caught.value.status_code == 403


def test_named_key_credential_and_key2_work(share: ShareFixture) -> None:
    client = share.client(credential=AzureNamedKeyCredential(share.account, share.key))
    assert client.get_directory_client("").exists()
    assert share.client(credential=share.key2).get_directory_client("").exists()


def test_connection_string_with_file_endpoint_works(share: ShareFixture) -> None:
    connection_string = (
        f"DefaultEndpointsProtocol=https;AccountName={share.account};AccountKey={share.key};"
        f"FileEndpoint={share.account_url}"
    )
    client = ShareClient.from_connection_string(
        connection_string, share.share, connection_verify=share.ca_file
    )
    assert client.get_share_properties().name == share.share


def test_unsigned_request_gets_403_with_azure_error_shape(share: ShareFixture) -> None:
    response = requests.get(
        f"{share.account_url}/{share.share}?restype=directory",
        headers={"x-ms-version": "2025-05-05"},
        verify=share.ca_file,
        timeout=30,
    )
    assert response.status_code == 403
    assert response.headers["x-ms-error-code"] == "AuthenticationFailed"
    assert response.headers["x-ms-version"] == "2025-05-05"
    assert response.headers["x-ms-request-id"]
    assert response.headers["Server"].startswith("Windows-Azure-File/1.0")
    assert "<Code>AuthenticationFailed</Code>" in response.text
    assert "RequestId:" in response.text


def test_range_past_the_end_is_416(workdir: ShareDirectoryClient) -> None:
    file = workdir.get_file_client("short.txt")
    file.upload_file(b"short")
    with pytest.raises(HttpResponseError) as caught:
        file.download_file(offset=100, length=10)
    assert (caught.value.status_code, caught.value.error_code) == (416, "InvalidRange")


def test_parallel_ranges_into_one_file_all_land(workdir: ShareDirectoryClient) -> None:
    file = workdir.get_file_client("ranges.bin")
    chunks = [bytes([i]) * 4096 for i in range(16)]
    file.create_file(size=4096 * 16)

    def put(i: int) -> None:
        file.upload_range(chunks[i], offset=i * 4096, length=4096)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(put, range(16)))
    assert file.download_file().readall() == b"".join(chunks)


def test_names_with_spaces_plus_and_unicode(
    share: ShareFixture, workdir: ShareDirectoryClient
) -> None:
    sub = workdir.get_subdirectory_client("dir with space+plus/été")
    workdir.get_subdirectory_client("dir with space+plus").create_directory()
    sub.create_directory()
    file = sub.get_file_client("naïve file+1 (copy).txt")
    file.upload_file("héllo".encode())
    assert file.download_file().readall() == "héllo".encode()
    assert [i.name for i in sub.list_directories_and_files()] == ["naïve file+1 (copy).txt"]
    on_disk = share.folder / workdir.directory_path / "dir with space+plus" / "été"
    assert (on_disk / "naïve file+1 (copy).txt").read_bytes() == "héllo".encode()


@pytest.mark.parametrize("path", ["../escape", "a/../../escape", "./x"])
def test_dot_segments_are_refused(share: ShareFixture, path: str) -> None:
    directory = share.client().get_directory_client(path)
    with pytest.raises(HttpResponseError) as caught:
        directory.create_directory()
    assert (caught.value.status_code, caught.value.error_code) == (400, "InvalidResourceName")
    assert not (share.folder.parent / "escape").exists()


def test_symlinks_in_the_share_folder_are_not_followed(
    share: ShareFixture, workdir: ShareDirectoryClient, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    folder = share.folder / workdir.directory_path
    (folder / "link").symlink_to(outside)
    (folder / "file-link").symlink_to(outside / "secret.txt")
    assert list(workdir.list_directories_and_files()) == []
    with pytest.raises(ResourceNotFoundError):
        workdir.get_file_client("file-link").download_file()
    with pytest.raises(ResourceNotFoundError):
        workdir.get_file_client("link/secret.txt").download_file()
    with pytest.raises(ResourceNotFoundError) as caught:
        workdir.get_file_client("link/new.txt").upload_file(b"x")
    assert caught.value.error_code == "ParentNotFound"
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]


def test_file_changed_by_a_mounted_app_reports_the_disk_state(
    share: ShareFixture, workdir: ShareDirectoryClient
) -> None:
    file = workdir.get_file_client("log.txt")
    file.upload_file(b"one", content_settings=ContentSettings(content_md5=md5(b"one")))
    (share.folder / workdir.directory_path / "log.txt").write_bytes(b"one two")
    props = file.get_file_properties()
    assert props.size == 7
    assert props.content_settings.content_md5 is None  # the stored MD5 no longer holds
    assert file.download_file().readall() == b"one two"


def test_share_folder_holds_only_user_files(share: ShareFixture) -> None:
    client = share.client()
    client.get_file_client("top.txt").upload_file(b"top")
    found = {p.name for p in share.folder.iterdir()}
    assert "top.txt" in found
    assert not any(name.endswith((".sqlite", ".json", "-wal", "-shm")) for name in found)


@pytest.mark.slow
def test_twenty_parallel_uploads(workdir: ShareDirectoryClient) -> None:
    payloads = {f"f{i:02d}.bin": os.urandom(64 * 1024 + i) for i in range(20)}

    def upload(name: str) -> None:
        workdir.get_file_client(name).upload_file(
            payloads[name], content_settings=ContentSettings(content_md5=md5(payloads[name]))
        )

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(upload, payloads))
    for name, data in payloads.items():
        file = workdir.get_file_client(name)
        assert bytes(file.get_file_properties().content_settings.content_md5) == md5(data)
        assert file.download_file().readall() == data


def test_share_made_on_the_data_plane_has_properties_and_can_go(share: ShareFixture) -> None:
    client = ShareClient(
        share.account_url, "scratch", credential=share.key, connection_verify=share.ca_file
    )
    client.create_share(metadata={"purpose": "test"})
    props = client.get_share_properties()
    assert (props.name, props.metadata) == ("scratch", {"purpose": "test"})
    with pytest.raises(ResourceExistsError) as caught:
        client.create_share()
    assert caught.value.error_code == "ShareAlreadyExists"
    client.get_file_client("f.txt").upload_file(b"f")
    client.delete_share()
    assert not (share.folder.parent / "scratch").exists()
    assert not (share.state_dir / "files-meta" / share.account / "scratch.sqlite").exists()
    with pytest.raises(ResourceNotFoundError) as gone:
        client.get_share_properties()
    assert gone.value.error_code == "ShareNotFound"


def test_share_root_lists_and_reports_properties(share: ShareFixture) -> None:
    root = share.client().get_directory_client("")
    root.get_file_client("root-file.txt").upload_file(b"r")
    assert root.get_directory_properties().etag
    assert "root-file.txt" in {i.name for i in root.list_directories_and_files()}


def test_names_are_case_insensitive_and_case_preserving(
    share: ShareFixture, workdir: ShareDirectoryClient
) -> None:
    workdir.get_file_client("ReadMe.md").upload_file(b"first")
    workdir.get_file_client("README.MD").upload_file(b"second")
    assert workdir.get_file_client("readme.md").download_file().readall() == b"second"
    assert [i.name for i in workdir.list_directories_and_files()] == ["ReadMe.md"]
    with pytest.raises(ResourceExistsError):
        workdir.get_subdirectory_client("readme.MD").create_directory()
    on_disk = sorted(p.name for p in (share.folder / workdir.directory_path).iterdir())
    assert on_disk == ["ReadMe.md"]


def test_validate_content_checks_transactional_md5s(workdir: ShareDirectoryClient) -> None:
    file = workdir.get_file_client("validated.bin")
    data = os.urandom(300_000)
    file.upload_file(data, validate_content=True)  # Content-MD5 on each range, verified
    assert file.download_file(validate_content=True).readall() == data  # range MD5s


def test_given_file_times_are_kept(workdir: ShareDirectoryClient) -> None:
    file = workdir.get_file_client("timed.txt")
    file.create_file(
        size=3,
        file_creation_time="2020-01-02T03:04:05.0000000Z",
        file_last_write_time="2021-01-02T03:04:05.1234567Z",
    )
    props = file.get_file_properties()
    assert props.creation_time.isoformat().startswith("2020-01-02T03:04:05")
    assert props.last_write_time.isoformat().startswith("2021-01-02T03:04:05.123456")
