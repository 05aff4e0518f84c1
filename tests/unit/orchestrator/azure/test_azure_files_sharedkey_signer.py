"""Our Shared Key signatures are the ones the File service computes: checked against
localcloud's verifier (which follows the service's canonicalization, header collation
included) for the requests the Files adapter sends; a key that is not base64 is refused
before any request."""

from __future__ import annotations

import base64
from urllib.parse import quote, urlencode

import pytest

from localcloud.files import sharedkey as service
from orchestrator.azure import sharedkey
from orchestrator.azure.errors import AuthFailed
from orchestrator.azure.files import FileShare
from orchestrator.azure.sharemodels import StorageAccess

KEY = base64.b64encode(bytes(range(64))).decode()
ACCOUNT = "acct"

REQUESTS = [
    ("GET", "/acct/share", {"restype": "share"}, {}),
    (
        "GET",
        "/acct/share/a%20b/c",
        {"restype": "directory", "comp": "list", "include": "Etag", "marker": "x/y z"},
        {},
    ),
    ("HEAD", "/acct/share/dir/f%C3%BC.bin", {}, {}),
    (
        "PUT",
        "/acct/share/f.bin",
        {},
        {
            "x-ms-type": "file",
            "x-ms-content-length": "12",
            "x-ms-content-type": "text/plain",
            "content-length": "0",
        },
    ),
    (
        "PUT",
        "/acct/share/f.bin",
        {"comp": "range"},
        {"x-ms-write": "update", "x-ms-range": "bytes=0-11", "content-length": "12"},
    ),
    (
        "PUT",
        "/acct/share/f.bin",
        {"comp": "properties"},
        {"x-ms-content-type": "text/plain", "x-ms-content-md5": "AAAAAAAAAAAAAAAAAAAAAA=="},
    ),
    ("DELETE", "/acct/share/dir", {"restype": "directory"}, {}),
]


@pytest.mark.parametrize(("method", "path", "query", "headers"), REQUESTS)
def test_the_service_accepts_our_signature(
    method: str, path: str, query: dict[str, str], headers: dict[str, str]
) -> None:
    sent = {**headers, "x-ms-date": "Wed, 02 Dec 2026 21:00:00 GMT", "x-ms-version": "2026-10-06"}
    text = sharedkey.string_to_sign(ACCOUNT, method, path, query, sent)
    signature = sharedkey.signature(sharedkey.decode_key(KEY), text)
    arrived = service.SignedRequest(
        method, path, urlencode(query, quote_via=quote), tuple(sent.items())
    )
    assert text == service.string_to_sign(arrived, ACCOUNT)
    assert service.matches(signature, [KEY], service.string_to_sign(arrived, ACCOUNT))


def test_a_zero_content_length_is_signed_as_empty() -> None:
    with_zero = sharedkey.string_to_sign(ACCOUNT, "PUT", "/a/s/f", {}, {"content-length": "0"})
    without = sharedkey.string_to_sign(ACCOUNT, "PUT", "/a/s/f", {}, {})
    assert with_zero == without


def test_the_ms_headers_sort_as_the_service_collates_them() -> None:
    names = ["x-ms-write", "x-ms-content-md5", "x-ms-content-length", "x-ms-date", "x-ms-range"]
    ours = sorted(names, key=sharedkey.header_order)
    assert ours == sorted(names, key=service.header_sort_key)


def test_a_key_that_is_not_base64_is_refused() -> None:
    with pytest.raises(ValueError, match="not valid base64"):
        sharedkey.decode_key("not base64!")


def test_a_share_opened_with_a_key_that_is_not_base64_is_an_authentication_error() -> None:
    access = StorageAccess("acct", "https://acct.file.core.windows.net", "not base64!")
    with pytest.raises(AuthFailed, match="not base64") as caught:
        FileShare(access, "share", verify=True, backoff=1.0)
    assert caught.value.hint
