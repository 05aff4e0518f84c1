"""What-if: the changes a deployment would make, as a pure decision over plain data.

Only what the template sets is compared: properties the provider computes (provisioningState,
endpoints, keys...) are never reported as deletions, except inside `tags`, which the
template owns entirely. Values the template engine could not resolve yet (lenient
evaluation leaves the expression text, `[reference(...)]`) are not compared, nor are
write-only secrets the provider never returns (`sharedKey`, `accountKey`, ...).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from localcloud.arm.schedule import complete_mode_deletions

IGNORED_TOP_LEVEL = frozenset(
    {"id", "name", "type", "apiversion", "dependson", "condition", "copy", "comments", "scope"}
)
OWNED_OBJECTS = frozenset({"tags"})
# Write-only properties: providers never return them on GET (secrets), so their absence
# from the stored document is no change (ARM knows them from the provider's schema).
WRITE_ONLY = frozenset({"sharedkey", "accountkey", "password", "secret", "clientsecret"})


@dataclass(frozen=True)
class Desired:
    """A resource as the template would write it."""

    resource_id: str
    type: str
    name: str
    api_version: str
    body: Mapping[str, Any]
    symbolic_name: str | None = None


def is_unresolved(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("[") and value.endswith("]")


def _same_scalar(path: str, before: Any, after: Any) -> bool:
    if path == "location" and isinstance(before, str) and isinstance(after, str):
        return before.replace(" ", "").lower() == after.replace(" ", "").lower()
    if isinstance(before, bool) or isinstance(after, bool):
        return before is after
    return bool(before == after)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def property_delta(before: Any, after: Any, path: str = "") -> list[dict[str, Any]]:
    """ARM `WhatIfPropertyChange`s turning `before` into `after` (template-set keys only)."""
    if is_unresolved(after):
        return []
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        return _object_delta(before, after, path)
    if isinstance(before, list) and isinstance(after, list):
        children = _array_children(before, after)
        return (
            [{"path": path, "propertyChangeType": "Array", "children": children}]
            if children
            else []
        )
    if _same_scalar(path, before, after):
        return []
    return [{"path": path, "propertyChangeType": "Modify", "before": before, "after": after}]


def _object_delta(
    before: Mapping[str, Any], after: Mapping[str, Any], path: str
) -> list[dict[str, Any]]:
    lower_before = {k.lower(): v for k, v in before.items()}
    changes: list[dict[str, Any]] = []
    for key, value in after.items():
        if value is None or (not path and key.lower() in IGNORED_TOP_LEVEL):
            continue
        child = _join(path, key)
        if key.lower() not in lower_before or lower_before[key.lower()] is None:
            if not is_unresolved(value) and key.lower() not in WRITE_ONLY:
                changes.append({"path": child, "propertyChangeType": "Create", "after": value})
            continue
        changes.extend(property_delta(lower_before[key.lower()], value, child))
    if path.lower() in OWNED_OBJECTS:
        lower_after = {k.lower() for k in after}
        for key, value in before.items():
            if key.lower() not in lower_after:
                changes.append(
                    {"path": _join(path, key), "propertyChangeType": "Delete", "before": value}
                )
    return changes


def _array_children(before: list[Any], after: list[Any]) -> list[dict[str, Any]]:
    children: list[dict[str, Any]] = []
    for i in range(max(len(before), len(after))):
        index = str(i)
        if i >= len(before):
            children.append({"path": index, "propertyChangeType": "Create", "after": after[i]})
        elif i >= len(after):
            children.append({"path": index, "propertyChangeType": "Delete", "before": before[i]})
        else:
            inner = property_delta(before[i], after[i])
            if not inner:
                continue
            if isinstance(before[i], (Mapping, list)) and isinstance(after[i], (Mapping, list)):
                children.append({"path": index, "propertyChangeType": "Modify", "children": inner})
            else:
                children.append(
                    {
                        "path": index,
                        "propertyChangeType": "Modify",
                        "before": before[i],
                        "after": after[i],
                    }
                )
    return children


def after_payload(desired: Desired) -> dict[str, Any]:
    body = {k: v for k, v in desired.body.items() if k.lower() not in IGNORED_TOP_LEVEL}
    return {
        "id": desired.resource_id,
        "name": desired.name,
        "type": desired.type,
        "apiVersion": desired.api_version,
        **{k: v for k, v in body.items() if v is not None},
    }


def resource_change(
    desired: Desired, current: Mapping[str, Any] | None, full: bool
) -> dict[str, Any]:
    change: dict[str, Any] = {"resourceId": desired.resource_id}
    if desired.symbolic_name:
        change["symbolicName"] = desired.symbolic_name
    after = after_payload(desired)
    if current is None:
        change["changeType"] = "Create"
        if full:
            change["after"] = after
        return change
    delta = property_delta(current, after)
    change["changeType"] = "Modify" if delta else "NoChange"
    if full:
        change["before"] = dict(current)
        change["after"] = after
        if delta:
            change["delta"] = delta
    return change


def changes(
    desired: Sequence[Desired],
    current: Mapping[str, Mapping[str, Any]],
    group_resources: Iterable[Mapping[str, Any]],
    *,
    mode: str,
    full: bool,
) -> list[dict[str, Any]]:
    """Every `WhatIfChange`: the template's resources (Create / Modify / NoChange), then the
    group's other resources (Ignore; in Complete mode Delete, except children of declared
    resources - see `schedule.complete_mode_deletions`).
    `current` maps lower-cased ids to stored documents."""
    out = [resource_change(d, current.get(d.resource_id.lower()), full) for d in desired]
    wanted = {d.resource_id.lower() for d in desired}
    others = sorted(
        (r for r in group_resources if str(r.get("id", "")).lower() not in wanted),
        key=lambda r: str(r.get("id", "")).lower(),
    )
    doomed: set[str] = set()
    if mode.lower() == "complete":
        ids = [str(r.get("id", "")) for r in others]
        doomed = {i.lower() for i in complete_mode_deletions(ids, wanted)}
    for doc in others:
        change_type = "Delete" if str(doc.get("id", "")).lower() in doomed else "Ignore"
        entry: dict[str, Any] = {"resourceId": doc.get("id"), "changeType": change_type}
        if full:
            entry["before"] = dict(doc)
        out.append(entry)
    return out
