"""Deployment and scope functions: parameters, variables, copyIndex, deployment, scope objects."""

from __future__ import annotations

from typing import Any

from localcloud.template.context import Context
from localcloud.template.errors import TemplateError
from localcloud.template.registry import FunctionTable, contextual, expect

FUNCTIONS: FunctionTable = {}


def _not_here(function: str, detail: str = "") -> TemplateError:
    return TemplateError(
        f"The template function '{function}' is not expected at this location.{detail} "
        "Please see https://aka.ms/arm-functions for usage details."
    )


@contextual(FUNCTIONS, "parameters", 1)
def parameters(ctx: Context, args: list[Any]) -> Any:
    return ctx.parameters.get(expect("parameters", args[0], str))


@contextual(FUNCTIONS, "variables", 1)
def variables(ctx: Context, args: list[Any]) -> Any:
    if ctx.stage == "parameters":
        raise _not_here("variables")
    return ctx.variables.get(expect("variables", args[0], str))


@contextual(FUNCTIONS, "copyIndex", 0, 2)
def copy_index(ctx: Context, args: list[Any]) -> int:
    name, offset = "", 0
    if len(args) == 2:
        name, offset = expect("copyIndex", args[0], str), expect("copyIndex", args[1], int, 2)
    elif args and isinstance(args[0], str):
        name = args[0]
    elif args:
        offset = expect("copyIndex", args[0], (int, str))
    if name.lower() not in ctx.copy_indexes:
        if not name:
            raise _not_here(
                "copyIndex", " The function can only be used in a resource with copy specified."
            )
        raise TemplateError(f"The template copy index '{name}' is not found.")
    return ctx.copy_indexes[name.lower()] + offset


@contextual(FUNCTIONS, "lambdaVariables", 1)
def lambda_variables(ctx: Context, args: list[Any]) -> Any:
    name = expect("lambdaVariables", args[0], str)
    if name.lower() not in ctx.lambda_vars:
        raise TemplateError(f"The lambda variable '{name}' is not defined here.")
    return ctx.lambda_vars[name.lower()]


@contextual(FUNCTIONS, "newGuid", 0)
def new_guid(ctx: Context, args: list[Any]) -> str:
    if ctx.stage != "parameters":
        raise _not_here("newGuid", " The function can only be used with parameter default value.")
    return ctx.new_guid()


@contextual(FUNCTIONS, "deployment", 0)
def deployment(ctx: Context, args: list[Any]) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "template": dict(ctx.template),
        "parameters": dict(ctx.deployment_parameters),
        "mode": ctx.scope.mode,
        "provisioningState": "Accepted",
    }
    if ctx.scope.template_hash is not None:
        properties["templateHash"] = ctx.scope.template_hash
    return {"name": ctx.scope.deployment_name, "properties": properties}


@contextual(FUNCTIONS, "environment", 0)
def environment(ctx: Context, args: list[Any]) -> dict[str, Any]:
    return dict(ctx.scope.environment)


@contextual(FUNCTIONS, "resourceGroup", 0)
def resource_group(ctx: Context, args: list[Any]) -> dict[str, Any]:
    scope = ctx.scope
    group: dict[str, Any] = {
        "id": scope.group_path,
        "name": scope.resource_group,
        "type": "Microsoft.Resources/resourceGroups",
        "location": scope.location,
        "tags": dict(scope.resource_group_tags),
        "properties": {"provisioningState": "Succeeded"},
    }
    if scope.resource_group_managed_by:
        group["managedBy"] = scope.resource_group_managed_by
    return group


@contextual(FUNCTIONS, "subscription", 0)
def subscription(ctx: Context, args: list[Any]) -> dict[str, Any]:
    return {
        "id": ctx.scope.subscription_path,
        "subscriptionId": ctx.scope.subscription_id,
        "tenantId": ctx.scope.tenant_id,
        "displayName": ctx.scope.subscription_display_name,
    }


@contextual(FUNCTIONS, "tenant", 0)
def tenant(ctx: Context, args: list[Any]) -> dict[str, Any]:
    return {
        "countryCode": "US",
        "displayName": "Local Tenant",
        "id": f"/tenants/{ctx.scope.tenant_id}",
        "tenantId": ctx.scope.tenant_id,
    }
