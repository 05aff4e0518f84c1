"""deploy under failure: 500s on uploads and 409s on restart are retried; a connection
dropped for good fails clearly and a re-run sends only what is missing; a wrong storage key
is an AuthenticationFailed error; an app that exits or never gets ready fails with its last
log lines instead of hanging. Faults are scoped to the test's own resources; reset after."""

from __future__ import annotations

import base64
import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
from deploy_support import (
    FAST_RETRY,
    Provisioned,
    answered_version,
    app_path,
    code_version,
    provision,
    remote_tree,
    share_client,
    share_writes,
    written_paths,
)
from localcloud_fixture import LocalCloudHandle
from provision_support import add_fault, requests_log

pytestmark = [pytest.mark.functional, pytest.mark.slow]

CRASHING = 'defaultCommands=["echo booting up", "echo about to fail >&2", "exit 1"]'
NEVER_READY = 'defaultCommands=["echo sleeping instead of serving", "sleep 600"]'


@pytest.fixture
def provisioned(tmp_path: Path, lc: LocalCloudHandle) -> Provisioned:
    return provision(tmp_path / "ws", lc)


def share_requests(lc: LocalCloudHandle, p: Provisioned) -> list[dict[str, Any]]:
    return [e for e in requests_log(lc) if str(e["path"]).startswith(f"/{p.account}/")]


def restart_statuses(lc: LocalCloudHandle, p: Provisioned) -> list[int]:
    found = re.compile(app_path(p, "/revisions/[^/?]+/restart"))
    return [int(e["status"]) for e in requests_log(lc) if found.search(str(e["path"]))]


def create_path(p: Provisioned, file: str = "[^?]+") -> str:
    """Create File requests (a small file's content travels in them) of `file`."""
    return f"^/{re.escape(p.account)}/{re.escape(p.share_name)}/{file}$"


def test_500s_on_uploads_are_retried_and_the_deploy_succeeds(
    provisioned: Provisioned, lc: LocalCloudHandle
) -> None:
    add_fault(
        lc,
        method="PUT",
        path=create_path(provisioned, "inference/[^?]+"),
        status=500,
        headers={"x-ms-error-code": "InternalError"},
        count=2,
    )
    ran = provisioned.deploy()  # the real back-off (1 s, then 2 s)
    assert ran.code == 0, ran.output
    found = re.compile(create_path(provisioned, "inference/[^?]+"))
    creates = [e for e in share_requests(lc, provisioned) if found.search(e["path"])]
    assert [e["status"] for e in creates].count(500) == 2
    assert len([e for e in creates if e["status"] == 201]) == 3  # each file, once
    local = provisioned.workspace / "inference"
    assert remote_tree(share_client(provisioned), "inference") == {
        f"inference/{f.name}": f.read_bytes() for f in local.iterdir()
    }
    assert answered_version(provisioned) == code_version(local)


def test_a_connection_dropped_for_good_fails_clearly_and_a_rerun_sends_only_the_rest(
    provisioned: Provisioned, lc: LocalCloudHandle
) -> None:
    app_upload = create_path(provisioned, r"inference/app\.py")
    add_fault(lc, method="PUT", path=app_upload, drop=True, count=50)
    ran = provisioned.deploy(**FAST_RETRY)
    assert ran.code == 1, ran.output
    assert "error: file share: connection lost while trying to upload inference/app.py" in (
        ran.stderr
    )
    assert "hint: run deploy again: files already uploaded are not sent twice" in ran.stderr
    assert "Traceback" not in ran.output
    dropped = [e for e in share_requests(lc, provisioned) if re.search(app_upload, e["path"])]
    assert len(dropped) == 4  # the first try and three retries
    assert restart_statuses(lc, provisioned) == []
    lc.admin("DELETE", "faults")
    lc.admin("DELETE", "requests")
    again = provisioned.deploy()
    assert again.code == 0, again.output
    assert "sync: 1 file to upload" in again.stdout
    assert written_paths(share_writes(lc, provisioned), provisioned) == {"inference/app.py"}
    assert answered_version(provisioned) == code_version(provisioned.workspace / "inference")


def test_409_on_restart_is_retried(provisioned: Provisioned, lc: LocalCloudHandle) -> None:
    add_fault(
        lc,
        method="POST",
        path=app_path(provisioned, "/revisions/[^/?]+/restart"),
        status=409,
        body={
            "error": {
                "code": "ContainerAppOperationInProgress",
                "message": "Cannot modify a container app while an operation is in progress.",
            }
        },
        count=2,
    )
    ran = provisioned.deploy(**FAST_RETRY)
    assert ran.code == 0, ran.output
    assert ran.stderr.count("restart refused (ContainerAppOperationInProgress); retrying") == 2
    assert restart_statuses(lc, provisioned) == [409, 409, 200]
    assert answered_version(provisioned) == code_version(provisioned.workspace / "inference")


def test_a_wrong_storage_key_is_a_clear_authentication_error(
    provisioned: Provisioned, lc: LocalCloudHandle
) -> None:
    wrong = base64.b64encode(os.urandom(64)).decode()
    add_fault(
        lc,
        method="POST",
        path=f"(?i)/storageAccounts/{re.escape(provisioned.account)}/listKeys",
        status=200,
        body={
            "keys": [
                {"keyName": "key1", "value": wrong, "permissions": "FULL"},
                {"keyName": "key2", "value": wrong, "permissions": "FULL"},
            ]
        },
        count=1,
    )
    ran = provisioned.deploy()
    assert ran.code == 1, ran.output
    assert "refused the storage key" in ran.stderr
    assert "(AuthenticationFailed)" in ran.stderr
    assert "hint: " in ran.stderr
    assert wrong not in ran.output
    refused = share_requests(lc, provisioned)
    assert refused and all(e["status"] == 403 for e in refused)
    assert remote_tree(share_client(provisioned)) == {}


def test_an_app_that_exits_fails_the_deploy_with_its_last_log_lines(
    tmp_path: Path, lc: LocalCloudHandle
) -> None:
    crashing = provision(tmp_path / "ws", lc, CRASHING)
    started = time.monotonic()
    ran = crashing.deploy("--timeout", "90")
    assert ran.code == 1, ran.output
    assert time.monotonic() - started < 60  # it failed fast, it did not wait for the timeout
    assert "error: the app did not become healthy: " in ran.stderr
    assert "container exited with code 1" in ran.stderr
    assert "log lines:" in ran.stderr
    assert "| " in ran.stderr and "about to fail" in ran.stderr
    assert "hint: `orchestrator logs --follow`" in ran.stderr


def test_an_app_that_never_gets_ready_fails_at_the_timeout(
    tmp_path: Path, lc: LocalCloudHandle
) -> None:
    stuck = provision(tmp_path / "ws", lc, NEVER_READY)
    started = time.monotonic()
    ran = stuck.deploy("--timeout", "4")
    elapsed = time.monotonic() - started
    assert ran.code == 1, ran.output
    assert 4 <= elapsed < 60
    assert "error: the app did not become healthy: " in ran.stderr
    assert "not ready yet" in ran.stderr
    assert "sleeping instead of serving" in ran.stderr
    assert "--timeout (now 4 s)" in ran.stderr
