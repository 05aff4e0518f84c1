"""ARM what-if results as plain data (pure): `parse_what_if` reads ARM's answer, secrets
redacted; `orchestrator.provision.whatif` renders it as text."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from orchestrator.azure.parse import resource_type_of

CHANGE_ORDER = ("Create", "Delete", "Modify", "Deploy", "Unsupported", "Ignore", "NoChange")
CHANGING = frozenset({"create", "delete", "modify", "deploy"})


@dataclass(frozen=True)
class PropertyChange:
    path: str
    kind: str  # Create | Delete | Modify | Array | NoEffect
    before: Any = None
    after: Any = None
    children: tuple[PropertyChange, ...] = ()


@dataclass(frozen=True)
class ResourceChange:
    resource_id: str
    change_type: str
    delta: tuple[PropertyChange, ...] = ()
    reason: str = ""

    @property
    def resource_type(self) -> str:
        return resource_type_of(self.resource_id)

    @property
    def name(self) -> str:
        return self.resource_id.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class WhatIf:
    changes: tuple[ResourceChange, ...]

    @property
    def has_changes(self) -> bool:
        return any(c.change_type.lower() in CHANGING for c in self.changes)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for change in self.changes:
            out[change.change_type] = out.get(change.change_type, 0) + 1
        return out

    def as_data(self) -> dict[str, Any]:
        return {
            "has_changes": self.has_changes,
            "counts": self.counts(),
            "changes": [
                {
                    "resource_id": c.resource_id,
                    "resource_type": c.resource_type,
                    "change_type": c.change_type,
                    "delta": [_property_data(p) for p in c.delta],
                }
                for c in self.changes
            ],
        }


def _property_data(change: PropertyChange) -> dict[str, Any]:
    return {
        "path": change.path,
        "kind": change.kind,
        "before": change.before,
        "after": change.after,
        "children": [_property_data(c) for c in change.children],
    }


def _property(doc: Mapping[str, Any]) -> PropertyChange:
    children = doc.get("children")
    path = str(doc.get("path", ""))
    return PropertyChange(
        path=path,
        kind=str(doc.get("propertyChangeType", "")),
        before=_redact(path, doc.get("before")),
        after=_redact(path, doc.get("after")),
        children=tuple(_property(c) for c in children if isinstance(c, Mapping))
        if isinstance(children, list)
        else (),
    )


def parse_what_if(result: Mapping[str, Any]) -> WhatIf:
    """A WhatIfOperationResult (wire dict; changes at top level or under properties)."""
    props = result.get("properties")
    changes = (props.get("changes") if isinstance(props, Mapping) else None) or result.get(
        "changes"
    )
    parsed = []
    for doc in changes if isinstance(changes, list) else []:
        if not isinstance(doc, Mapping):
            continue
        delta = doc.get("delta")
        parsed.append(
            ResourceChange(
                resource_id=str(doc.get("resourceId", "")),
                change_type=str(doc.get("changeType", "")),
                delta=tuple(_property(d) for d in delta if isinstance(d, Mapping))
                if isinstance(delta, list)
                else (),
                reason=str(doc.get("unsupportedReason") or ""),
            )
        )
    order = {name: i for i, name in enumerate(CHANGE_ORDER)}
    parsed.sort(key=lambda c: (order.get(c.change_type, len(order)), c.resource_id.lower()))
    return WhatIf(tuple(parsed))


_SECRET = re.compile(r"(key|secret|password|connectionstring|token)$", re.IGNORECASE)
REDACTED = "(secret hidden)"


def _redact(path: str, value: Any) -> Any:
    """Secrets (account keys, shared keys, passwords) are never shown or returned."""
    if value is None:
        return None
    last = path.rsplit(".", 1)[-1]
    return REDACTED if _SECRET.search(last) else value
