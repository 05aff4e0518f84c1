"""Microsoft.App/containerApps: stored like Azure, run by `cloud.runtime`.

PUT stores the app (secrets redacted), hands the full document (with secret values) to
`cloud.runtime.apply`, and merges the computed fields it returns. GET adds the runtime's
live state (`runningStatus`, `latestReadyRevisionName`). DELETE stops the app first.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from aiohttp import web

from localcloud.arm.asyncops import APP_KIND, AsyncOperations, app_write_answer
from localcloud.arm.errors import ArmError
from localcloud.arm.locations import display_name
from localcloud.ids import ResourceId
from localcloud.providers.base import RESOURCE
from localcloud.providers.common import (
    azure_time,
    base_doc,
    load_private,
    properties_of,
    raise_first,
    stored_id,
    system_data,
)
from localcloud.providers.containerapps.appbase import APP_KEYS, AppLikeProvider
from localcloud.providers.containerapps.appshape import app_properties, live_status, with_secrets

if TYPE_CHECKING:
    from localcloud.cloud import Store

APP_TYPE = "Microsoft.App/containerApps"
# Azure's ids of apps say `containerapps` while their type says `containerApps`
# (Azure/azure-dev recording Test_CLI_Up_Down_ContainerApp.yaml, GET containerApps/web).
APP_ID_SEGMENT = "containerapps"
LOGSTREAM_AUDIENCE = "containerapps-logstream"
TOKEN_LIFETIME_S = 3600


def with_secret_values(store: Store, app: Mapping[str, Any]) -> dict[str, Any]:
    """A stored app document with `configuration.secrets[].value` filled in from the private
    store: what `cloud.runtime.apply` needs to resolve `secretRef` (e.g. on server start)."""
    secrets = load_private(store, ResourceId.parse(str(app["id"]))).get("secrets") or []
    return {**app, "properties": with_secrets(app.get("properties") or {}, list(secrets))}


def azure_app_id(rid: ResourceId) -> ResourceId:
    """The id as Azure spells it: `.../providers/Microsoft.App/containerapps/{name}`."""
    return ResourceId(
        rid.subscription, rid.resource_group, "Microsoft.App", (APP_ID_SEGMENT,), rid.names
    )


class ContainerAppProvider(AppLikeProvider):
    types = (APP_TYPE,)
    kind = "container app"

    def put(self, rid: ResourceId, body: dict[str, Any], *, api_version: str) -> dict[str, Any]:
        raise_first([*self.preflight(rid, body), *self.admission(rid, body)])
        existing = self.stored(rid)
        rid = azure_app_id(stored_id(existing, rid))
        requested, _ = self.keep_secrets(rid, properties_of(body))
        env_doc = self.environment(requested)
        doc = base_doc(rid, body, APP_KEYS)
        doc["type"] = APP_TYPE
        doc["location"] = display_name(str(body.get("location") or ""))
        doc["systemData"] = system_data(
            self.cloud.identity.client_id,
            azure_time().rstrip("Z"),
            (existing or {}).get("systemData"),
        )
        doc["properties"] = app_properties(rid, requested, env_doc, {}, self.cloud.base_url)
        self.cloud.store.put(RESOURCE, rid.key, doc)
        try:
            computed = self.cloud.runtime.apply(with_secret_values(self.cloud.store, doc))
        except ArmError:
            doc["properties"]["provisioningState"] = "Failed"
            self.cloud.store.put(RESOURCE, rid.key, doc)
            raise
        doc["properties"] = app_properties(rid, requested, env_doc, computed, self.cloud.base_url)
        self.cloud.store.put(RESOURCE, rid.key, doc)
        return doc

    def get(self, rid: ResourceId) -> dict[str, Any] | None:
        doc = self.stored(rid)
        return self.live(doc) if doc else None

    def write_answer(
        self, rid: ResourceId, doc: dict[str, Any], *, created: bool, method: str, api_version: str
    ) -> web.StreamResponse | None:
        """201/200 `InProgress` + Azure-AsyncOperation, or 202 for a PATCH (arm/asyncops.py)."""
        seconds = self.cloud.settings.seconds_for(APP_TYPE)
        op = AsyncOperations(self.cloud.store).start(
            str(doc["id"]), APP_KIND, str(doc.get("location") or ""), seconds
        )
        shown = self.live(doc)
        return app_write_answer(self.cloud.base_url, op, api_version, shown, method, created)

    def list(self, parent_prefix: str, full_type: str) -> list[dict[str, Any]]:
        return [self.live(d) for d in super().list(parent_prefix, full_type)]

    def live(self, doc: dict[str, Any]) -> dict[str, Any]:
        """The stored document with the runtime's current state merged in; `InProgress`
        while a direct write is still being provisioned."""
        fresh = live_status(self.cloud.runtime.revisions(str(doc["id"])))
        if AsyncOperations(self.cloud.store).pending(str(doc["id"])):
            fresh["provisioningState"] = "InProgress"
        if not fresh:
            return doc
        return {**doc, "properties": {**doc.get("properties", {}), **fresh}}

    def delete(self, rid: ResourceId) -> bool:
        doc = self.stored(rid)
        if doc is not None:
            self.cloud.runtime.remove(str(doc["id"]))
        return super().delete(rid)

    def action(self, rid: ResourceId, action: str, body: Any, *, api_version: str) -> Any:
        doc = self.require(rid)
        match action.lower():
            case "getauthtoken":
                return self.auth_token(doc)
            case "listsecrets":
                return self.list_secrets(rid)
            case _:
                return super().action(rid, action, body, api_version=api_version)

    def auth_token(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        """A log-stream token: subject = the app's resource ID, audience
        `containerapps-logstream` (the runtime's log stream verifies both)."""
        token = self.cloud.tokens.issue_token(str(doc["id"]), LOGSTREAM_AUDIENCE, TOKEN_LIFETIME_S)
        expires = datetime.now(timezone.utc) + timedelta(seconds=TOKEN_LIFETIME_S)
        return {
            "id": doc["id"],
            "name": doc["name"],
            "type": "Microsoft.App/containerApps/accesstoken",
            "location": doc.get("location"),
            "tags": doc.get("tags") or {},
            "properties": {"token": token, "expires": expires.strftime("%Y-%m-%dT%H:%M:%SZ")},
        }
