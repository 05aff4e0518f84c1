"""Shared access signatures made by the official client library verify, and only for what
they grant."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl

import pytest
from azure.storage.fileshare import (
    AccountSasPermissions,
    FileSasPermissions,
    ResourceTypes,
    ShareSasPermissions,
    generate_account_sas,
    generate_file_sas,
    generate_share_sas,
)

from localcloud.files import sas
from localcloud.files.errors import FileError
from localcloud.files.paths import Target
from localcloud.files.shareprops import AccessPolicy

KEY = "a" * 30 + "b" * 30 + "cdef"  # valid base64
OTHER_KEY = "b" * 64
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
LATER = NOW + timedelta(hours=1)
FILE = Target("acct", "share", ("dir", "a.txt"))


def query(token: str) -> dict[str, str]:
    return dict(parse_qsl(token))


def no_policy(identifier: str) -> AccessPolicy | None:
    return None


def verify(token: str, target: Target = FILE, keys: list[str] | None = None) -> sas.Grant:
    return sas.verify(query(token), target, keys or [OTHER_KEY, KEY], NOW, no_policy)


def code_of(call: object) -> tuple[int, str]:
    with pytest.raises(FileError) as caught:
        call()  # type: ignore[operator]
    return caught.value.status, caught.value.code


def test_a_file_sas_grants_its_permissions_and_header_overrides() -> None:
    token = generate_file_sas(
        "acct",
        "share",
        ["dir", "a.txt"],
        KEY,
        permission=FileSasPermissions(read=True),
        expiry=LATER,
        content_type="text",
        cache_control="no-cache",
    )
    grant = verify(token)
    sas.require(grant, "r")
    assert dict(grant.overrides) == {"Content-Type": "text", "Cache-Control": "no-cache"}
    assert code_of(lambda: sas.require(grant, "w")) == (403, "AuthorizationPermissionMismatch")


def test_a_file_sas_does_not_cover_another_file() -> None:
    token = generate_file_sas("acct", "share", ["dir", "a.txt"], KEY, permission="r", expiry=LATER)
    other = Target("acct", "share", ("dir", "b.txt"))
    assert code_of(lambda: verify(token, other)) == (403, "AuthenticationFailed")


def test_a_share_sas_covers_every_file_of_the_share() -> None:
    token = generate_share_sas(
        "acct", "share", KEY, permission=ShareSasPermissions(list=True), expiry=LATER
    )
    assert verify(token).permissions == "l"


def test_an_account_sas_needs_the_file_service_and_the_resource_type() -> None:
    token = generate_account_sas(
        "acct",
        KEY,
        resource_types=ResourceTypes(object=True),
        permission=AccountSasPermissions(read=True),
        expiry=LATER,
    )
    assert verify(token).permissions == "r"
    assert code_of(lambda: verify(token, Target("acct", "share", ()))) == (
        403,
        "AuthenticationFailed",
    )


def test_an_expired_or_wrongly_signed_sas_fails() -> None:
    expired = generate_file_sas(
        "acct", "share", ["dir", "a.txt"], KEY, permission="r", expiry=NOW - timedelta(1)
    )
    assert code_of(lambda: verify(expired))[1] == "AuthenticationFailed"
    valid = generate_file_sas("acct", "share", ["dir", "a.txt"], KEY, permission="r", expiry=LATER)
    assert code_of(lambda: verify(valid, keys=[OTHER_KEY]))[1] == "AuthenticationFailed"


def test_a_stored_policy_supplies_what_the_token_leaves_out() -> None:
    token = generate_file_sas("acct", "share", ["dir", "a.txt"], KEY, policy_id="p1")
    policy = AccessPolicy("p1", None, LATER.strftime("%Y-%m-%dT%H:%M:%SZ"), "rw")

    def policy_of(identifier: str) -> AccessPolicy | None:
        return policy if identifier == "p1" else None

    grant = sas.verify(query(token), FILE, [KEY], NOW, policy_of)
    assert grant.permissions == "rw"
    assert code_of(lambda: sas.verify(query(token), FILE, [KEY], NOW, no_policy))[0] == 403
