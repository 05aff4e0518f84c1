"""The provider contract. One Provider instance serves one or more resource types.

Providers are synchronous: they run on the server's event loop thread and only touch the
store and in-memory state (anything slow, such as starting a replica process, is scheduled
on the runtime). The deployment engine applies provisioning delays and configured failures
*around* `put`; providers just compute the resource Azure would return.

Resource documents are stored under `ResourceId.key` in the store kind "resource" and have
Azure's shape: `{"id", "name", "type", "location"?, "tags"?, "sku"?, "kind"?, "identity"?,
"properties": {..., "provisioningState": "Succeeded"}}`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from localcloud.arm.errors import ArmError, ErrorDetail, not_found
from localcloud.ids import ResourceId

if TYPE_CHECKING:
    from localcloud.cloud import LocalCloud

RESOURCE = "resource"

# Top-level keys of a resource body that ARM keeps (everything else is dropped on PUT).
KEPT_KEYS = (
    "location",
    "tags",
    "sku",
    "kind",
    "identity",
    "zones",
    "plan",
    "extendedLocation",
    "managedBy",
    "properties",
)


class Provider:
    """Default behaviour: store the resource as given and report it Succeeded."""

    types: tuple[str, ...] = ()

    def __init__(self, cloud: LocalCloud) -> None:
        self.cloud = cloud

    # -- preflight -----------------------------------------------------------------------
    def validate(self, rid: ResourceId, body: dict[str, Any]) -> list[ErrorDetail]:
        """Problems ARM's preflight would report for this resource (names, required props)."""
        return []

    # -- CRUD ----------------------------------------------------------------------------
    def put(self, rid: ResourceId, body: dict[str, Any], *, api_version: str) -> dict[str, Any]:
        """Create or update; returns the stored document (with computed properties)."""
        doc = self.shape(rid, body, self.get(rid))
        self.cloud.store.put(RESOURCE, rid.key, doc)
        return doc

    def shape(
        self, rid: ResourceId, body: dict[str, Any], existing: dict[str, Any] | None
    ) -> dict[str, Any]:
        doc: dict[str, Any] = {"id": rid.id, "name": rid.name, "type": rid.full_type}
        for key in KEPT_KEYS:
            if body.get(key) is not None:
                doc[key] = body[key]
        props = dict(doc.get("properties") or {})
        props["provisioningState"] = "Succeeded"
        doc["properties"] = props
        return doc

    def get(self, rid: ResourceId) -> dict[str, Any] | None:
        return self.cloud.store.get(RESOURCE, rid.key)

    def require(self, rid: ResourceId) -> dict[str, Any]:
        doc = self.get(rid)
        if doc is None:
            raise self.missing(rid)
        return doc

    def missing(self, rid: ResourceId) -> ArmError:
        """The 404 for a resource that is not there (ARM's generic one unless the provider
        words its own)."""
        return not_found("resource", rid.full_type + "/" + rid.name)

    def list(self, parent_prefix: str, full_type: str) -> list[dict[str, Any]]:
        """All stored resources of `full_type` whose id starts with `parent_prefix`."""
        wanted = full_type.lower()
        prefix = parent_prefix.lower()
        return [
            d
            for d in self.cloud.store.list(RESOURCE, prefix)
            if str(d.get("type", "")).lower() == wanted
        ]

    def delete(self, rid: ResourceId) -> bool:
        return self.cloud.store.delete(RESOURCE, rid.key)

    def write_answer(
        self, rid: ResourceId, doc: dict[str, Any], *, created: bool, method: str, api_version: str
    ) -> web.StreamResponse | None:
        """The provider's own answer to a direct PUT or PATCH (a long-running create, see
        localcloud/arm/asyncops.py); None answers the document at once, 201 when created."""
        return None

    def delete_answer(
        self, rid: ResourceId, doc: dict[str, Any], *, api_version: str
    ) -> web.StreamResponse | None:
        """The provider's own answer to a direct DELETE of `doc` (a long-running delete:
        202 + where to poll, localcloud/arm/asyncops.py); None answers 200."""
        return None

    # -- POST actions (listKeys, restart, getAuthtoken, ...) -----------------------------
    def action(self, rid: ResourceId, action: str, body: Any, *, api_version: str) -> Any:
        self.require(rid)
        raise ArmError(
            404,
            "InvalidResourceType" if "/" in action else "ActionNotFound",
            f"The action '{action}' is not supported on resource type '{rid.full_type}'.",
        )
