"""Shared Key string-to-sign and signatures, checked against the captured wire example and
against the official SDK's own signing policy."""

from __future__ import annotations

import base64

from azure.core.pipeline import PipelineContext, PipelineRequest
from azure.core.pipeline.transport import HttpRequest
from azure.storage.fileshare._shared import sign_string
from azure.storage.fileshare._shared.authentication import (
    SharedKeyCredentialPolicy,
    _storage_header_sort,
)

from localcloud.files.sharedkey import (
    SignedRequest,
    header_sort_key,
    matches,
    parse_authorization,
    sign,
    string_to_sign,
)

KEY = base64.b64encode(bytes(range(64))).decode()
OTHER_KEY = base64.b64encode(bytes(64)).decode()
REQUEST_ID = "c3305c9c-8f4e-11f0-9f6a-0242ac120002"

# Reference §2, the captured Put Range of 12 bytes (path-style: the account twice).
CAPTURED = (
    "PUT\n\n\n12\n\napplication/octet-stream\n\n\n\n\n\n\n"
    f"x-ms-client-request-id:{REQUEST_ID}\n"
    "x-ms-date:Wed, 25 Nov 2026 08:32:34 GMT\n"
    "x-ms-range:bytes=0-11\nx-ms-version:2026-10-06\nx-ms-write:update\n"
    "/devstoreaccount1/devstoreaccount1/share/inference/app.py\ncomp:range"
)


def put_range_request() -> SignedRequest:
    return SignedRequest(
        method="PUT",
        raw_path="/devstoreaccount1/share/inference/app.py",
        raw_query="comp=range",
        headers=(
            ("Host", "127.0.0.1:8443"),
            ("x-ms-version", "2026-10-06"),
            ("x-ms-write", "update"),
            ("x-ms-range", "bytes=0-11"),
            ("Content-Type", "application/octet-stream"),
            ("x-ms-date", "Wed, 25 Nov 2026 08:32:34 GMT"),
            ("x-ms-client-request-id", REQUEST_ID),
            ("Content-Length", "12"),
            ("User-Agent", "azsdk-python-storage-file-share/12.27.1"),
        ),
    )


def test_string_to_sign_reproduces_the_captured_put_range() -> None:
    assert string_to_sign(put_range_request(), "devstoreaccount1") == CAPTURED


def test_zero_content_length_signs_as_empty() -> None:
    request = SignedRequest("PUT", "/a/s/d", "restype=directory", (("Content-Length", "0"),))
    assert string_to_sign(request, "a").startswith("PUT\n\n\n\n")


def test_date_slot_is_empty_when_x_ms_date_is_sent() -> None:
    both = SignedRequest(
        "GET", "/a/s", "", (("Date", "Wed, 25 Nov 2026 08:00:00 GMT"), ("x-ms-date", "x"))
    )
    only_date = SignedRequest("GET", "/a/s", "", (("Date", "Wed, 25 Nov 2026 08:00:00 GMT"),))
    assert string_to_sign(both, "a").split("\n")[6] == ""
    assert string_to_sign(only_date, "a").split("\n")[6] == "Wed, 25 Nov 2026 08:00:00 GMT"


def test_bare_x_ms_meta_header_is_signed() -> None:
    request = SignedRequest(
        "PUT",
        "/a/s/f",
        "",
        (("x-ms-meta-sha256", "abc"), ("x-ms-meta", "{'sha256': 'abc'}"), ("x-ms-type", "file")),
    )
    text = string_to_sign(request, "a")
    assert "x-ms-meta:{'sha256': 'abc'}\nx-ms-meta-sha256:abc\nx-ms-type:file\n" in text


def test_raw_encoded_path_and_decoded_sorted_query_are_signed() -> None:
    request = SignedRequest(
        "GET",
        "/acct/share/inference%2Futils",
        "restype=directory&include=timestamps%2CEtag&comp=list&prefix=a%20b",
        (),
    )
    text = string_to_sign(request, "acct")
    assert text.endswith(
        "/acct/acct/share/inference%2Futils\ncomp:list\ninclude:timestamps,Etag"
        "\nprefix:a b\nrestype:directory"
    )


def test_header_order_matches_the_sdk_collation() -> None:
    names = [
        "x-ms-meta-a_b",
        "x-ms-meta-ab",
        "x-ms-meta",
        "x-ms-meta-a",
        "x-ms-file-permission-key",
        "x-ms-file-permission",
        "x-ms-filepermission",
        "x-ms-content-md5",
        "x-ms-contentmd5",
        "x-ms-meta-z9",
        "x-ms-meta-Z1",
        "x-ms-a-b-c",
        "x-ms-ab-c",
        "x-ms-abc",
        "x-ms-meta-x|y",
        "x-ms-meta-x~y",
        "x-ms-meta-x+y",
        "x-ms-meta-x.y",
    ]
    expected = [name for name, _ in _storage_header_sort([(n, "") for n in names])]
    assert sorted(names, key=header_sort_key) == expected


def test_signature_made_by_the_sdk_policy_verifies() -> None:
    url = "https://127.0.0.1:8443/acct/share/dir%2Fsub/my%20file.txt?comp=range"
    http_request = HttpRequest("PUT", url)
    http_request.headers.update(
        {
            "x-ms-version": "2026-10-06",
            "x-ms-date": "Wed, 25 Nov 2026 08:32:34 GMT",
            "x-ms-range": "bytes=0-3",
            "x-ms-write": "update",
            "Content-Length": "4",
            "Content-Type": "application/octet-stream",
        }
    )
    SharedKeyCredentialPolicy("acct", KEY).on_request(
        PipelineRequest(http_request, PipelineContext(None))
    )
    authorization = parse_authorization(http_request.headers["Authorization"])
    assert authorization is not None and authorization.account == "acct"
    signed = SignedRequest(
        "PUT",
        "/acct/share/dir%2Fsub/my%20file.txt",
        "comp=range",
        tuple(http_request.headers.items()),
    )
    text = string_to_sign(signed, "acct")
    assert matches(authorization.signature, [OTHER_KEY, KEY], text)
    assert not matches(authorization.signature, [OTHER_KEY], text)


def test_sign_agrees_with_the_sdk() -> None:
    assert sign(KEY, "x\ny") == sign_string(KEY, "x\ny")


def test_invalid_key_never_matches() -> None:
    assert not matches("abc", ["not base64!"], "text")


def test_parse_authorization_accepts_only_shared_key() -> None:
    assert parse_authorization("SharedKey acct:c2ln") is not None
    assert parse_authorization("Bearer token") is None
    assert parse_authorization("SharedKey acct") is None
    assert parse_authorization(None) is None
