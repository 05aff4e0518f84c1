"""Resource groups: PUT/GET/HEAD/PATCH/DELETE, list, and the delete operation's status.

Groups live in the store under kind "resourcegroup", key = lower-cased group id. Deleting a
group answers 202 with a `Location` to poll, then deletes every resource in it through its
provider (children first) and purges whatever else the group held (deployments, operations).

`install(cloud)` also registers the subscription/tenant routes (arm/subscriptions.py) and
the generic resource routes (arm/resources.py).
"""

from __future__ import annotations

import asyncio
import base64
import logging
import re
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from localcloud.arm import odata, resources, subscriptions
from localcloud.arm.errors import ArmError, not_found
from localcloud.arm.group_store import (
    GROUP,
    GROUP_TYPE,
    get_group,
    group_state,
    require_group,
)
from localcloud.arm.paging import page_response
from localcloud.arm.responses import (
    api_version,
    empty_response,
    json_response,
    query_value,
    read_json_object,
)
from localcloud.cloud import LocalCloud
from localcloud.ids import ResourceId, group_id
from localcloud.providers.base import RESOURCE
from localcloud.store import SqliteStore

_NAME = re.compile(r"^[-\w._()]{1,90}$")

log = logging.getLogger("localcloud.groups")


def validate_group_name(name: str) -> None:
    if not _NAME.match(name) or name.endswith("."):
        raise ArmError(
            400,
            "InvalidResourceGroup",
            f"The resource group name '{name}' is invalid: use 1-90 letters, digits, '-', '_', "
            "'.', '(' or ')', not ending in '.'.",
        )


