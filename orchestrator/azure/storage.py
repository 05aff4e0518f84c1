"""Storage accounts through ARM: a Files endpoint and key (listKeys), and the share client.

The key stays in memory (`StorageAccess.key` is never printed or written). `open_share`
builds the data-plane adapter (`files.FileShare`, Shared Key over plain HTTPS).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from orchestrator.azure.errors import ArmRequestError
from orchestrator.azure.sharemodels import StorageAccess
from orchestrator.azure.wire import objects, same, text
from orchestrator.threads import Pool

if TYPE_CHECKING:
    from orchestrator.azure.arm import Arm
    from orchestrator.azure.files import FileShare
    from orchestrator.azure.transport import Transport

API_VERSION = "2026-09-01"  # azure-mgmt-storage's own


class Storage:
    """The storage accounts of one subscription (plain ARM requests, `arm.Arm`)."""

    def __init__(self, arm: Arm) -> None:
        self._arm = arm
        self.endpoint = arm.endpoint

    def access(self, group: str, account: str) -> StorageAccess:
        """The account's Files endpoint and key1: the account and its keys are read at once
        (a round trip, not two); an error of the account's read comes first."""
        path = self._arm.provider(group, "Microsoft.Storage", "storageAccounts", account)
        doing = f"reading storage account {account} in {group}"
        with Pool(1, "storage-keys") as side:
            listing = side.submit(self._arm.post, path + "/listKeys", API_VERSION, doing)
            props = self._arm.get(path, API_VERSION, doing)
            keys = listing.result()
        endpoint = text(props, "properties", "primaryEndpoints", "file").rstrip("/")
        key1 = [k for k in objects(keys.get("keys")) if same(text(k, "keyName"), "key1")]
        if not endpoint or not key1 or not text(key1[0], "value"):
            raise ArmRequestError(
                f"storage account {account} in {group} exposes no file endpoint or no key1 "
                "(is shared-key access off?)"
            )
        return StorageAccess(account, endpoint, text(key1[0], "value"))


def open_share(
    access: StorageAccess,
    share: str,
    *,
    verify: str | bool,
    backoff: float,
    transport: Transport | None = None,
) -> FileShare:
    """The data-plane adapter of one share (`backoff` seconds before the first retry of a
    failed request), on `transport` when given (the invocation's pool), else its own."""
    from orchestrator.azure.files import FileShare

    return FileShare(access, share, verify=verify, backoff=backoff, transport=transport)
