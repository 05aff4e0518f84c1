"""Microsoft.App/containerApps: stored like Azure, run by `cloud.runtime`.

PUT stores the app (secrets redacted), hands the full document (with secret values) to
`cloud.runtime.apply`, and merges the computed fields it returns. GET adds the runtime's
live state (`runningStatus`, `latestReadyRevisionName`). DELETE stops the app first.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Protocol

from localcloud.arm.errors import ArmError
from localcloud.ids import ResourceId
from localcloud.providers.base import RESOURCE
from localcloud.providers.common import (
    base_doc,
    load_private,
    properties_of,
    raise_first,
    stored_id,
)
from localcloud.providers.containerapps.appbase import APP_KEYS, AppLikeProvider
from localcloud.providers.containerapps.appshape import app_properties, live_status, with_secrets

if TYPE_CHECKING:
    from localcloud.cloud import Store

APP_TYPE = "Microsoft.App/containerApps"
LOGSTREAM_AUDIENCE = "containerapps-logstream"
TOKEN_LIFETIME_S = 3600


def with_secret_values(store: Store, app: Mapping[str, Any]) -> dict[str, Any]:
    """A stored app document with `configuration.secrets[].value` filled in from the private
    store: what `cloud.runtime.apply` needs to resolve `secretRef` (e.g. on server start)."""
    secrets = load_private(store, ResourceId.parse(str(app["id"]))).get("secrets") or []
    return {**app, "properties": with_secrets(app.get("properties") or {}, list(secrets))}


class TokenIssuer(Protocol):
    """`cloud.extras["auth"]` as far as providers use it."""

    def issue_token(self, subject: str, audience: str, lifetime_s: int) -> str: ...


class ContainerAppProvider(AppLikeProvider):
    types = (APP_TYPE,)
    kind = "container app"

    def put(self, rid: ResourceId, body: dict[str, Any], *, api_version: str) -> dict[str, Any]:
        raise_first([*self.preflight(rid, body), *self.admission(rid, body)])
        rid = stored_id(self.stored(rid), rid)
        requested, _ = self.keep_secrets(rid, properties_of(body))
        env_doc = self.environment(requested)
        doc = base_doc(rid, body, APP_KEYS)
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

    def list(self, parent_prefix: str, full_type: str) -> list[dict[str, Any]]:
        return [self.live(d) for d in super().list(parent_prefix, full_type)]

    def live(self, doc: dict[str, Any]) -> dict[str, Any]:
        """The stored document with the runtime's current state merged in."""
        fresh = live_status(self.cloud.runtime.revisions(str(doc["id"])))
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
        issuer: TokenIssuer | None = self.cloud.extras.get("auth")
        if issuer is None:
            raise ArmError(503, "ServiceUnavailable", "Token issuing is not available yet.")
        token = issuer.issue_token(str(doc["id"]), LOGSTREAM_AUDIENCE, TOKEN_LIFETIME_S)
        expires = datetime.now(timezone.utc) + timedelta(seconds=TOKEN_LIFETIME_S)
        return {
            "id": doc["id"],
            "name": doc["name"],
            "type": "Microsoft.App/containerApps/accesstoken",
            "location": doc.get("location"),
            "tags": doc.get("tags") or {},
            "properties": {"token": token, "expires": expires.strftime("%Y-%m-%dT%H:%M:%SZ")},
        }
