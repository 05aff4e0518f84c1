"""A listing reports, page after page, what Get Properties reports for each entry, however
the page is made up (files only, directories in between, one entry) and whether the entry's
record is current, stale (the file was changed behind the service) or missing (the file was
made there). The SDK clients over real HTTPS."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
from azure.mgmt.storage import StorageManagementClient
from azure.storage.fileshare import (
    ShareClient,
    ShareDirectoryClient,
    ShareSasPermissions,
    generate_share_sas,
)
from files_helpers import new_storage_account
from localcloud_fixture import LocalCloudHandle, sdk_kwargs

pytestmark = pytest.mark.functional


@dataclass(frozen=True)
class Folder:
    account: str
    share: ShareClient  # a new share, "data"
    directory: ShareDirectoryClient  # its "dir"
    on_disk: Path  # its folder in the share
    key: str
    ca_file: str


@pytest.fixture
def folder(localcloud: LocalCloudHandle, fresh_group: str) -> Folder:
    account = new_storage_account(localcloud, fresh_group)
    storage = StorageManagementClient(
        localcloud.credential(), localcloud.subscription_id, **sdk_kwargs(localcloud)
    )
    keys = storage.storage_accounts.list_keys(fresh_group, account).keys_property
    assert keys and keys[0].value
    share = ShareClient(
        f"{localcloud.endpoint}/{account}",
        "data",
        credential=keys[0].value,
        connection_verify=localcloud.ca_file,
    )
    share.create_share()
    directory = share.get_directory_client("dir")
    directory.create_directory()
    on_disk = localcloud.state_dir / "files" / account / "data" / "dir"
    return Folder(account, share, directory, on_disk, keys[0].value, localcloud.ca_file)


def _fill(directory: ShareDirectoryClient, on_disk: Path) -> None:
    for name in ("a.txt", "b.txt", "d.txt", "e.txt"):
        directory.get_file_client(name).upload_file(name.encode())
    for sub, inner in (("c", "x.txt"), ("c", "y.txt"), ("z", "w.txt")):
        child = directory.get_subdirectory_client(sub)
        if not child.exists():
            child.create_directory()
        child.get_file_client(inner).upload_file(b"inner")
    with (on_disk / "e.txt").open("ab") as changed:  # its record no longer describes it
        changed.write(b" and more")
    (on_disk / "f.txt").write_bytes(b"made on disk")  # no record at all


def _reported(directory: ShareDirectoryClient, name: str, is_dir: bool) -> tuple[Any, ...]:
    if is_dir:
        props = directory.get_subdirectory_client(name).get_directory_properties()
        return props.etag, props.file_id, None
    props = directory.get_file_client(name).get_file_properties()
    return props.etag, props.file_id, props.size


@pytest.mark.parametrize("per_page", [1, 2, 3, 100])
def test_every_page_lists_what_get_properties_reports(folder: Folder, per_page: int) -> None:
    directory = folder.directory
    _fill(directory, folder.on_disk)
    pages = directory.list_directories_and_files(include=["etag"], results_per_page=per_page)
    items = [item for page in pages.by_page() for item in page]
    listed = {i.name: (i.etag, i.file_id, None if i.is_directory else i.size) for i in items}
    assert sorted(listed) == ["a.txt", "b.txt", "c", "d.txt", "e.txt", "f.txt", "z"]
    for item in items:
        assert listed[item.name] == _reported(directory, item.name, item.is_directory)
    assert listed["e.txt"][2] == len(b"e.txt and more")


def test_a_listing_gives_its_directory_the_id_get_properties_reports(folder: Folder) -> None:
    (folder.on_disk / "made-here").mkdir()  # no record
    root = folder.share.get_directory_client("")
    sas = generate_share_sas(
        folder.account,
        "data",
        folder.key,
        permission=ShareSasPermissions(list=True),
        expiry=datetime.now(timezone.utc) + timedelta(hours=1),
    )
    for client in (root, folder.directory, folder.directory.get_subdirectory_client("made-here")):
        answer = requests.get(
            f"{client.url}?restype=directory&comp=list&{sas}", verify=folder.ca_file, timeout=30
        )
        listed = re.search("<DirectoryId>([^<]*)</DirectoryId>", answer.text)
        assert listed is not None, answer.text
        assert listed.group(1) == client.get_directory_properties().file_id
