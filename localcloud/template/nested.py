"""Inline nested deployments (`Microsoft.Resources/deployments` with properties.template)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from localcloud.template.errors import TemplateError
from localcloud.template.scope import Scope


@dataclass(frozen=True)
class NestedInputs:
    """What a nested deployment is prepared from."""

    template: Mapping[str, Any]
    inner: bool  # expressionEvaluationOptions.scope == "inner"
    parameters: Mapping[str, Any]
    scope: Scope


def nested_inputs(
    body: Mapping[str, Any], resource_id: str, name: str, outer: Scope, path: str
) -> NestedInputs:
    """Read an evaluated deployment resource body (its template left unevaluated)."""
    props = body.get("properties")
    if not isinstance(props, Mapping) or not isinstance(props.get("template"), Mapping):
        raise TemplateError(
            "Only nested deployments with an inline 'properties.template' are supported "
            "(templateLink is not).",
            target=f"{path}.properties",
        )
    parameters = props.get("parameters") or {}
    if not isinstance(parameters, Mapping):
        raise TemplateError(
            "The nested deployment 'parameters' must be an object.",
            target=f"{path}.properties.parameters",
        )
    return NestedInputs(
        template=props["template"],
        inner=_is_inner(props.get("expressionEvaluationOptions")),
        parameters=parameters,
        scope=_scope(resource_id, name, outer, props.get("mode")),
    )


def _is_inner(options: Any) -> bool:
    scope = options.get("scope") if isinstance(options, Mapping) else None
    return isinstance(scope, str) and scope.lower() == "inner"


def _scope(resource_id: str, name: str, outer: Scope, mode: Any) -> Scope:
    parts = resource_id.split("/")
    if len(parts) > 4 and parts[1].lower() == "subscriptions":
        subscription, group = parts[2], parts[4]
    else:
        subscription, group = outer.subscription_id, outer.resource_group
    same_group = (
        subscription == outer.subscription_id and group.lower() == outer.resource_group.lower()
    )
    return replace(
        outer,
        subscription_id=subscription,
        resource_group=group,
        deployment_name=name,
        mode=mode if isinstance(mode, str) else "Incremental",
        resource_group_tags=outer.resource_group_tags if same_group else {},
        resource_group_managed_by=outer.resource_group_managed_by if same_group else None,
    )
