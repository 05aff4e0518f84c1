"""Gathers what a what-if compares - each resource body evaluated leniently, the stored
documents, the group's other resources - and hands it to the pure `whatif.changes`."""

from __future__ import annotations

from typing import Any

from localcloud.arm.engine import Engine
from localcloud.arm.whatif import Desired, changes
from localcloud.ids import ResourceId
from localcloud.providers.base import RESOURCE
from localcloud.template import Prepared, Scope, TemplateError

MAX_NESTING = 10


def desired_resources(engine: Engine, prepared: Prepared, depth: int = 0) -> list[Desired]:
    """The resources the template would write, nested deployments expanded."""
    resolver = engine.resolver(lenient=True)
    out: list[Desired] = []
    for plan in prepared.resources:
        if not plan.condition or plan.existing:
            continue
        if plan.is_deployment:
            if depth < MAX_NESTING:
                try:
                    nested = prepared.prepare_nested(plan, resolver)
                except TemplateError:
                    continue
                out.extend(desired_resources(engine, nested, depth + 1))
            continue
        body = plan.evaluate(resolver, lenient=True)
        out.append(
            Desired(plan.resource_id, plan.type, plan.name, plan.api_version or "", body, plan.key)
        )
    return out


def compute_what_if(
    engine: Engine, scope: Scope, prepared: Prepared, *, full: bool
) -> list[dict[str, Any]]:
    desired = desired_resources(engine, prepared)
    current: dict[str, dict[str, Any]] = {}
    for d in desired:
        rid = ResourceId.parse(d.resource_id)
        doc = engine.cloud.providers.for_type(d.type).get(rid)
        if doc is not None:
            current[d.resource_id.lower()] = doc
    prefix = f"{scope.group_path}/".lower()
    group_resources = engine.cloud.store.list(RESOURCE, prefix)
    return changes(desired, current, group_resources, mode=scope.mode, full=full)
