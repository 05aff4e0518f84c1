"""Resource declarations expanded into instances: condition, copy loops, names and ids."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from localcloud.template.context import Context
from localcloud.template.errors import TemplateError
from localcloud.template.functions_resource import format_id
from localcloud.template.tree import copy_count, evaluate_value

DEPLOYMENTS_TYPE = "microsoft.resources/deployments"


@dataclass(frozen=True)
class Declaration:
    """One resource as written in the template (nested children flattened)."""

    path: str  # "resources[2]", "resources[0].resources[1]" or the symbolic name
    body: Mapping[str, Any]
    symbol: str | None  # languageVersion 2.0 symbolic name
    parent: Declaration | None


@dataclass(frozen=True)
class Instance:
    """One concrete resource: a declaration, or one iteration of its copy loop."""

    key: str
    declaration: Declaration
    ctx: Context  # names stage, copy index bound
    loop: str | None  # lower-case copy loop name
    copy_index: int | None
    batch: int | None  # serial batch number within the loop
    resource_id: str
    type: str
    name: str
    api_version: str | None
    condition: bool
    existing: bool

    @property
    def is_deployment(self) -> bool:
        return self.type.lower() == DEPLOYMENTS_TYPE


def declarations(template: Mapping[str, Any]) -> list[Declaration]:
    """Every resource declaration in declaration order."""
    resources = template.get("resources", [])
    if isinstance(resources, Mapping):
        return [_declaration(str(s), body, s, None) for s, body in resources.items()]
    if not isinstance(resources, list):
        raise TemplateError("The template 'resources' must be an array.", target="resources")
    found: list[Declaration] = []
    for i, body in enumerate(resources):
        _collect(_declaration(f"resources[{i}]", body, None, None), found)
    return found


def _declaration(
    path: str, body: Any, symbol: str | None, parent: Declaration | None
) -> Declaration:
    if not isinstance(body, Mapping):
        raise TemplateError("A template resource must be an object.", target=path)
    return Declaration(path, body, symbol, parent)


def _collect(decl: Declaration, found: list[Declaration]) -> None:
    found.append(decl)
    children = decl.body.get("resources", [])
    if not isinstance(children, list):
        raise TemplateError("Nested 'resources' must be an array.", target=f"{decl.path}.resources")
    for i, child in enumerate(children):
        _collect(_declaration(f"{decl.path}.resources[{i}]", child, None, decl), found)


def expand(decl: Declaration, ctx: Context) -> list[Instance]:
    """The instances of one declaration (one, or one per copy iteration)."""
    copy = decl.body.get("copy")
    if copy is None:
        return [_instance(decl, ctx, decl.path, None, None, None)]
    if not isinstance(copy, Mapping) or not isinstance(copy.get("name"), str):
        raise TemplateError("The resource 'copy' must be an object with a name.", target=decl.path)
    count = copy_count(copy, ctx, f"{decl.path}.copy")
    batch_size = _batch_size(copy, ctx, f"{decl.path}.copy")
    loop = copy["name"]
    return [
        _instance(
            decl,
            ctx.with_copy(loop, i),
            f"{decl.path}[{i}]",
            loop.lower(),
            i,
            i // batch_size if batch_size else None,
        )
        for i in range(count)
    ]


def _batch_size(copy: Mapping[str, Any], ctx: Context, path: str) -> int | None:
    mode = evaluate_value(copy.get("mode", "Parallel"), ctx, f"{path}.mode")
    if not isinstance(mode, str) or mode.lower() not in ("serial", "parallel"):
        raise TemplateError("The copy mode must be 'Serial' or 'Parallel'.", target=f"{path}.mode")
    if mode.lower() == "parallel":
        return None
    size = evaluate_value(copy.get("batchSize", 1), ctx, f"{path}.batchSize")
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise TemplateError("The copy batchSize must be a positive integer.", target=path)
    return size


def _instance(
    decl: Declaration,
    ctx: Context,
    key: str,
    loop: str | None,
    index: int | None,
    batch: int | None,
) -> Instance:
    body = decl.body
    existing = body.get("existing") is True
    condition = True if existing else _text_or_bool(body, "condition", ctx, decl.path, True)
    rtype = _text(body, "type", ctx, decl.path)
    name = _text(body, "name", ctx, decl.path)
    api = body.get("apiVersion")
    api_version = _text(body, "apiVersion", ctx, decl.path) if api is not None else None
    if decl.parent is not None and "/" not in rtype:
        parent_type = _text(decl.parent.body, "type", ctx, decl.parent.path)
        rtype = f"{parent_type}/{rtype}"
        name = f"{_text(decl.parent.body, 'name', ctx, decl.parent.path)}/{name}"
    resource_id = _resource_id(body, ctx, decl.path, rtype, name)
    return Instance(
        key,
        decl,
        ctx,
        loop,
        index,
        batch,
        resource_id,
        rtype,
        name,
        api_version,
        condition,
        existing,
    )


def _text(body: Mapping[str, Any], field: str, ctx: Context, path: str) -> str:
    value = evaluate_value(body.get(field), ctx, f"{path}.{field}")
    if not isinstance(value, str) or not value:
        raise TemplateError(
            f"The template resource property '{field}' must be a non-empty string.",
            target=f"{path}.{field}",
        )
    return value


def _text_or_bool(
    body: Mapping[str, Any], field: str, ctx: Context, path: str, default: bool
) -> bool:
    if field not in body:
        return default
    value = evaluate_value(body[field], ctx, f"{path}.{field}")
    if not isinstance(value, bool):
        raise TemplateError(
            f"The template resource '{field}' must evaluate to a boolean.",
            target=f"{path}.{field}",
        )
    return value


def _resource_id(body: Mapping[str, Any], ctx: Context, path: str, rtype: str, name: str) -> str:
    subscription = _optional(body, "subscriptionId", ctx, path) or ctx.scope.subscription_id
    group = _optional(body, "resourceGroup", ctx, path) or ctx.scope.resource_group
    prefix = f"/subscriptions/{subscription}/resourceGroups/{group}"
    scope = _optional(body, "scope", ctx, path)
    if scope:
        prefix = scope.rstrip("/") if scope.startswith("/") else f"{prefix}/providers/{scope}"
    segments, names = rtype.strip("/").split("/"), name.split("/")
    if len(segments) != len(names) + 1:
        raise TemplateError(
            f"The template resource '{name}' for type '{rtype}' has incorrect segment lengths. "
            "A nested resource type must have identical number of segments as its resource "
            "name. A root resource type must have segment length one greater than its resource "
            "name. Please see https://aka.ms/arm-syntax-resources for usage details.",
            target=path,
        )
    return format_id(prefix, rtype, names, "resourceId")


def _optional(body: Mapping[str, Any], field: str, ctx: Context, path: str) -> str | None:
    if body.get(field) is None:
        return None
    return _text(body, field, ctx, path)
