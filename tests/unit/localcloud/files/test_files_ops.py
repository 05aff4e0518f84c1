"""Which operation a request is."""

from __future__ import annotations

import pytest

from localcloud.files.errors import FileError
from localcloud.files.ops import Op, classify
from localcloud.files.paths import Target

FILE = Target("acct", "share", ("dir", "f.txt"))
ROOT = Target("acct", "share", ())
ACCOUNT = Target("acct", "", ())


@pytest.mark.parametrize(
    ("method", "query", "target", "op"),
    [
        ("PUT", {"restype": "share"}, ROOT, Op.CREATE_SHARE),
        ("HEAD", {"restype": "share"}, ROOT, Op.SHARE_PROPERTIES),
        ("PUT", {"restype": "directory"}, FILE, Op.CREATE_DIRECTORY),
        ("GET", {"restype": "directory", "comp": "list"}, ROOT, Op.LIST),
        ("DELETE", {"restype": "directory"}, FILE, Op.DELETE_DIRECTORY),
        ("PUT", {}, FILE, Op.CREATE_FILE),
        ("PUT", {"comp": "range"}, FILE, Op.PUT_RANGE),
        ("PUT", {"comp": "properties"}, FILE, Op.SET_FILE_PROPERTIES),
        ("PUT", {"comp": "metadata"}, FILE, Op.SET_FILE_METADATA),
        ("HEAD", {}, FILE, Op.FILE_PROPERTIES),
        ("GET", {}, FILE, Op.DOWNLOAD),
        ("DELETE", {}, FILE, Op.DELETE_FILE),
        ("PUT", {"comp": "lease"}, FILE, Op.FILE_LEASE),
        ("GET", {"comp": "rangelist"}, FILE, Op.LIST_RANGES),
        ("PUT", {"comp": "rename"}, FILE, Op.RENAME_FILE),
        ("PUT", {"restype": "directory", "comp": "rename"}, FILE, Op.RENAME_DIRECTORY),
        ("PUT", {"comp": "copy"}, FILE, Op.ABORT_COPY),
        ("PUT", {"restype": "directory", "comp": "properties"}, FILE, Op.SET_DIRECTORY_PROPERTIES),
        ("PUT", {"restype": "share", "comp": "snapshot"}, ROOT, Op.CREATE_SNAPSHOT),
        ("PUT", {"restype": "share", "comp": "lease"}, ROOT, Op.SHARE_LEASE),
        ("PUT", {"restype": "share", "comp": "properties"}, ROOT, Op.SET_SHARE_PROPERTIES),
        ("PUT", {"restype": "share", "comp": "metadata"}, ROOT, Op.SET_SHARE_METADATA),
        ("GET", {"restype": "share", "comp": "stats"}, ROOT, Op.SHARE_STATS),
        ("GET", {"restype": "share", "comp": "acl"}, ROOT, Op.SHARE_ACL),
        ("PUT", {"restype": "share", "comp": "acl"}, ROOT, Op.SET_SHARE_ACL),
        ("PUT", {"restype": "share", "comp": "filepermission"}, ROOT, Op.CREATE_PERMISSION),
        ("GET", {"restype": "share", "comp": "filepermission"}, ROOT, Op.GET_PERMISSION),
        ("GET", {"comp": "list"}, ACCOUNT, Op.LIST_SHARES),
        ("GET", {"restype": "service", "comp": "properties"}, ACCOUNT, Op.SERVICE_PROPERTIES),
        ("PUT", {"restype": "service", "comp": "properties"}, ACCOUNT, Op.SET_SERVICE_PROPERTIES),
    ],
)
def test_classify(method: str, query: dict[str, str], target: Target, op: Op) -> None:
    assert classify(method, query, target) is op


@pytest.mark.parametrize(
    ("method", "query", "target", "status"),
    [
        ("POST", {}, FILE, 405),
        ("GET", {"comp": "bogus"}, FILE, 400),
        ("PUT", {}, ROOT, 400),
        ("GET", {"comp": "bogus"}, Target("acct", "", ()), 400),
    ],
)
def test_unsupported_requests_are_refused(
    method: str, query: dict[str, str], target: Target, status: int
) -> None:
    with pytest.raises(FileError) as caught:
        classify(method, query, target)
    assert caught.value.status == status
