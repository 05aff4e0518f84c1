"""Microsoft.Storage: storage accounts (with their keys), file services and file shares.

Account keys live in the store under kind `storagekeys`, key = account name lower-cased,
doc `{"key1": ..., "key2": ...}`; the Files data plane checks Shared Key signatures against
exactly that document. Keys are never part of a GET: only `listKeys` returns them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from localcloud.arm.errors import ArmError
from localcloud.ids import ResourceId
from localcloud.providers.base import RESOURCE
from localcloud.providers.common import (
    CheckedProvider,
    Problem,
    azure_time,
    base_doc,
    location_check,
    new_key,
    properties_of,
)

if TYPE_CHECKING:
    from localcloud.cloud import Store

ACCOUNT_TYPE = "Microsoft.Storage/storageAccounts"
FILE_SERVICE_TYPE = "Microsoft.Storage/storageAccounts/fileServices"
SHARE_TYPE = "Microsoft.Storage/storageAccounts/fileServices/shares"
KEYS = "storagekeys"
KEY_NAMES = ("key1", "key2")

# Only the file endpoint is served; the others are informational and resolve nowhere.
_OTHER_SERVICES = ("blob", "queue", "table", "dfs", "web")


def account_keys(store: Store, account: str) -> dict[str, str] | None:
    """`{"key1", "key2"}` of a storage account localcloud knows, by name (any case)."""
    doc = store.get(KEYS, account.lower())
    return {k: str(doc[k]) for k in KEY_NAMES if k in doc} if doc else None


def sku_with_tier(sku: Mapping[str, Any] | None) -> dict[str, Any]:
    name = str((sku or {}).get("name") or "Standard_LRS")
    return {"name": name, "tier": "Premium" if name.startswith("Premium") else "Standard"}


def endpoints(account: str, file_url: str) -> dict[str, str]:
    out = {svc: f"https://{account}.{svc}.localcloud.internal/" for svc in _OTHER_SERVICES}
    out["file"] = file_url.rstrip("/") + "/"
    return dict(sorted(out.items()))


def account_properties(
    account: str,
    location: str,
    requested: Mapping[str, Any],
    previous: Mapping[str, Any],
    file_url: str,
    now: str,
) -> dict[str, Any]:
    """What a GET of the account shows: the requested settings plus what Azure computes."""
    created = str(previous.get("creationTime") or now)
    enabled = {"keyType": "Account", "enabled": True, "lastEnabledTime": created}
    props: dict[str, Any] = {
        "accessTier": "Hot",
        "allowBlobPublicAccess": False,
        "minimumTlsVersion": "TLS1_2",
        "supportsHttpsTrafficOnly": True,
        "networkAcls": {
            "bypass": "AzureServices",
            "virtualNetworkRules": [],
            "ipRules": [],
            "defaultAction": "Allow",
        },
        "encryption": {
            "services": {"file": enabled, "blob": enabled},
            "keySource": "Microsoft.Storage",
        },
        "privateEndpointConnections": [],
        **requested,
        "keyCreationTime": previous.get("keyCreationTime") or {"key1": created, "key2": created},
        "creationTime": created,
        "primaryEndpoints": endpoints(account, file_url),
        "primaryLocation": location,
        "statusOfPrimary": "available",
        "provisioningState": "Succeeded",
    }
    return props


class StorageAccountProvider(CheckedProvider):
    types = (ACCOUNT_TYPE,)

    def preflight(self, rid: ResourceId, body: dict[str, Any]) -> list[Problem]:
        return [*super().preflight(rid, body), *location_check(body)]

    def admission(self, rid: ResourceId, body: dict[str, Any]) -> list[Problem]:
        return self._taken(rid)

    def _taken(self, rid: ResourceId) -> list[Problem]:
        """Storage account names are global: another group's account blocks the name."""
        for doc in self.cloud.store.list(RESOURCE):
            if (
                str(doc.get("name", "")).lower() == rid.name.lower()
                and str(doc.get("type", "")).lower() == ACCOUNT_TYPE.lower()
                and str(doc.get("id", "")).lower() != rid.key
            ):
                return [
                    Problem(
                        409,
                        "StorageAccountAlreadyTaken",
                        f"The storage account named {rid.name} is already taken.",
                        "name",
                    )
                ]
        return []

    def shape(
        self, rid: ResourceId, body: dict[str, Any], existing: dict[str, Any] | None
    ) -> dict[str, Any]:
        doc = base_doc(rid, body, ("location", "tags", "identity", "extendedLocation"))
        doc["sku"] = sku_with_tier(body.get("sku"))
        doc["kind"] = body.get("kind") or "StorageV2"
        previous = properties_of(existing or {})
        doc["properties"] = account_properties(
            rid.name,
            str(body.get("location")),
            properties_of(body),
            previous,
            self.cloud.files.account_url(rid.name),
            azure_time(),
        )
        return doc

    def put(self, rid: ResourceId, body: dict[str, Any], *, api_version: str) -> dict[str, Any]:
        first = self.stored(rid) is None
        doc = super().put(rid, body, api_version=api_version)
        if first or account_keys(self.cloud.store, rid.name) is None:
            self.cloud.store.put(KEYS, rid.name.lower(), {k: new_key() for k in KEY_NAMES})
        return doc

    def delete(self, rid: ResourceId) -> bool:
        self.delete_children(rid)
        self.cloud.store.delete(KEYS, rid.name.lower())
        return super().delete(rid)

    def action(self, rid: ResourceId, action: str, body: Any, *, api_version: str) -> Any:
        doc = self.require(rid)
        match action.lower():
            case "listkeys":
                return self._list_keys(doc)
            case "regeneratekey":
                return self._regenerate(doc, body)
            case _:
                return super().action(rid, action, body, api_version=api_version)

    def _list_keys(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        keys = account_keys(self.cloud.store, str(doc["name"])) or {}
        created = properties_of(doc).get("keyCreationTime") or {}
        return {
            "keys": [
                {
                    "keyName": name,
                    "value": keys.get(name, ""),
                    "permissions": "FULL",
                    "creationTime": created.get(name),
                }
                for name in KEY_NAMES
            ]
        }

    def _regenerate(self, doc: dict[str, Any], body: Any) -> dict[str, Any]:
        key_name = str((body or {}).get("keyName", "")).lower()
        if key_name not in KEY_NAMES:
            raise ArmError(
                400,
                "InvalidValuesForRequestParameters",
                f"Values for request parameters are invalid: keyName '{key_name}'.",
                "keyName",
            )
        name = str(doc["name"])
        keys = account_keys(self.cloud.store, name) or {k: new_key() for k in KEY_NAMES}
        keys[key_name] = new_key()
        self.cloud.store.put(KEYS, name.lower(), keys)
        props = dict(doc["properties"])
        props["keyCreationTime"] = {**props.get("keyCreationTime", {}), key_name: azure_time()}
        doc["properties"] = props
        self.cloud.store.put(RESOURCE, str(doc["id"]).lower(), doc)
        return self._list_keys(doc)


class FileServiceProvider(CheckedProvider):
    """`fileServices/default`: implicit in every account (GET works before any PUT)."""

    types = (FILE_SERVICE_TYPE,)

    def admission(self, rid: ResourceId, body: dict[str, Any]) -> list[Problem]:
        return self.parent_check(rid)

    def shape(
        self, rid: ResourceId, body: dict[str, Any], existing: dict[str, Any] | None
    ) -> dict[str, Any]:
        doc = base_doc(rid, body, ())
        account = rid.parent
        account_doc = self.cloud.store.get(RESOURCE, account.key) if account else None
        doc["sku"] = sku_with_tier((account_doc or {}).get("sku"))
        doc["properties"] = {
            "protocolSettings": {"smb": {}},
            "cors": {"corsRules": []},
            **properties_of(body),
        }
        return doc

    def get(self, rid: ResourceId) -> dict[str, Any] | None:
        stored = self.stored(rid)
        account = rid.parent
        if stored or account is None or rid.name.lower() != "default":
            return stored
        if self.cloud.store.get(RESOURCE, account.key) is None:
            return None
        return self.shape(rid, {}, None)


class FileShareProvider(CheckedProvider):
    """Shares: each PUT makes sure the share's folder exists; DELETE removes the folder."""

    types = (SHARE_TYPE,)

    def admission(self, rid: ResourceId, body: dict[str, Any]) -> list[Problem]:
        return self.parent_check(rid)

    def shape(
        self, rid: ResourceId, body: dict[str, Any], existing: dict[str, Any] | None
    ) -> dict[str, Any]:
        now = azure_time()
        doc = base_doc(rid, body, ("metadata",))
        doc["properties"] = {
            "accessTier": "TransactionOptimized",
            "enabledProtocols": "SMB",
            "shareQuota": 5120,
            **properties_of(body),
            "lastModifiedTime": now,
            "accessTierChangeTime": properties_of(existing or {}).get("accessTierChangeTime")
            or now,
            "leaseStatus": "unlocked",
            "leaseState": "available",
            "provisioningState": "Succeeded",
        }
        return doc

    def put(self, rid: ResourceId, body: dict[str, Any], *, api_version: str) -> dict[str, Any]:
        doc = super().put(rid, body, api_version=api_version)
        self.cloud.files.share_path(rid.names[0], rid.name)
        return doc

    def delete(self, rid: ResourceId) -> bool:
        existed = super().delete(rid)
        if existed:
            self.cloud.files.delete_share(rid.names[0], rid.name)
        return existed
