"""Resource-group documents in the store (kind "resourcegroup", key = lower-cased group id).

Every route under a group checks it first: `require_group(cloud, sub, rg)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from localcloud.arm.errors import not_found
from localcloud.cloud import LocalCloud
from localcloud.ids import group_id

GROUP = "resourcegroup"
GROUP_TYPE = "Microsoft.Resources/resourceGroups"


def group_state(doc: Mapping[str, Any]) -> str:
    return str((doc.get("properties") or {}).get("provisioningState", "Succeeded"))


def get_group(cloud: LocalCloud, subscription: str, name: str) -> dict[str, Any] | None:
    return cloud.store.get(GROUP, group_id(subscription, name))


def require_group(cloud: LocalCloud, subscription: str, name: str) -> dict[str, Any]:
    """The group's document, or 404 ResourceGroupNotFound (also while it is being deleted)."""
    doc = get_group(cloud, subscription, name)
    if doc is None or group_state(doc) == "Deleting":
        raise not_found("resourcegroup", name)
    return doc
