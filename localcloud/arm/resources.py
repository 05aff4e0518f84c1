"""Generic resource routes: any provider resource under a resource group, dispatched to the
provider registered for its type (`cloud.providers.for_type`).

    GET|HEAD|PUT|PATCH|DELETE  {rg}/providers/{ns}/{type}/{name}[/{type}/{name}...]
    POST                       {resource id}/{action}          -> provider.action
    GET                        {rg}/providers/{ns}/{type}      -> list
    GET                        {resource id}/{childType}       -> list children
    GET                        {rg}/resources, /subscriptions/{sub}/resources  ($filter: odata.py)
    GET                        /subscriptions/{sub}/providers/{ns}/{type}  (subscription-wide)

They are fallback routes: any specific route (deployments, provider extras) wins. Paths
under `Microsoft.Resources` are never treated as generic resources.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from aiohttp import web

from localcloud.arm import odata
from localcloud.arm.errors import ArmError, ErrorDetail, not_found
from localcloud.arm.group_store import require_group
from localcloud.arm.locations import normalized
from localcloud.arm.paging import page_response
from localcloud.arm.responses import (
    empty_response,
    json_response,
    query_value,
    read_json_object,
    require_api_version,
)
from localcloud.cloud import LocalCloud
from localcloud.ids import ResourceId, group_id
from localcloud.providers.base import RESOURCE, Provider

RESERVED_NAMESPACE = "microsoft.resources"


class PathKind(Enum):
    RESOURCE = "resource"  # ns/t1/n1[/t2/n2...]
    COLLECTION = "collection"  # ns/t1 or ns/t1/n1/t2 (list; POST: action on the parent)


@dataclass(frozen=True)
class ProviderPath:
    """The part of a generic path after `/providers/`, split (pure)."""

    kind: PathKind
    namespace: str
    types: tuple[str, ...]
    names: tuple[str, ...]
    last: str | None  # the collection's type segment or the action name

    @staticmethod
    def parse(rest: str) -> ProviderPath:
        parts = [p for p in rest.split("/") if p]
        if not parts or any(p.lower() == "providers" for p in parts):
            raise ArmError(
                404,
                "NoRegisteredProviderFound",
                f"No registered resource provider found for path 'providers/{rest}'.",
            )
        ns, pairs = parts[0], parts[1:]
        if len(pairs) % 2 == 0 and pairs:
            return ProviderPath(PathKind.RESOURCE, ns, tuple(pairs[0::2]), tuple(pairs[1::2]), None)
        if not pairs:
            raise ArmError(
                404, "InvalidResourceType", f"The resource type '' under '{ns}' is not valid."
            )
        body = pairs[:-1]
        return ProviderPath(
            PathKind.COLLECTION, ns, tuple(body[0::2]), tuple(body[1::2]), pairs[-1]
        )

    def resource_id(self, subscription: str, group: str) -> ResourceId:
        return ResourceId(subscription, group, self.namespace, self.types, self.names)


def validation_error(problems: list[ErrorDetail]) -> ArmError:
    if len(problems) == 1:
        p = problems[0]
        return ArmError(400, p.code, p.message, p.target, p.details)
    return ArmError(
        400,
        "MultipleErrorsOccurred",
        "Multiple error occurred: " + ", ".join(p.code for p in problems) + ". See details.",
        details=tuple(problems),
    )


def merge_patch(existing: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """A PATCH body applied to a resource document (objects merge, everything else replaces)."""
    out = dict(existing)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_patch(out[key], value)
        else:
            out[key] = value
    return out


def summary(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A resource as `resources.list*` shows it (GenericResourceExpanded, no properties): ARM's
    own view, with the id spelled after the type and the location as a name (`eastus2`), as
    the azd recording Test_CLI_Up_Down_ContainerApp_RemoteBuild.yaml shows."""
    keys = ("id", "name", "type", "location", "tags", "sku", "kind", "identity", "managedBy")
    out = {k: doc[k] for k in keys if doc.get(k) is not None}
    rid = ResourceId.parse(str(doc["id"]))
    kind = str(doc.get("type") or rid.full_type).split("/")
    if len(rid.types) == 1 and len(kind) == 2:
        out["id"] = f"{rid.group_id}/providers/{kind[0]}/{kind[1]}/{rid.name}"
    if isinstance(out.get("location"), str):
        out["location"] = normalized(out["location"])
    return out


