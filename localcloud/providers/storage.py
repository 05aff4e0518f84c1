"""Microsoft.Storage: storage accounts (with their keys); file services and shares are in
localcloud/providers/fileshares.py.

Account keys live in the store under kind `storagekeys`, key = account name lower-cased,
doc `{"key1": ..., "key2": ...}`; the Files data plane checks Shared Key signatures against
exactly that document. Keys are never part of a GET: only `listKeys` returns them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aiohttp import web

from localcloud.arm.asyncops import STORAGE_KIND, AsyncOperations, accepted_create
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
from localcloud.providers.naming import name_problem

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


def merged(defaults: Mapping[str, Any], requested: Mapping[str, Any]) -> dict[str, Any]:
    """`requested` over `defaults`, objects merged key by key (pure)."""
    out = dict(defaults)
    for key, value in requested.items():
        base = out.get(key)
        if isinstance(value, Mapping) and isinstance(base, Mapping):
            out[key] = merged(base, value)
        else:
            out[key] = value
    return out


def account_properties(
    account: str,
    location: str,
    kind: str,
    requested: Mapping[str, Any],
    previous: Mapping[str, Any],
    file_url: str,
    now: str,
) -> dict[str, Any]:
    """What a GET of the account shows: the requested settings over what Azure fills in
    (Azure/azure-cli recording test_storage_account_smart_tier.yaml, api 2025-08-01)."""
    created = str(previous.get("creationTime") or now)
    enabled = {
        "keyType": "Account",
        "enabled": True,
        "lastEnabledTime": _last_enabled(previous) or created,
    }
    defaults: dict[str, Any] = {
        "allowCrossTenantDelegationSas": False,
        "allowCrossTenantReplication": False,
        "privateEndpointConnections": [],
        "minimumTlsVersion": "TLS1_0",
        "allowBlobPublicAccess": False,
        "networkAcls": {
            "ipv6Rules": [],
            "bypass": "AzureServices",
            "virtualNetworkRules": [],
            "ipRules": [],
            "defaultAction": "Allow",
        },
        "supportsHttpsTrafficOnly": True,
        "encryption": {
            "services": {"file": enabled, "blob": enabled},
            "keySource": "Microsoft.Storage",
        },
    }
    if kind in ("StorageV2", "BlobStorage"):
        defaults["accessTier"] = "Hot"
    props = merged(merged(defaults, previous), requested)
    services = props["encryption"].get("services") or {}
    props["encryption"]["services"] = {
        name: {**enabled, **(value or {})} for name, value in services.items()
    }
    for computed in ("primaryEndpoints", "provisioningState"):
        props.pop(computed, None)
    return {
        **props,
        "keyCreationTime": previous.get("keyCreationTime") or {"key1": created, "key2": created},
        "provisioningState": "Succeeded",
        "creationTime": created,
        "primaryEndpoints": endpoints(account, file_url),
        "primaryLocation": location,
        "statusOfPrimary": "available",
    }


def _last_enabled(previous: Mapping[str, Any]) -> str | None:
    services = (previous.get("encryption") or {}).get("services") or {}
    for value in services.values():
        if isinstance(value, Mapping) and value.get("lastEnabledTime"):
            return str(value["lastEnabledTime"])
    return None


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
        doc["tags"] = body.get("tags") or {}
        doc["sku"] = sku_with_tier(body.get("sku"))
        doc["kind"] = body.get("kind") or "StorageV2"
        previous = properties_of(existing or {})
        doc["properties"] = account_properties(
            rid.name,
            str(body.get("location")),
            doc["kind"],
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

    def write_answer(
        self, rid: ResourceId, doc: dict[str, Any], *, created: bool, method: str, api_version: str
    ) -> web.StreamResponse | None:
        """A new account is a long-running create: 202 + Location (localcloud/arm/asyncops.py)."""
        if not created:
            return None
        seconds = self.cloud.settings.seconds_for(ACCOUNT_TYPE)
        op = AsyncOperations(self.cloud.store).start(
            str(doc["id"]), STORAGE_KIND, str(doc.get("location") or ""), seconds
        )
        return accepted_create(self.cloud.base_url, op, api_version)

    def name_availability(self, name: str) -> dict[str, Any]:
        """`checkNameAvailability`: `{nameAvailable}`, plus reason and message when taken."""
        problem = name_problem(ACCOUNT_TYPE, name)
        if problem is not None:
            return {
                "nameAvailable": False,
                "reason": "AccountNameInvalid",
                "message": problem.message,
            }
        if any(
            str(d.get("name", "")).lower() == name.lower()
            and str(d.get("type", "")).lower() == ACCOUNT_TYPE.lower()
            for d in self.cloud.store.list(RESOURCE)
        ):
            return {
                "nameAvailable": False,
                "reason": "AlreadyExists",
                "message": f"The storage account named {name} is already taken.",
            }
        return {"nameAvailable": True}

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
