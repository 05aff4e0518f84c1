"""Microsoft.OperationalInsights/workspaces: a customer ID and a pair of shared keys.

Keys live in the store under kind `workspacekeys`, key = the workspace's store key, doc
`{"customerId", "primarySharedKey", "secondarySharedKey"}`. Both `POST {id}/sharedKeys`
(the REST/SDK operation) and `POST {id}/listKeys` (what a template's `listKeys(id, ...)`
compiles to) return `{"primarySharedKey", "secondarySharedKey"}`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

from localcloud.arm.asyncops import WORKSPACE_KIND, AsyncOperations, app_delete_answer
from localcloud.arm.responses import json_response
from localcloud.ids import ResourceId
from localcloud.providers.common import (
    CheckedProvider,
    Problem,
    azure_time,
    base_doc,
    location_check,
    new_key,
    properties_of,
)

if TYPE_CHECKING:
    from localcloud.cloud import Store

WORKSPACE_TYPE = "Microsoft.OperationalInsights/workspaces"
KEYS = "workspacekeys"


def workspace_properties(
    requested: Mapping[str, Any], previous: Mapping[str, Any], customer_id: str, now: str
) -> dict[str, Any]:
    sku = dict(requested.get("sku") or {"name": "PerGB2018"})
    sku.setdefault("lastSkuUpdate", (previous.get("sku") or {}).get("lastSkuUpdate") or now)
    return {
        "features": {
            "legacy": 0,
            "searchVersion": 1,
            "enableLogAccessUsingOnlyResourcePermissions": True,
        },
        "workspaceCapping": {
            "dailyQuotaGb": -1.0,
            "quotaNextResetTime": quota_reset(previous, now),
            "dataIngestionStatus": "RespectQuota",
        },
        "publicNetworkAccessForIngestion": "Enabled",
        "publicNetworkAccessForQuery": "Enabled",
        "retentionInDays": 30,
        **requested,
        "sku": sku,
        "customerId": customer_id,
        "createdDate": previous.get("createdDate") or now,
        "modifiedDate": now,
        "provisioningState": "Succeeded",
    }


def quota_reset(previous: Mapping[str, Any], now: str) -> str:
    """`workspaceCapping.quotaNextResetTime`: the next day, on the hour (as Azure shows it)."""
    kept = (previous.get("workspaceCapping") or {}).get("quotaNextResetTime")
    if kept:
        return str(kept)
    moment = datetime.strptime(now[:19], "%Y-%m-%dT%H:%M:%S") + timedelta(days=1)
    return moment.strftime("%Y-%m-%dT%H:00:00Z")


def workspace_keys(store: Store, rid: ResourceId) -> dict[str, str]:
    doc = store.get(KEYS, rid.key)
    if doc is None:
        doc = {
            "customerId": str(uuid.uuid4()),
            "primarySharedKey": new_key(),
            "secondarySharedKey": new_key(),
        }
        store.put(KEYS, rid.key, doc)
    return {k: str(v) for k, v in doc.items()}


def customer_ids_and_keys(store: Store) -> list[dict[str, Any]]:
    """Every workspace's `{customerId, primarySharedKey, secondarySharedKey}`."""
    return store.list(KEYS)


class WorkspaceProvider(CheckedProvider):
    types = (WORKSPACE_TYPE,)

    def preflight(self, rid: ResourceId, body: dict[str, Any]) -> list[Problem]:
        return [*super().preflight(rid, body), *location_check(body)]

    def shape(
        self, rid: ResourceId, body: dict[str, Any], existing: dict[str, Any] | None
    ) -> dict[str, Any]:
        doc = base_doc(rid, body, ("location", "tags", "identity"))
        doc["etag"] = f'"{uuid.uuid4()}"'
        keys = workspace_keys(self.cloud.store, rid)
        doc["properties"] = workspace_properties(
            properties_of(body), properties_of(existing or {}), keys["customerId"], azure_time()
        )
        return doc

    def write_answer(
        self, rid: ResourceId, doc: dict[str, Any], *, created: bool, method: str, api_version: str
    ) -> web.StreamResponse | None:
        """A create answers 201 `Creating` with a Location that is the workspace itself
        (Azure/azure-cli recording containerapp/.../test_containerapp_env_storage.yaml)."""
        if not created:
            return None
        shown = {k: v for k, v in doc.items() if k != "etag"}
        shown["properties"] = {**doc["properties"], "provisioningState": "Creating"}
        location = f"{self.cloud.base_url}{doc['id']}?api-version={api_version}"
        return json_response(shown, 201, {"Location": location})

    def delete(self, rid: ResourceId) -> bool:
        self.cloud.store.delete(KEYS, rid.key)
        return super().delete(rid)

    def delete_answer(
        self, rid: ResourceId, doc: dict[str, Any], *, api_version: str
    ) -> web.StreamResponse | None:
        """202, empty, Azure-AsyncOperation + Location + `Retry-After: 0`, as Azure deletes
        a workspace (Azure/azure-dev Test_CLI_Up_Down_ContainerApp.yaml, interaction 42)."""
        seconds = self.cloud.settings.seconds_for(WORKSPACE_TYPE)
        op = AsyncOperations(self.cloud.store).start(
            str(doc["id"]), WORKSPACE_KIND, str(doc.get("location") or ""), seconds
        )
        return app_delete_answer(self.cloud.base_url, op, api_version)

    def action(self, rid: ResourceId, action: str, body: Any, *, api_version: str) -> Any:
        self.require(rid)
        if action.lower() in ("sharedkeys", "listkeys"):
            keys = workspace_keys(self.cloud.store, rid)
            return {
                "primarySharedKey": keys["primarySharedKey"],
                "secondarySharedKey": keys["secondarySharedKey"],
            }
        return super().action(rid, action, body, api_version=api_version)