def group_doc(
    subscription: str, name: str, body: Mapping[str, Any], existing: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The stored group after a PUT (pure): location is fixed at creation."""
    location = body.get("location")
    if not isinstance(location, str) or not location.strip():
        raise ArmError(
            400, "LocationRequired", "The location property is required for this definition."
        )
    if existing is not None and _norm(existing["location"]) != _norm(location):
        raise ArmError(
            409,
            "InvalidResourceGroupLocation",
            f"Invalid resource group location '{location}'. The Resource group already exists "
            f"in location '{existing['location']}' in resource group '{existing['name']}'. A "
            "resource group cannot change location.",
        )
    tags = body.get("tags") or {}
    if not isinstance(tags, dict):
        raise ArmError(400, "InvalidRequestContent", "The 'tags' property must be an object.")
    doc: dict[str, Any] = {
        "id": group_id(subscription, existing["name"] if existing else name),
        "name": existing["name"] if existing else name,
        "type": GROUP_TYPE,
        "location": existing["location"] if existing else _norm(location),
        "tags": tags,
        "properties": {"provisioningState": "Succeeded"},
    }
    if body.get("managedBy"):
        doc["managedBy"] = body["managedBy"]
    return doc


def _norm(location: str) -> str:
    return location.replace(" ", "").lower()


def operation_token(gid: str) -> str:
    return base64.urlsafe_b64encode(("delete:" + gid).encode()).decode().rstrip("=")


def parse_operation_token(token: str) -> str | None:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return text[len("delete:") :] if text.startswith("delete:") else None


def deletion_order(resource_ids: list[str]) -> list[str]:
    """Children before parents (pure): longest ids first."""
    return sorted(resource_ids, key=lambda rid: (-rid.count("/"), rid))


class Groups:
    def __init__(self, cloud: LocalCloud) -> None:
        self.cloud = cloud
        self._tasks: set[asyncio.Task[None]] = set()

    async def put(self, request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        sub, name = self.cloud.identity.subscription_id, m["rg"]
        validate_group_name(name)
        body = await read_json_object(request)
        existing = get_group(self.cloud, sub, name)
        if existing is not None and group_state(existing) == "Deleting":
            raise ArmError(
                409,
                "ResourceGroupBeingDeleted",
                f"The resource group '{name}' is in deprovisioning state and cannot perform "
                "this operation.",
            )
        doc = group_doc(sub, name, body, existing)
        self.cloud.store.put(GROUP, doc["id"], doc)
        return json_response(doc, 200 if existing else 201)

    async def patch(self, request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        existing = require_group(self.cloud, m["sub"], m["rg"])
        body = await read_json_object(request)
        merged = {**existing, **{k: v for k, v in body.items() if k in ("tags", "managedBy")}}
        sub = self.cloud.identity.subscription_id
        doc = group_doc(sub, m["rg"], {**merged, "location": existing["location"]}, existing)
        self.cloud.store.put(GROUP, doc["id"], doc)
        return json_response(doc)

    async def get(self, request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        doc = get_group(self.cloud, m["sub"], m["rg"])
        if doc is None:
            raise not_found("resourcegroup", m["rg"])
        return json_response(doc)

    async def head(self, request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        exists = get_group(self.cloud, m["sub"], m["rg"]) is not None
        return empty_response(204 if exists else 404)

    async def list(self, request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        prefix = f"/subscriptions/{m['sub']}/resourcegroups/"
        wanted = odata.parse(query_value(request, "$filter"))
        groups = [g for g in self.cloud.store.list(GROUP, prefix) if wanted.matches(g)]
        return page_response(self.cloud.base_url, request, groups, self.cloud.settings)

    async def delete(self, request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        doc = get_group(self.cloud, m["sub"], m["rg"])
        if doc is None:
            raise not_found("resourcegroup", m["rg"])
        doc["properties"] = {**(doc.get("properties") or {}), "provisioningState": "Deleting"}
        self.cloud.store.put(GROUP, doc["id"], doc)
        task = asyncio.get_running_loop().create_task(self._delete_contents(doc["id"]))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        version = api_version(request) or "2025-04-01"
        location = (
            f"{self.cloud.base_url}/subscriptions/{m['sub']}/operationresults/"
            f"{operation_token(doc['id'])}?api-version={version}"
        )
        return empty_response(202, {"Location": location, "Retry-After": "1"})

    async def operation_result(
        self, request: web.Request, m: Mapping[str, str]
    ) -> web.StreamResponse:
        gid = parse_operation_token(m["op"])
        if gid is None:
            raise ArmError(404, "OperationNotFound", f"The operation '{m['op']}' was not found.")
        doc = self.cloud.store.get(GROUP, gid)
        if doc is not None and group_state(doc) == "Deleting":
            return empty_response(202, {"Location": str(request.url), "Retry-After": "1"})
        return empty_response(200)

    async def _delete_contents(self, gid: str) -> None:
        try:
            await self._delete_resources(gid)
            if isinstance(self.cloud.store, SqliteStore):
                self.cloud.store.purge_prefix(gid.lower() + "/")
        except Exception:
            log.exception("deleting the contents of %s failed", gid)
        finally:
            self.cloud.store.delete(GROUP, gid)

    async def _delete_resources(self, gid: str) -> None:
        docs = self.cloud.store.list(RESOURCE, gid.lower() + "/")
        for rid_text in deletion_order([str(d["id"]) for d in docs]):
            try:
                rid = ResourceId.parse(rid_text)
                self.cloud.providers.for_type(rid.full_type).delete(rid)
            except Exception:
                log.exception("deleting %s failed; removing its document", rid_text)
            self.cloud.store.delete(RESOURCE, rid_text)
            await asyncio.sleep(0)


__all__ = ["GROUP", "GROUP_TYPE", "get_group", "install", "require_group"]


def install(cloud: LocalCloud) -> Groups:
    """Register resource-group, subscription and generic resource routes on `cloud.arm`;
    returns the groups (deployments answer their deletion polls)."""
    groups = Groups(cloud)
    base = "/subscriptions/{sub}/resourcegroups/{rg}"
    cloud.arm.add("PUT", base, groups.put)
    cloud.arm.add("PATCH", base, groups.patch)
    cloud.arm.add("GET", base, groups.get)
    cloud.arm.add("HEAD", base, groups.head)
    cloud.arm.add("DELETE", base, groups.delete)
    cloud.arm.add("GET", "/subscriptions/{sub}/resourcegroups", groups.list)
    cloud.arm.add("GET", "/subscriptions/{sub}/operationresults/{op}", groups.operation_result)
    subscriptions.install(cloud)
    resources.install(cloud)
    return groups
