"""Bad input, correctly signed, sent raw over HTTPS: always a 4xx with an Azure error code,
never a 500 and never a file outside the share."""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest
import requests
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.storage import StorageManagementClient
from localcloud_fixture import LocalCloudHandle, sdk_kwargs, unique_name

from localcloud.files.sharedkey import SignedRequest, sign, string_to_sign

pytestmark = pytest.mark.functional


@pytest.fixture(scope="module")
def account(localcloud: LocalCloudHandle) -> Iterator[tuple[str, str]]:
    """(account name, key1) of a new account with a share `data`."""
    resources = ResourceManagementClient(
        localcloud.credential(), localcloud.subscription_id, **sdk_kwargs(localcloud)
    )
    group = unique_name("rg-files-bad")
    resources.resource_groups.create_or_update(group, {"location": "eastus"})
    name = "st" + uuid.uuid4().hex[:16]
    account_id = (
        f"/subscriptions/{localcloud.subscription_id}/resourceGroups/{group}"
        f"/providers/Microsoft.Storage/storageAccounts/{name}"
    )
    for resource_id, body in (
        (account_id, {"location": "eastus", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}),
        (f"{account_id}/fileServices/default/shares/data", {"properties": {}}),
    ):
        resources.resources.begin_create_or_update_by_id(
            resource_id, body, api_version="2023-01-01", polling_interval=0.1
        ).result()
    storage = StorageManagementClient(
        localcloud.credential(), localcloud.subscription_id, **sdk_kwargs(localcloud)
    )
    keys = storage.storage_accounts.list_keys(group, name).keys_property or []
    yield name, next(str(k.value) for k in keys if k.key_name == "key1")
    if localcloud.running:
        resources.resource_groups.begin_delete(group, polling=False)


def signed_request(
    localcloud: LocalCloudHandle,
    account: tuple[str, str],
    method: str,
    path_and_query: str,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
) -> requests.Response:
    name, key = account
    raw_path, _, raw_query = f"/{name}{path_and_query}".partition("?")
    sent = {
        "x-ms-version": "2026-10-06",
        "x-ms-date": format_datetime(datetime.now(timezone.utc), usegmt=True),
        **(headers or {}),
    }
    signed_headers = dict(sent)
    if body:
        signed_headers["Content-Length"] = str(len(body))
    text = string_to_sign(
        SignedRequest(method, raw_path, raw_query, tuple(signed_headers.items())), name
    )
    sent["Authorization"] = f"SharedKey {name}:{sign(key, text)}"
    return requests.request(
        method,
        f"{localcloud.endpoint}{raw_path}" + (f"?{raw_query}" if raw_query else ""),
        headers=sent,
        data=body or None,
        verify=localcloud.ca_file,
        timeout=30,
    )


def test_a_signed_request_is_accepted(
    localcloud: LocalCloudHandle, account: tuple[str, str]
) -> None:
    response = signed_request(localcloud, account, "GET", "/data?restype=directory&comp=list")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/xml")


BAD_REQUESTS = [
    ("PUT", "/data/%2E%2E%2Fescape?restype=directory", {}, 400, "InvalidResourceName"),
    ("PUT", "/data/a%2F..%2F..%2Fescape?restype=directory", {}, 400, "InvalidResourceName"),
    ("PUT", "/data/%2Fabs?restype=directory", {}, 400, "InvalidResourceName"),
    ("PUT", "/data/%FF%FE?restype=directory", {}, 400, "InvalidResourceName"),
    ("PUT", "/data/nul%00?restype=directory", {}, 400, "InvalidResourceName"),
    ("PUT", "/data/f.txt", {"x-ms-type": "file"}, 400, "MissingRequiredHeader"),
    (
        "PUT",
        "/data/f.txt",
        {"x-ms-type": "file", "x-ms-content-length": "-5"},
        400,
        "InvalidHeaderValue",
    ),
    (
        "GET",
        "/data?restype=directory&comp=list&maxresults=x",
        {},
        400,
        "InvalidQueryParameterValue",
    ),
    ("GET", "/data?restype=directory&comp=list&marker=zzz", {}, 400, "InvalidQueryParameterValue"),
    ("GET", "/data?restype=directory&comp=bogus", {}, 400, "InvalidQueryParameterValue"),
    ("POST", "/data/f.txt", {}, 405, "UnsupportedHttpVerb"),
    ("GET", "/data/missing.txt", {"x-ms-range": "bytes=0-1"}, 404, "ResourceNotFound"),
    ("GET", "/nosuchshare/x.txt", {}, 404, "ShareNotFound"),
    ("GET", "/BAD_SHARE/x.txt", {}, 400, "InvalidResourceName"),
    ("GET", "?comp=bogus", {}, 400, "InvalidQueryParameterValue"),
]


