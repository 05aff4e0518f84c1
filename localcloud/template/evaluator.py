"""Template evaluation: `prepare()` turns a template and parameters into resource plans whose
bodies (and the outputs) are evaluated later against a Resolver."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from localcloud.template.context import Context, TemplateResources
from localcloud.template.dependencies import DependencyIndex, check_cycles, depends_on
from localcloud.template.errors import TemplateError
from localcloud.template.nested import nested_inputs
from localcloud.template.outputs import evaluate_outputs
from localcloud.template.parameters import ParameterTable
from localcloud.template.resources import Declaration, Instance, declarations, expand
from localcloud.template.scope import Resolver, Scope
from localcloud.template.structure import check_structure
from localcloud.template.syntax import check_syntax
from localcloud.template.tree import evaluate_value
from localcloud.template.user_functions import user_functions
from localcloud.template.values import strip_nulls
from localcloud.template.variables import VariableTable

# Keys of a resource that are template syntax, not part of the body sent to the provider.
_TEMPLATE_ONLY = frozenset(
    {
        "type", "apiversion", "name", "condition", "copy", "dependson", "comments",
        "existing", "scope", "resourcegroup", "subscriptionid", "metadata", "resources",
    }
)  # fmt: skip


@dataclass(frozen=True)
class ResourcePlan:
    """One resource instance to deploy, with its identity and dependencies decided."""

    key: str  # symbolic name or "resources[i]", "[copyIndex]" appended for loop instances
    index: int  # declaration order
    resource_id: str
    type: str
    name: str  # full name "a/b/c"
    api_version: str | None
    condition: bool
    existing: bool
    depends_on: frozenset[str]  # lower-cased resource ids
    is_deployment: bool
    declaration: Declaration = field(repr=False, compare=False)
    context: Context = field(repr=False, compare=False)

    def evaluate(self, resolver: Resolver, *, lenient: bool = False) -> dict[str, Any]:
        """The resource body ARM sends to the provider (null properties removed).

        In lenient mode an expression raising Unresolved is kept as its "[...]" text. A nested
        deployment's `properties.template` is returned unevaluated.
        """
        ctx = replace(self.context, resolver=resolver)
        body = {k: v for k, v in self.declaration.body.items() if k.lower() not in _TEMPLATE_ONLY}
        template = _split_template(body) if self.is_deployment else None
        result = strip_nulls(evaluate_value(body, ctx, self.declaration.path, lenient=lenient))
        if template is not None:
            result.setdefault("properties", {})["template"] = template
        return dict(result)


def _split_template(body: dict[str, Any]) -> Any:
    """Remove and return a deployment's inline template (it is evaluated on its own)."""
    props = body.get("properties")
    if not isinstance(props, Mapping) or "template" not in props:
        return None
    body["properties"] = {k: v for k, v in props.items() if k != "template"}
    return props["template"]


@dataclass(frozen=True)
class Prepared:
    """A template ready to deploy: final parameters and the resource plans."""

    parameters: Mapping[str, dict[str, Any]]
    resources: list[ResourcePlan]
    scope: Scope
    template: Mapping[str, Any] = field(repr=False)
    context: Context = field(repr=False, compare=False)

    def evaluate_outputs(self, resolver: Resolver) -> dict[str, dict[str, Any]]:
        """`{"NAME": {"type": "String", "value": ...}}`; secure outputs carry no value."""
        ctx = replace(self.context, resolver=resolver)
        return evaluate_outputs(self.template.get("outputs"), ctx)

    def prepare_nested(self, plan: ResourcePlan, resolver: Resolver) -> Prepared:
        """The inline template of a `Microsoft.Resources/deployments` plan, prepared.

        "inner" scope: evaluated on its own with the `parameters` passed in (evaluated in this
        template's context). "outer" (the default): its expressions see this template's
        parameters and variables.
        """
        if not plan.is_deployment:
            raise TemplateError(f"The resource '{plan.name}' is not a nested deployment.")
        body = plan.evaluate(resolver)
        nested = nested_inputs(body, plan.resource_id, plan.name, self.scope, plan.declaration.path)
        base = replace(self.context, scope=nested.scope, resolver=None, copy_indexes={})
        if nested.inner:
            return prepare(
                nested.template, nested.parameters, nested.scope,
                now=base.now, new_guid=base.new_guid,
            )  # fmt: skip
        outer = replace(
            base,
            template=nested.template,
            deployment_parameters={},
            user_functions={**base.user_functions, **user_functions(nested.template)},
        )
        return _build(nested.template, outer, dict(self.parameters))


