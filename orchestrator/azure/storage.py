"""Storage accounts through ARM: a Files endpoint and key (listKeys), and the share client.

The key stays in memory (`StorageAccess.key` is never printed or written). `open_share`
builds the data-plane adapter (`files.FileShare`) with retries of our own schedule.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from orchestrator.azure.errors import ArmRequestError, calling
from orchestrator.azure.files import FileShare
from orchestrator.azure.http import http_session
from orchestrator.azure.models import StorageAccess
from orchestrator.azure.wire import objects, same, text, wire

if TYPE_CHECKING:
    from azure.mgmt.storage import StorageManagementClient
    from azure.storage.fileshare import ExponentialRetry

# Retries of one file share request (a 5xx, a dropped connection): `backoff` seconds, then
# doubled, +-20 % jitter, at most FILES_RETRY_MAX_S. The SDK's default waits 15 s + 3^n.
FILES_RETRIES = 3
FILES_RETRY_MAX_S = 30.0


class Storage:
    """The storage accounts of one subscription."""

    def __init__(self, client: StorageManagementClient, *, endpoint: str) -> None:
        self._client = client
        self.endpoint = endpoint

    def access(self, group: str, account: str) -> StorageAccess:
        """The account's Files endpoint and key1."""
        accounts = self._client.storage_accounts
        with calling(f"reading storage account {account} in {group}", self.endpoint):
            props = wire(accounts.get_properties(group, account))
            keys = wire(accounts.list_keys(group, account))
        endpoint = text(props, "properties", "primaryEndpoints", "file").rstrip("/")
        key1 = [k for k in objects(keys.get("keys")) if same(text(k, "keyName"), "key1")]
        if not endpoint or not key1 or not text(key1[0], "value"):
            raise ArmRequestError(
                f"storage account {account} in {group} exposes no file endpoint or no key1 "
                "(is shared-key access off?)"
            )
        return StorageAccess(account, endpoint, text(key1[0], "value"))


def open_share(
    access: StorageAccess, share: str, *, verify: str | bool, backoff: float
) -> FileShare:
    """The data-plane adapter of one share (its own connection pool)."""
    from azure.core.pipeline.transport import RequestsTransport
    from azure.storage.fileshare import ShareClient

    client = ShareClient(
        access.file_endpoint,
        share,
        credential={"account_name": access.account, "account_key": access.key},
        connection_verify=verify,
        transport=RequestsTransport(
            session=http_session(verify), session_owner=False, connection_verify=verify
        ),
        retry_policy=files_retry_policy(backoff),
    )
    return FileShare(client, f"{access.account}/{share}")


def files_retry_policy(backoff: float) -> ExponentialRetry:
    """The SDK's retry policy with our schedule (its own default waits 15 s + 3^n)."""
    from azure.storage.fileshare import ExponentialRetry

    class Retry(ExponentialRetry):
        def get_backoff_time(self, settings: dict[str, Any]) -> float:
            count = max(1, int(settings.get("count") or 1))
            wait = min(FILES_RETRY_MAX_S, backoff * 2 ** (count - 1))
            return float(wait * random.uniform(0.8, 1.2))

    return Retry(
        retry_total=FILES_RETRIES,
        retry_connect=FILES_RETRIES,
        retry_read=FILES_RETRIES,
        retry_status=FILES_RETRIES,
    )