@pytest.mark.parametrize(("method", "path", "headers", "status", "code"), BAD_REQUESTS)
def test_bad_input_is_a_client_error(
    localcloud: LocalCloudHandle,
    account: tuple[str, str],
    method: str,
    path: str,
    headers: dict[str, str],
    status: int,
    code: str,
) -> None:
    response = signed_request(localcloud, account, method, path, headers)
    assert (response.status_code, response.headers.get("x-ms-error-code")) == (status, code)
    assert f"<Code>{code}</Code>" in response.text


def test_put_range_errors(localcloud: LocalCloudHandle, account: tuple[str, str]) -> None:
    create = {"x-ms-type": "file", "x-ms-content-length": "10"}
    assert signed_request(localcloud, account, "PUT", "/data/r.bin", create).status_code == 201
    cases = [
        ({"x-ms-write": "update", "x-ms-range": "bytes=5-14"}, b"x" * 10, 416, "InvalidRange"),
        ({"x-ms-write": "update", "x-ms-range": "bytes=0-3"}, b"x" * 3, 400, "InvalidHeaderValue"),
        ({"x-ms-write": "replace", "x-ms-range": "bytes=0-3"}, b"x" * 4, 400, "InvalidHeaderValue"),
        ({"x-ms-range": "bytes=0-3"}, b"x" * 4, 400, "MissingRequiredHeader"),
        (
            {
                "x-ms-write": "update",
                "x-ms-range": "bytes=0-3",
                "Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA==",
            },
            b"abcd",
            400,
            "Md5Mismatch",
        ),
    ]
    bad_get = signed_request(localcloud, account, "GET", "/data/r.bin", {"x-ms-range": "bytes=x"})
    assert (bad_get.status_code, bad_get.headers["x-ms-error-code"]) == (416, "InvalidRange")
    for headers, body, status, code in cases:
        response = signed_request(
            localcloud, account, "PUT", "/data/r.bin?comp=range", headers, body
        )
        assert (response.status_code, response.headers.get("x-ms-error-code")) == (status, code)


def test_nothing_escaped_the_share(localcloud: LocalCloudHandle, account: tuple[str, str]) -> None:
    for path in ("/data/%2E%2E%2Fescape?restype=directory", "/data/..%2Fescape2?restype=directory"):
        signed_request(localcloud, account, "PUT", path)
    account_dir = Path(localcloud.state_dir) / "files" / account[0]
    assert sorted(p.name for p in account_dir.iterdir()) == ["data"]


def test_stale_date_is_refused(localcloud: LocalCloudHandle, account: tuple[str, str]) -> None:
    old = "Wed, 01 Jan 2020 00:00:00 GMT"
    response = signed_request(
        localcloud, account, "GET", "/data?restype=directory", {"x-ms-date": old}
    )
    assert (response.status_code, response.headers["x-ms-error-code"]) == (
        403,
        "AuthenticationFailed",
    )


def test_random_key_length_does_not_matter(
    localcloud: LocalCloudHandle, account: tuple[str, str]
) -> None:
    wrong = (account[0], base64.b64encode(os.urandom(17)).decode())
    response = signed_request(localcloud, wrong, "GET", "/data?restype=directory")
    assert response.status_code == 403
