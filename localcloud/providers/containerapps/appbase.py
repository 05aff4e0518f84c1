"""What container apps and jobs share: checks against their managed environment and the
write-only secrets (`configuration.secrets[].value`, returned only by `listSecrets`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from localcloud.arm.asyncops import APP_KIND, AsyncOperations, app_delete_answer
from localcloud.ids import ResourceId
from localcloud.providers.base import RESOURCE
from localcloud.providers.common import (
    CheckedProvider,
    Problem,
    drop_private,
    load_private,
    location_check,
    properties_of,
    save_private,
)
from localcloud.providers.containerapps.appshape import (
    environment_id,
    environment_problems,
    split_secrets,
    template_problems,
)

# Top-level keys of an app or job body that Azure keeps.
APP_KEYS = ("location", "tags", "identity", "kind", "extendedLocation", "managedBy")


class AppLikeProvider(CheckedProvider):
    kind = "container app"

    def preflight(self, rid: ResourceId, body: dict[str, Any]) -> list[Problem]:
        return [
            *super().preflight(rid, body),
            *location_check(body),
            *template_problems(properties_of(body), self.kind),
        ]

    def admission(self, rid: ResourceId, body: dict[str, Any]) -> list[Problem]:
        props = properties_of(body)
        env_doc = self.environment(props)
        storages = self.storage_names(env_doc) if env_doc else set()
        return environment_problems(props, env_doc, storages, self.kind)

    def environment(self, props: Mapping[str, Any]) -> dict[str, Any] | None:
        env_id = environment_id(props)
        if env_id is None:
            return None
        return self.cloud.store.get(RESOURCE, ResourceId.parse(env_id).key)

    def storage_names(self, env_doc: Mapping[str, Any]) -> set[str]:
        prefix = str(env_doc["id"]).lower() + "/storages/"
        return {str(d.get("name", "")).lower() for d in self.cloud.store.list(RESOURCE, prefix)}

    # -- secrets -------------------------------------------------------------------------
    def keep_secrets(
        self, rid: ResourceId, props: Mapping[str, Any]
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Store the secrets privately; returns (redacted properties, secrets with values)."""
        previous = load_private(self.cloud.store, rid).get("secrets") or []
        redacted, secrets = split_secrets(props, previous)
        save_private(self.cloud.store, rid, {"secrets": secrets})
        return redacted, secrets

    def secrets(self, rid: ResourceId) -> list[dict[str, Any]]:
        return list(load_private(self.cloud.store, rid).get("secrets") or [])

    def list_secrets(self, rid: ResourceId) -> dict[str, Any]:
        """`{"value": [{"name", "value", "identity"?, "keyVaultUrl"?}]}`."""
        return {"value": self.secrets(rid)}

    def delete(self, rid: ResourceId) -> bool:
        drop_private(self.cloud.store, rid)
        return super().delete(rid)

    def delete_answer(
        self, rid: ResourceId, doc: dict[str, Any], *, api_version: str
    ) -> web.StreamResponse | None:
        """202 + Azure-AsyncOperation + Location, as Azure deletes an app or a job."""
        seconds = self.cloud.settings.seconds_for(str(doc.get("type") or rid.full_type))
        op = AsyncOperations(self.cloud.store).start(
            str(doc["id"]), APP_KIND, str(doc.get("location") or ""), seconds
        )
        return app_delete_answer(self.cloud.base_url, op, api_version)
