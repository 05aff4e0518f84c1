"""Resource functions: resource ids, reference(), list*(), resourceInfo()."""

from __future__ import annotations

from typing import Any

from localcloud.template.context import Context
from localcloud.template.errors import TemplateError
from localcloud.template.registry import Function, FunctionTable, contextual, expect

FUNCTIONS: FunctionTable = {}


def format_id(prefix: str, resource_type: str, names: list[str], function: str) -> str:
    """`{prefix}/providers/{ns}/{t1}/{n1}/{t2}/{n2}...`, checking names against the type."""
    segments = resource_type.strip("/").split("/")
    flat = [part for name in names for part in name.split("/")]
    if len(segments) < 2 or any(not s for s in segments) or len(flat) != len(segments) - 1:
        raise TemplateError(
            f"Unable to evaluate template language function '{function}': the type "
            f"'{resource_type}' requires '{max(len(segments) - 1, 1)}' resource name "
            "argument(s). Please see https://aka.ms/arm-resource-functions for usage details."
        )
    tail = "/".join(f"{t}/{n}" for t, n in zip(segments[1:], flat, strict=True))
    return f"{prefix}/providers/{segments[0]}/{tail}"


def _split_scope(function: str, args: list[Any], max_scope: int) -> tuple[list[str], list[str]]:
    """Arguments before the resource type (scope values) and from the type on."""
    for position, arg in enumerate(args, 1):
        expect(function, arg, str, position)
    type_at = next((i for i, arg in enumerate(args) if "/" in arg), None)
    if type_at is None or type_at > max_scope:
        raise TemplateError(
            f"Unable to evaluate template language function '{function}': the resource type "
            "argument is missing or not valid. Please see "
            "https://aka.ms/arm-resource-functions for usage details."
        )
    return args[:type_at], args[type_at:]


@contextual(FUNCTIONS, "resourceId", 2, None)
def resource_id(ctx: Context, args: list[Any]) -> str:
    scope, rest = _split_scope("resourceId", args, 2)
    subscription = scope[0] if len(scope) == 2 else ctx.scope.subscription_id
    group = scope[-1] if scope else ctx.scope.resource_group
    prefix = f"/subscriptions/{subscription}/resourceGroups/{group}"
    return format_id(prefix, rest[0], rest[1:], "resourceId")


@contextual(FUNCTIONS, "subscriptionResourceId", 2, None)
def subscription_resource_id(ctx: Context, args: list[Any]) -> str:
    scope, rest = _split_scope("subscriptionResourceId", args, 1)
    subscription = scope[0] if scope else ctx.scope.subscription_id
    return format_id(f"/subscriptions/{subscription}", rest[0], rest[1:], "subscriptionResourceId")


@contextual(FUNCTIONS, "tenantResourceId", 2, None)
def tenant_resource_id(ctx: Context, args: list[Any]) -> str:
    _, rest = _split_scope("tenantResourceId", args, 0)
    return format_id("", rest[0], rest[1:], "tenantResourceId")


@contextual(FUNCTIONS, "extensionResourceId", 3, None)
def extension_resource_id(ctx: Context, args: list[Any]) -> str:
    scope = expect("extensionResourceId", args[0], str).rstrip("/")
    _, rest = _split_scope("extensionResourceId", args[1:], 0)
    return format_id(scope, rest[0], rest[1:], "extensionResourceId")


def target_id(ctx: Context, function: str, value: Any) -> str:
    """The resource id a reference()/list*() argument names (id, or a template resource)."""
    text = str(expect(function, value, str))
    if text.startswith("/"):
        return text
    found = ctx.resources.find(text)
    if found is None:
        raise TemplateError(
            f"The template function '{function}' refers to the resource '{text}', which is not "
            "defined in the template. Use a full resource id for resources outside it."
        )
    return found


@contextual(FUNCTIONS, "reference", 1, 3)
def reference(ctx: Context, args: list[Any]) -> Any:
    resolver = ctx.require_runtime("reference")
    rid = target_id(ctx, "reference", args[0])
    api_version = _api_version(ctx, "reference", args, rid)
    full = len(args) == 3 and isinstance(args[2], str) and args[2].lower() == "full"
    return resolver.reference(rid, api_version, full)


@contextual(FUNCTIONS, "references", 1, 2)
def references(ctx: Context, args: list[Any]) -> list[Any]:
    """2.0: `reference()` of every instance of a resource collection (copy loop)."""
    resolver = ctx.require_runtime("references")
    name = str(expect("references", args[0], str))
    ids = ctx.resources.collections.get(name.lower())
    if ids is None:
        raise TemplateError(f"The resource collection '{name}' is not defined in the template.")
    full = len(args) == 2 and isinstance(args[1], str) and args[1].lower() == "full"
    return [
        resolver.reference(rid, ctx.resources.api_versions.get(rid.lower()), full) for rid in ids
    ]


def _api_version(ctx: Context, function: str, args: list[Any], rid: str) -> str | None:
    if len(args) > 1 and args[1] is not None:
        return str(expect(function, args[1], str, 2))
    return ctx.resources.api_versions.get(rid.lower())


def list_action_function(name: str) -> Function:
    """The function for any `list*` name (listKeys, listSecrets, ...)."""

    def impl(ctx: Context, args: list[Any]) -> Any:
        resolver = ctx.require_runtime(name)
        rid = target_id(ctx, name, args[0])
        body = args[2] if len(args) > 2 else None
        return resolver.list_action(rid, name, _api_version(ctx, name, args, rid), body)

    return Function(name, 1, 3, impl)


@contextual(FUNCTIONS, "resourceInfo", 1)
def resource_info(ctx: Context, args: list[Any]) -> dict[str, Any]:
    rid = target_id(ctx, "resourceInfo", args[0])
    return {
        "id": rid,
        "name": rid.rsplit("/", 1)[-1],
        "type": ctx.resources.types.get(rid.lower(), ""),
        "apiVersion": ctx.resources.api_versions.get(rid.lower(), ""),
    }