def prepare(
    template: Mapping[str, Any],
    parameters: Mapping[str, Any],
    scope: Scope,
    *,
    now: datetime | None = None,
    new_guid: Callable[[], str] | None = None,
) -> Prepared:
    """Validate parameters, evaluate variables and plan every resource (see the package doc)."""
    if not isinstance(template, Mapping):
        raise TemplateError("The template must be a JSON object.")
    if not isinstance(parameters, Mapping):
        raise TemplateError("The deployment parameters must be a JSON object.")
    check_structure(template)
    check_syntax(template)
    params = ParameterTable(template.get("parameters"), parameters)
    variables = VariableTable(template.get("variables"))
    ctx = Context(
        scope=scope,
        template=template,
        stage="names",
        parameters=params,
        variables=variables,
        deployment_parameters=parameters,
        now=now or datetime.now(timezone.utc),
        new_guid=new_guid or (lambda: str(uuid.uuid4())),
        user_functions=user_functions(template),
    )
    params.bind(ctx)
    variables.bind(ctx)
    final = params.final()
    for name in variables.names():
        variables.get(name)
    return _build(template, ctx, final)


def _build(
    template: Mapping[str, Any], ctx: Context, final: Mapping[str, dict[str, Any]]
) -> Prepared:
    plans = plan_resources(template, ctx)
    resources = plans[0].context.resources if plans else TemplateResources()
    return Prepared(
        parameters=final,
        resources=plans,
        scope=ctx.scope,
        template=template,
        context=replace(ctx, resources=resources),
    )


def plan_resources(template: Mapping[str, Any], ctx: Context) -> list[ResourcePlan]:
    """Every resource instance with id, condition and dependencies."""
    instances = [item for decl in declarations(template) for item in expand(decl, ctx)]
    _check_duplicates(instances)
    index = DependencyIndex(instances)
    resources = index.resources()
    graph = {i.key: depends_on(i, index, resources, instances) for i in instances}
    check_cycles(_by_id(instances, graph))
    order = {decl.path: n for n, decl in enumerate(declarations(template))}
    return [
        _plan(item, order[item.declaration.path], graph[item.key], resources) for item in instances
    ]


def _by_id(
    instances: list[Instance], graph: Mapping[str, frozenset[str]]
) -> dict[str, frozenset[str]]:
    merged: dict[str, frozenset[str]] = {}
    for item in instances:
        rid = item.resource_id.lower()
        merged[rid] = merged.get(rid, frozenset()) | graph[item.key]
    return merged


def _plan(
    item: Instance, index: int, waits_for: frozenset[str], resources: TemplateResources
) -> ResourcePlan:
    return ResourcePlan(
        key=item.key,
        index=index,
        resource_id=item.resource_id,
        type=item.type,
        name=item.name,
        api_version=item.api_version,
        condition=item.condition,
        existing=item.existing,
        depends_on=waits_for,
        is_deployment=item.is_deployment,
        declaration=item.declaration,
        context=replace(item.ctx, resources=resources, stage="properties"),
    )


def _check_duplicates(instances: list[Instance]) -> None:
    seen: dict[str, Instance] = {}
    for item in instances:
        if not item.condition or item.existing:
            continue
        rid = item.resource_id.lower()
        if rid in seen:
            raise TemplateError(
                f"The resource '{item.resource_id}' is defined multiple times in a template. "
                "Please see https://aka.ms/arm-template/#resources for usage details.",
                target=item.declaration.path,
            )
        seen[rid] = item
