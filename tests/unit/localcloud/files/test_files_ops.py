"""Which operation a request is."""

from __future__ import annotations

import pytest

from localcloud.files.errors import FileError
from localcloud.files.ops import Op, classify
from localcloud.files.paths import Target

FILE = Target("acct", "share", ("dir", "f.txt"))
ROOT = Target("acct", "share", ())


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
        ("GET", {"comp": "list"}, Target("acct", "", ()), 400),
    ],
)
def test_unsupported_requests_are_refused(
    method: str, query: dict[str, str], target: Target, status: int
) -> None:
    with pytest.raises(FileError) as caught:
        classify(method, query, target)
    assert caught.value.status == status
