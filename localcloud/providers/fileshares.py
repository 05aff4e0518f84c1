"""Microsoft.Storage file services and file shares through ARM.

`fileServices/default` is implicit in every account. A share PUT makes sure the share's
folder exists (the Files data plane serves it) and records its quota; a share made on the data
plane is a share to ARM too (`az storage share-rm list/show`), shaped from its folder and
quota. DELETE removes the folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from localcloud.arm.errors import ArmError
from localcloud.files.shareprops import DEFAULT_QUOTA_GIB, record_quota
from localcloud.files.shareprops import load as load_share_settings
from localcloud.ids import ResourceId
from localcloud.providers.base import RESOURCE
from localcloud.providers.common import (
    CheckedProvider,
    Problem,
    azure_time,
    base_doc,
    properties_of,
)
from localcloud.providers.storage import FILE_SERVICE_TYPE, SHARE_TYPE, sku_with_tier


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


@dataclass(frozen=True)
class FileServicePath:
    """The account of a share collection prefix (`.../storageAccounts/{a}/fileServices/...`)."""

    account_id: ResourceId

    @property
    def account(self) -> str:
        return self.account_id.name

    @property
    def parent_key(self) -> str:
        return self.account_id.key

    def share(self, name: str) -> ResourceId:
        return self.account_id.child("fileServices", "default").child("shares", name)


def file_service_of(parent_prefix: str) -> FileServicePath | None:
    parts = [p for p in parent_prefix.split("/") if p]
    if len(parts) < 10 or parts[8].lower() != "fileservices":
        return None
    try:
        return FileServicePath(ResourceId.parse("/" + "/".join(parts[:8])))
    except ArmError:
        return None


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
        quota = int(properties_of(doc).get("shareQuota") or DEFAULT_QUOTA_GIB)
        record_quota(self.cloud.store, rid.names[0], rid.name, quota)
        return doc

    def get(self, rid: ResourceId) -> dict[str, Any] | None:
        """A share made on the data plane is a share to ARM too (`az storage share-rm`)."""
        stored = self.stored(rid)
        if stored is not None or not self._on_disk(rid):
            return stored
        return self.data_plane_share(rid)

    def list(self, parent_prefix: str, full_type: str) -> list[dict[str, Any]]:
        found = {str(d["name"]).lower(): d for d in super().list(parent_prefix, full_type)}
        service = file_service_of(parent_prefix)
        if service is not None and self.cloud.store.get(RESOURCE, service.parent_key) is not None:
            for name in self.cloud.files.share_names(service.account):
                if name.lower() not in found:
                    found[name.lower()] = self.data_plane_share(service.share(name))
        return [found[k] for k in sorted(found)]

    def data_plane_share(self, rid: ResourceId) -> dict[str, Any]:
        quota = load_share_settings(self.cloud.store, rid.names[0], rid.name).quota_gib
        return self.shape(rid, {"properties": {"shareQuota": quota}}, None)

    def _on_disk(self, rid: ResourceId) -> bool:
        account = rid.parent.parent if rid.parent else None
        if account is None or self.cloud.store.get(RESOURCE, account.key) is None:
            return False
        names = self.cloud.files.share_names(rid.names[0])
        return rid.name.lower() in (n.lower() for n in names)

    def delete(self, rid: ResourceId) -> bool:
        existed = super().delete(rid)
        if existed:
            self.cloud.files.delete_share(rid.names[0], rid.name)
        return existed
