"""`providers` and `dependencies` of a deployment, derived from its resource plans (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class PlanLike(Protocol):
    @property
    def resource_id(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def depends_on(self) -> frozenset[str]: ...


def providers_of(plans: Sequence[PlanLike], location: str) -> list[dict[str, Any]]:
    """`[{"namespace": "Microsoft.Storage", "resourceTypes": [{"resourceType", "locations"}]}]`."""
    by_namespace: dict[str, list[str]] = {}
    for plan in plans:
        namespace, _, rest = plan.type.partition("/")
        types = by_namespace.setdefault(namespace, [])
        if rest and rest not in types:
            types.append(rest)
    return [
        {
            "namespace": namespace,
            "resourceTypes": [{"resourceType": t, "locations": [location]} for t in types],
        }
        for namespace, types in by_namespace.items()
    ]


def _basic(plan: PlanLike) -> dict[str, Any]:
    return {"id": plan.resource_id, "resourceType": plan.type, "resourceName": plan.name}


def dependencies_of(plans: Sequence[PlanLike]) -> list[dict[str, Any]]:
    """`[{"dependsOn": [{id, resourceType, resourceName}], id, resourceType, resourceName}]`."""
    by_id = {plan.resource_id.lower(): plan for plan in plans}
    out: list[dict[str, Any]] = []
    for plan in plans:
        targets = [by_id[d.lower()] for d in sorted(plan.depends_on) if d.lower() in by_id]
        if targets:
            out.append({"dependsOn": [_basic(t) for t in targets], **_basic(plan)})
    return out


def target_resource(plan: PlanLike, api_version: str, symbolic_name: str) -> dict[str, Any]:
    """An operation's `targetResource`."""
    return {**_basic(plan), "apiVersion": api_version, "symbolicName": symbolic_name}
