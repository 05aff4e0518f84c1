"""What every localcloud provider shares: problems (status + ARM error), the checked PUT
skeleton, Azure-style timestamps and keys, and the private store for write-only values.

A provider's checks come in two kinds:

- `preflight` - what ARM's template validation can say from the body alone: names,
  required properties, references inside the body. `validate` reports exactly these (the
  deployment engine calls it for every resource of a template before creating any).
- `admission` - what the resource provider checks when the PUT arrives, with its own status
  (404 parent / environment missing, 409 name taken, 400 key mismatch): a template's own
  resources do not exist yet at preflight time, so these run only in `put`.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from localcloud.arm.errors import ArmError, ErrorDetail
from localcloud.ids import ResourceId
from localcloud.providers.base import RESOURCE, Provider
from localcloud.providers.naming import name_problem

if TYPE_CHECKING:
    from localcloud.cloud import Store

# Store kind for values Azure accepts on PUT but never returns (secrets, account keys).
PRIVATE = "resourceprivate"


@dataclass(frozen=True)
class Problem:
    """One check failure: the HTTP status a PUT would get and the ARM error detail."""

    status: int
    code: str
    message: str
    target: str | None = None

    @property
    def detail(self) -> ErrorDetail:
        return ErrorDetail(self.code, self.message, self.target)

    def error(self) -> ArmError:
        return ArmError(self.status, self.code, self.message, self.target)


def raise_first(problems: Iterable[Problem]) -> None:
    for problem in problems:
        raise problem.error()


def azure_time(moment: datetime | None = None) -> str:
    """`2026-11-25T09:05:34.1234560Z` - the 7-digit fraction Azure's resource providers send."""
    moment = (moment or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def system_data(
    created_by: str, created_at: str, previous: Mapping[str, Any] | None
) -> dict[str, Any]:
    """ARM's `systemData` for a write by the service principal (`createdByType`
    `Application`); creation fields are kept from `previous`."""
    first = previous or {}
    return {
        "createdBy": first.get("createdBy", created_by),
        "createdByType": first.get("createdByType", "Application"),
        "createdAt": first.get("createdAt", created_at),
        "lastModifiedBy": created_by,
        "lastModifiedByType": "Application",
        "lastModifiedAt": created_at,
    }


def new_key() -> str:
    """An account-style key: base64 of 64 random bytes."""
    return base64.b64encode(secrets.token_bytes(64)).decode()


def name_check(rid: ResourceId) -> list[Problem]:
    detail = name_problem(rid.full_type, rid.name)
    if detail is None:
        return []
    return [Problem(400, detail.code, detail.message, detail.target)]


def location_check(body: Mapping[str, Any]) -> list[Problem]:
    if body.get("location"):
        return []
    return [
        Problem(
            400,
            "LocationRequired",
            "The location property is required for this definition.",
            "location",
        )
    ]


def properties_of(body: Mapping[str, Any]) -> dict[str, Any]:
    props = body.get("properties")
    return dict(props) if isinstance(props, Mapping) else {}


def base_doc(rid: ResourceId, body: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """`id`, `name`, `type` and the listed top-level keys the body sets."""
    doc: dict[str, Any] = {"id": rid.id, "name": rid.name, "type": rid.full_type}
    for key in keys:
        if body.get(key) is not None:
            doc[key] = body[key]
    return doc


def stored_id(existing: Mapping[str, Any] | None, rid: ResourceId) -> ResourceId:
    """Keep the casing the resource was first created with (Azure does)."""
    if existing and isinstance(existing.get("id"), str):
        return ResourceId.parse(existing["id"])
    return rid


class CheckedProvider(Provider):
    """A provider whose PUT runs preflight + admission checks, then stores `shape(...)`."""

    def preflight(self, rid: ResourceId, body: dict[str, Any]) -> list[Problem]:
        return name_check(rid)

    def admission(self, rid: ResourceId, body: dict[str, Any]) -> list[Problem]:
        return []

    def validate(self, rid: ResourceId, body: dict[str, Any]) -> list[ErrorDetail]:
        return [p.detail for p in self.preflight(rid, body)]

    def put(self, rid: ResourceId, body: dict[str, Any], *, api_version: str) -> dict[str, Any]:
        raise_first([*self.preflight(rid, body), *self.admission(rid, body)])
        existing = self.stored(rid)
        doc = self.shape(stored_id(existing, rid), body, existing)
        self.cloud.store.put(RESOURCE, rid.key, doc)
        return doc

    def stored(self, rid: ResourceId) -> dict[str, Any] | None:
        """The document as stored (`get` may add live state on top)."""
        return self.cloud.store.get(RESOURCE, rid.key)

    def parent_check(self, rid: ResourceId) -> list[Problem]:
        parent = rid.parent
        if parent is None or self.cloud.providers.for_type(parent.full_type).get(parent):
            return []
        return [
            Problem(
                404,
                "ParentResourceNotFound",
                "Can not perform requested operation on nested resource. Parent resource "
                f"'{'/'.join(parent.names)}' not found.",
            )
        ]

    def delete_children(self, rid: ResourceId) -> None:
        """Delete every stored resource below `rid` through its own provider."""
        children = self.cloud.store.list(RESOURCE, rid.key + "/")
        for child in sorted(children, key=lambda d: -len(str(d.get("id", "")))):
            child_id = ResourceId.parse(str(child["id"]))
            self.cloud.providers.for_type(child_id.full_type).delete(child_id)


# -- write-only values -------------------------------------------------------------------
def save_private(store: Store, rid: ResourceId, values: Mapping[str, Any]) -> None:
    store.put(PRIVATE, rid.key, dict(values))


def load_private(store: Store, rid: ResourceId) -> dict[str, Any]:
    return store.get(PRIVATE, rid.key) or {}


def drop_private(store: Store, rid: ResourceId) -> None:
    store.delete(PRIVATE, rid.key)
