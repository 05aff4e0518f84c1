"""The storage adapter against recorded Azure answers: the Files endpoint and key1."""

from __future__ import annotations

import pytest
from recorded import (
    Exchange,
    RecordedTransport,
    recorded_arm,
    recording,
)

from orchestrator.azure.errors import ArmRequestError, NotFound
from orchestrator.azure.storage import Storage


def storage(exchanges: list[Exchange]) -> Storage:
    return Storage(recorded_arm(RecordedTransport(exchanges)))


def test_the_files_endpoint_and_key1_are_read_and_the_key_never_shown() -> None:
    keys = recording("storage_list_keys")
    access = storage([*recording("storage_account_get"), *keys]).access(
        "clitest.rg000001", "clitest000002"
    )
    key1 = next(k for k in keys[0].body["keys"] if k["keyName"] == "key1")  # type: ignore[index]
    assert access.file_endpoint == "https://clitest000002.file.core.windows.net"
    assert access.key == key1["value"]
    assert key1["value"] not in repr(access)


def test_an_account_without_key1_is_a_clear_error() -> None:
    no_keys = Exchange("POST", 200, {"keys": []})
    with pytest.raises(ArmRequestError) as caught:
        storage([*recording("storage_account_get"), no_keys]).access("g", "clitest000002")
    assert "no key1" in caught.value.message


def test_a_missing_account_is_not_found() -> None:
    gone = {"error": {"code": "ResourceNotFound", "message": "not found"}}
    with pytest.raises(NotFound):  # the account and its keys are asked for at once
        storage([Exchange("GET", 404, gone), Exchange("POST", 404, gone)]).access("g", "nosuch")


def test_the_account_and_its_keys_are_read_at_once_and_the_accounts_error_comes_first() -> None:
    gone = {"error": {"code": "ResourceNotFound", "message": "not found"}}
    refused = {"error": {"code": "AuthorizationFailed", "message": "no listKeys"}}
    transport = RecordedTransport([Exchange("POST", 403, refused), Exchange("GET", 404, gone)])
    with pytest.raises(NotFound):
        Storage(recorded_arm(transport)).access("g", "nosuch")
    assert sorted(method for method, _ in transport.asked) == ["GET", "POST"]
