"""Which account keys a Files request is checked against: those of the moment it is served,
even when a fault rule held it first (the SDK clients over real HTTPS)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.mgmt.storage import StorageManagementClient
from azure.storage.fileshare import ShareClient
from files_helpers import new_storage_account
from localcloud_fixture import LocalCloudHandle, sdk_kwargs

pytestmark = pytest.mark.functional

DELAY_S = 3.0  # how long the fault holds the request; the key is regenerated meanwhile


def _share(lc: LocalCloudHandle, account: str, key: str) -> ShareClient:
    return ShareClient(
        f"{lc.endpoint}/{account}",
        "data",
        credential=key,
        connection_verify=lc.ca_file,
        retry_total=0,
    )


def test_a_request_held_by_a_fault_delay_is_checked_against_the_keys_after_it(
    localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    account = new_storage_account(localcloud, fresh_group)
    storage = StorageManagementClient(
        localcloud.credential(), localcloud.subscription_id, **sdk_kwargs(localcloud)
    )
    keys = storage.storage_accounts.list_keys(fresh_group, account).keys_property
    assert keys and keys[0].value
    share = _share(localcloud, account, keys[0].value)
    share.create_share()
    rule = {"method": "GET", "path": f"/{account}/data\\?restype=share$", "delay": DELAY_S}
    assert localcloud.admin("POST", "faults", json=rule).status_code == 201
    outcome: dict[str, Any] = {}

    def read_properties() -> None:
        try:
            outcome["properties"] = share.get_share_properties()
        except ClientAuthenticationError as error:
            outcome["error"] = error

    reader = threading.Thread(target=read_properties)
    reader.start()
    while any(account in f["path"] for f in localcloud.admin("GET", "faults").json()):
        time.sleep(0.02)  # the rule is gone once the request was classified and held
    storage.storage_accounts.regenerate_key(fresh_group, account, {"keyName": "key1"})
    reader.join()
    assert "properties" not in outcome
    assert outcome["error"].status_code == 403
    assert outcome["error"].error_code == "AuthenticationFailed"
