"""Re-sync with the workspace's share record: a changed file is the only one sent and no
file properties are read; a file rewritten on the share by someone else (through the REST
API or by the app on its mount) is never trusted from the record and is sent again; the
local MD5s are saved while the share is read, so a failure there does not lose them."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from deploy_support import Provisioned, provision, remote_tree, share_client, written_paths
from localcloud_fixture import LocalCloudHandle

pytestmark = [pytest.mark.functional, pytest.mark.slow]

DATA = "inference/data.bin"
SIZE = 4096


@pytest.fixture
def synced(tmp_path: Path, localcloud: LocalCloudHandle) -> Provisioned:
    """Provisioned, with inference/data.bin deployed once (no restart)."""
    provisioned = provision(tmp_path / "ws", localcloud)
    (provisioned.workspace / DATA).write_bytes(bytes(range(256)) * (SIZE // 256))
    ran = provisioned.deploy("--no-restart")
    assert ran.code == 0, ran.output
    return provisioned


def flip_first_byte(data: bytes) -> bytes:
    return bytes([data[0] ^ 0xFF]) + data[1:]


def share_requests(p: Provisioned) -> list[dict[str, object]]:
    prefix = f"/{p.account}/{p.share_name}/"
    return [e for e in p.lc.admin("GET", "requests").json() if str(e["path"]).startswith(prefix)]


def created_files(entries: list[dict[str, object]], p: Provisioned) -> set[str]:
    """Paths with a Create File request (a PUT with neither comp= nor restype=)."""
    creates = [
        e
        for e in entries
        if e["method"] == "PUT"
        and "comp=" not in str(e["path"])
        and "restype=" not in str(e["path"])
    ]
    return written_paths(creates, p)


def test_a_same_size_change_is_the_only_upload_and_no_properties_are_read(
    synced: Provisioned,
) -> None:
    local = synced.workspace / DATA
    local.write_bytes(flip_first_byte(local.read_bytes()))
    synced.lc.admin("DELETE", "requests")
    ran = synced.deploy("--no-restart")
    assert ran.code == 0, ran.output
    entries = share_requests(synced)
    assert created_files(entries, synced) == {DATA}
    assert [e for e in entries if e["method"] == "HEAD"] == []
    assert remote_tree(share_client(synced), "inference")[DATA] == local.read_bytes()


def test_a_file_rewritten_through_the_api_by_someone_else_is_sent_again(
    synced: Provisioned,
) -> None:
    share = share_client(synced)
    original = (synced.workspace / DATA).read_bytes()
    share.get_file_client(DATA).upload_file(flip_first_byte(original))  # same size, no MD5
    synced.lc.admin("DELETE", "requests")
    ran = synced.deploy("--no-restart")
    assert ran.code == 0, ran.output
    assert created_files(share_requests(synced), synced) == {DATA}
    assert remote_tree(share, "inference")[DATA] == original


def test_a_file_rewritten_by_the_app_on_its_mount_is_sent_again(synced: Provisioned) -> None:
    on_disk = synced.lc.state_dir / "files" / synced.account / synced.share_name / DATA
    original = on_disk.read_bytes()
    assert original == (synced.workspace / DATA).read_bytes()
    on_disk.write_bytes(flip_first_byte(original))  # what a replica writing to /mount does
    synced.lc.admin("DELETE", "requests")
    ran = synced.deploy("--no-restart")
    assert ran.code == 0, ran.output
    assert created_files(share_requests(synced), synced) == {DATA}
    assert on_disk.read_bytes() == original


def test_the_local_md5s_are_saved_even_when_the_share_then_fails(synced: Provisioned) -> None:
    hashes = synced.workspace / ".orchestrator" / "local-hashes.json"
    hashes.unlink()
    time.sleep(2.1)  # past the racy window: data.bin's MD5 may now be remembered
    share_client(synced).delete_share()
    ran = synced.deploy("--no-restart")
    assert ran.code == 2, ran.output
    assert f"file share {synced.share_name} does not exist" in ran.stderr
    assert DATA in json.loads(hashes.read_text())["files"]