def filter_resources(docs: list[dict[str, Any]], odata_filter: str | None) -> list[dict[str, Any]]:
    wanted = odata.parse(odata_filter)
    return [d for d in docs if wanted.matches(d)]


class Resources:
    def __init__(self, cloud: LocalCloud) -> None:
        self.cloud = cloud

    def _target(self, m: Mapping[str, str]) -> tuple[ProviderPath, str]:
        path = ProviderPath.parse(m["rest"])
        if path.namespace.lower() == RESERVED_NAMESPACE:
            raise ArmError(
                404,
                "InvalidResourceType",
                f"The resource type '{path.namespace}/{'/'.join(path.types)}' is not served here.",
            )
        group = require_group(self.cloud, m["sub"], m["rg"])
        return path, str(group["name"])

    def _resource(self, m: Mapping[str, str], kind: PathKind) -> ResourceId:
        path, group = self._target(m)
        if path.kind is not kind:
            raise ArmError(
                405,
                "MethodNotAllowed",
                f"The method is not supported on 'providers/{m['rest']}'.",
            )
        return path.resource_id(self.cloud.identity.subscription_id, group)

    async def get(self, request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        path, group = self._target(m)
        sub = self.cloud.identity.subscription_id
        if path.kind is PathKind.COLLECTION:
            return self._list(request, path, sub, group)
        rid = path.resource_id(sub, group)
        return json_response(self.cloud.providers.for_type(rid.full_type).require(rid))

    async def head(self, request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        rid = self._resource(m, PathKind.RESOURCE)
        found = self.cloud.providers.for_type(rid.full_type).get(rid) is not None
        return empty_response(204 if found else 404)

    def _list(
        self, request: web.Request, path: ProviderPath, sub: str, group: str
    ) -> web.StreamResponse:
        assert path.last is not None
        if path.types:
            parent = path.resource_id(sub, group)
            if self.cloud.providers.for_type(parent.full_type).get(parent) is None:
                raise not_found("resource", parent.full_type + "/" + parent.name)
            prefix, full_type = parent.id + "/", f"{parent.full_type}/{path.last}"
        else:
            prefix = group_id(sub, group) + f"/providers/{path.namespace}/"
            full_type = f"{path.namespace}/{path.last}"
        docs = self.cloud.providers.for_type(full_type).list(prefix, full_type)
        return page_response(self.cloud.base_url, request, docs, self.cloud.settings)

    async def put(self, request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        version = require_api_version(request)
        rid = self._resource(m, PathKind.RESOURCE)
        body = await read_json_object(request)
        return self._write(rid, body, version, "PUT")

    async def patch(self, request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        version = require_api_version(request)
        rid = self._resource(m, PathKind.RESOURCE)
        existing = self.cloud.providers.for_type(rid.full_type).require(rid)
        body = merge_patch(existing, await read_json_object(request))
        return self._write(rid, body, version, "PATCH")

    def _write(
        self, rid: ResourceId, body: dict[str, Any], version: str, method: str
    ) -> web.StreamResponse:
        provider = self.cloud.providers.for_type(rid.full_type)
        parent = rid.parent
        if (
            parent is not None
            and self.cloud.providers.for_type(parent.full_type).get(parent) is None
        ):
            raise ArmError(
                404,
                "ParentResourceNotFound",
                f"Failed to perform 'write' on resource(s) of type '{rid.full_type}', because "
                f"the parent resource '{parent.id}' could not be found.",
            )
        problems = provider.validate(rid, body)
        if problems:
            raise validation_error(problems)
        existed = provider.get(rid) is not None
        doc = provider.put(rid, body, api_version=version)
        if isinstance(provider, Provider):
            answer = provider.write_answer(
                rid, doc, created=not existed, method=method, api_version=version
            )
            if answer is not None:
                return answer
        return json_response(doc, 200 if existed else 201)

    async def delete(self, request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        rid = self._resource(m, PathKind.RESOURCE)
        provider = self.cloud.providers.for_type(rid.full_type)
        existing = provider.get(rid)
        if existing is None:
            return empty_response(204)
        for child in sorted(
            self.cloud.store.list(RESOURCE, rid.key + "/"),
            key=lambda d: -str(d["id"]).count("/"),
        ):
            cid = ResourceId.parse(str(child["id"]))
            self.cloud.providers.for_type(cid.full_type).delete(cid)
        provider.delete(rid)
        if isinstance(provider, Provider):
            version = query_value(request, "api-version") or ""
            answer = provider.delete_answer(rid, existing, api_version=version)
            if answer is not None:
                return answer
        return empty_response(200)

    async def action(self, request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        version = require_api_version(request)
        path, group = self._target(m)
        if path.kind is not PathKind.COLLECTION or not path.types or path.last is None:
            raise ArmError(
                405, "MethodNotAllowed", f"POST is not supported on 'providers/{m['rest']}'."
            )
        rid = path.resource_id(self.cloud.identity.subscription_id, group)
        body = await read_json_object(request, required=False)
        result = self.cloud.providers.for_type(rid.full_type).action(
            rid, path.last, body, api_version=version
        )
        if isinstance(result, web.StreamResponse):
            return result
        return empty_response(200) if result is None else json_response(result)

    async def list_group(self, request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        group = require_group(self.cloud, m["sub"], m["rg"])
        prefix = group_id(self.cloud.identity.subscription_id, str(group["name"])) + "/"
        return self._summaries(request, prefix)

    async def list_subscription(
        self, request: web.Request, m: Mapping[str, str]
    ) -> web.StreamResponse:
        return self._summaries(request, f"/subscriptions/{self.cloud.identity.subscription_id}/")

    def _summaries(self, request: web.Request, prefix: str) -> web.StreamResponse:
        docs = self.cloud.store.list(RESOURCE, prefix)
        chosen = filter_resources(docs, query_value(request, "$filter"))
        items = [summary(d) for d in chosen]
        return page_response(self.cloud.base_url, request, items, self.cloud.settings)

    async def list_type(self, request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        """`GET /subscriptions/{sub}/providers/{ns}/{type}`: every resource of a top-level
        type in the subscription, as its provider shows it."""
        require_api_version(request)
        full_type = f"{m['ns']}/{m['type']}"
        if m["ns"].lower() == RESERVED_NAMESPACE:
            raise ArmError(
                404, "InvalidResourceType", f"The resource type '{full_type}' is not served here."
            )
        prefix = f"/subscriptions/{self.cloud.identity.subscription_id}/"
        docs = self.cloud.providers.for_type(full_type).list(prefix, full_type)
        return page_response(self.cloud.base_url, request, docs, self.cloud.settings)


def install(cloud: LocalCloud) -> None:
    res = Resources(cloud)
    generic = "/subscriptions/{sub}/resourcegroups/{rg}/providers/{rest*}"
    cloud.arm.add_fallback("GET", generic, res.get)
    cloud.arm.add_fallback("HEAD", generic, res.head)
    cloud.arm.add_fallback("PUT", generic, res.put)
    cloud.arm.add_fallback("PATCH", generic, res.patch)
    cloud.arm.add_fallback("DELETE", generic, res.delete)
    cloud.arm.add_fallback("POST", generic, res.action)
    cloud.arm.add("GET", "/subscriptions/{sub}/resourcegroups/{rg}/resources", res.list_group)
    cloud.arm.add("GET", "/subscriptions/{sub}/resources", res.list_subscription)
    cloud.arm.add_fallback("GET", "/subscriptions/{sub}/providers/{ns}/{type}", res.list_type)
