"""What the runtime persists in the store, so a localcloud restart re-runs active apps.

- kind "revision", key `<app key>/revisions/<name>` (lower-cased): one revision
  `{appId, name, ordinal, templateHash, template, active, createdTime, lastActiveTime}`.
- kind "runtime-app", key `<app key>`: `{appKey, port (ingress, allocated once),
  latestReady (the last revision that became ready), secrets (configuration.secrets with
  values, as apply received them)}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from localcloud.cloud import Store
from localcloud.runtime.logs import iso, utc_now
from localcloud.runtime.spec import AppSpec, KnownRevision

REVISION = "revision"
APP_STATE = "runtime-app"


def revision_key(app_key: str, revision: str) -> str:
    return f"{app_key}/revisions/{revision}".lower()


class RuntimeRecords:
    def __init__(self, store: Store) -> None:
        self._store = store

    # -- revisions ------------------------------------------------------------------------
    def revisions(self, app_key: str) -> list[dict[str, Any]]:
        """In creation order: the last one is the latest revision."""
        docs = self._store.list(REVISION, f"{app_key}/revisions/")
        return sorted(docs, key=lambda d: int(d.get("ordinal", 0)))

    def known(self, app_key: str) -> list[KnownRevision]:
        return [
            KnownRevision(str(r["name"]), str(r["templateHash"]), bool(r["active"]))
            for r in self.revisions(app_key)
        ]

    def revision(self, app_key: str, name: str) -> dict[str, Any] | None:
        return self._store.get(REVISION, revision_key(app_key, name))

    def add_revision(self, spec: AppSpec, name: str, thash: str) -> dict[str, Any]:
        now = iso(utc_now())
        record = {
            "appId": spec.rid.id,
            "name": name,
            "ordinal": len(self.revisions(spec.key)),
            "templateHash": thash,
            "template": dict(spec.template),
            "active": True,
            "createdTime": now,
            "lastActiveTime": now,
        }
        self._store.put(REVISION, revision_key(spec.key, name), record)
        self._update(spec.key, {})
        return record

    def deactivate(self, app_key: str, name: str) -> None:
        record = self.revision(app_key, name)
        if record is not None:
            record.update(active=False, lastActiveTime=iso(utc_now()))
            self._store.put(REVISION, revision_key(app_key, name), record)

    # -- per app ----------------------------------------------------------------------------
    def app_keys(self) -> list[str]:
        return [str(d["appKey"]) for d in self._store.list(APP_STATE) if d.get("appKey")]

    def port(self, app_key: str) -> int | None:
        port = self._app(app_key).get("port")
        return int(port) if port else None

    def set_port(self, app_key: str, port: int) -> None:
        self._update(app_key, {"port": port})

    def latest_ready(self, app_key: str) -> str:
        return str(self._app(app_key).get("latestReady") or "")

    def set_latest_ready(self, app_key: str, name: str) -> None:
        if self.latest_ready(app_key) != name:
            self._update(app_key, {"latestReady": name})

    def set_secrets(self, app_key: str, secrets: list[dict[str, Any]]) -> None:
        """The app's secret values (the stored app document has them redacted); kept so a
        localcloud restart can resolve secretRef env vars again."""
        if self._app(app_key).get("secrets") != secrets:
            self._update(app_key, {"secrets": secrets})

    def secrets(self, app_key: str) -> list[dict[str, Any]]:
        return list(self._app(app_key).get("secrets") or [])

    def forget(self, app_key: str) -> None:
        for record in self.revisions(app_key):
            self._store.delete(REVISION, revision_key(app_key, str(record["name"])))
        self._store.delete(APP_STATE, app_key)

    def _app(self, app_key: str) -> dict[str, Any]:
        return self._store.get(APP_STATE, app_key) or {}

    def _update(self, app_key: str, changes: Mapping[str, Any]) -> None:
        self._store.put(APP_STATE, app_key, {**self._app(app_key), "appKey": app_key, **changes})
