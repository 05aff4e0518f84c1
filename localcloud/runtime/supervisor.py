"""The Supervisor: `cloud.runtime`, container apps as local processes.

apply (pure plan: `spec.plan_revision`) -> record revisions (store kind "revision") ->
start the revision's replica and the app's HTTPS ingress on the running event loop.
One replica per active revision (minReplicas/maxReplicas are not honoured beyond 1);
only the first container runs. See launch.py (command, env, $PORT), mounts.py (volumes),
probes.py (probe time scale), ingress.py (fqdn `localhost:<port>`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from localcloud.arm.errors import ArmError
from localcloud.cloud import Store
from localcloud.ids import ResourceId
from localcloud.runtime import documents
from localcloud.runtime.ingress import Ingress, free_port
from localcloud.runtime.launch import Launcher, LaunchRequest, host_environment
from localcloud.runtime.ledger import Ledger
from localcloud.runtime.logs import LogBook
from localcloud.runtime.logstream import TokenVerifier, serve_logstream
from localcloud.runtime.mounts import SharePath, namespace_available
from localcloud.runtime.probes import Checker, ProbeSet, port_checker
from localcloud.runtime.records import RuntimeRecords
from localcloud.runtime.replica import Identity, Replica
from localcloud.runtime.sandbox import SandboxConfig, remove_app_environments
from localcloud.runtime.settings import RuntimeSettings, ScaledProbe
from localcloud.runtime.spec import (
    AppSpec,
    KeepRevision,
    NewRevision,
    SuffixConflict,
    plan_revision,
    replica_name,
    template_hash,
)
from localcloud.runtime.tasks import Background, Job
from localcloud.shaping import Shaping

log = logging.getLogger("localcloud.runtime")


@dataclass
class _App:
    spec: AppSpec
    doc: Mapping[str, Any]
    ingress: Ingress | None = None
    replicas: dict[str, Replica] = field(default_factory=dict)  # lower-cased revision ->


@dataclass(frozen=True)
class RuntimeParts:
    """What the runtime uses of the rest of localcloud (built before the LocalCloud)."""

    state_dir: Path
    store: Store
    base_url: str
    share_path: SharePath
    tokens: TokenVerifier
    shaping: Callable[[], Shaping] = Shaping  # network shaping of the app ingress listeners


class Supervisor:
    def __init__(
        self,
        parts: RuntimeParts,
        settings: RuntimeSettings,
        ssl_context: Callable[[], ssl.SSLContext],
        namespace: bool | None = None,
        host_env: Mapping[str, str] | None = None,
        sandbox: SandboxConfig | None = None,
    ) -> None:
        self._parts = parts
        self.sandbox = sandbox  # None only in tests: replicas then run unsandboxed
        self.settings = settings
        self._ssl_factory = ssl_context
        self._ssl: ssl.SSLContext | None = None
        self.launcher = Launcher(
            namespace=use_namespace(settings, sandbox) if namespace is None else namespace,
            lookup_storage=lambda key: parts.store.get("resource", key),
            share_path=parts.share_path,
            host_env=host_environment(os.environ if host_env is None else host_env),
            sandbox=sandbox,
        )
        self._dir = parts.state_dir / "runtime"
        self.logbook = LogBook(self._dir / "logs", settings.log_lines)
        self._ledger = Ledger(self._dir / "processes.json")
        self._records = RuntimeRecords(parts.store)
        self._apps: dict[str, _App] = {}
        self._background = Background()
        self._session: aiohttp.ClientSession | None = None

    # -- Runtime protocol ---------------------------------------------------------------
    def apply(self, app: Mapping[str, Any]) -> dict[str, Any]:
        spec = AppSpec.parse(app)
        plan = plan_revision(spec, self._records.known(spec.key))
        match plan:
            case SuffixConflict(name=name):
                raise ArmError(
                    400,
                    "ContainerAppRevisionSuffixConflict",
                    f"Revision '{name}' already exists with another template: change "
                    "properties.template.revisionSuffix or leave it empty.",
                    target="properties.template.revisionSuffix",
                )
            case NewRevision(name=name, template_hash=thash, deactivate=old):
                self._records.add_revision(spec, name, thash)
                for stale in old:
                    self._deactivate(spec.key, stale)
                latest = name
            case KeepRevision(name=name):
                latest = name
        secrets = ((app.get("properties") or {}).get("configuration") or {}).get("secrets")
        self._records.set_secrets(spec.key, [dict(x) for x in secrets or ()])
        state = self._apps.setdefault(spec.key, _App(spec, app))
        state.spec, state.doc = spec, app
        port = self._ensure_ingress(state)
        self._ensure_replicas(state)
        return documents.app_fields(
            spec.rid,
            self._parts.base_url,
            port,
            latest,
            self._records.latest_ready(spec.key),
            self._health(spec.key, latest),
        )

    def restart(self, app_id: str, revision: str) -> None:
        key = ResourceId.parse(app_id).key
        record = self._records.revision(key, revision)
        state = self._apps.get(key)
        if record is None or state is None:
            raise ArmError(
                404, "ContainerAppRevisionNotFound", f"Revision '{revision}' was not found."
            )
        if not record.get("active"):
            raise ArmError(
                400,
                "ContainerAppRevisionInactive",
                f"Revision '{revision}' is not active; activate it before restarting it.",
            )
        old = state.replicas.pop(revision.lower(), None)
        if old is not None:
            self._spawn(old.stop)
        self._start_replica(state, record)

    def remove(self, app_id: str) -> None:
        key = ResourceId.parse(app_id).key
        state = self._apps.pop(key, None)
        self._records.forget(key)
        if self.sandbox is not None:
            self._spawn(self._forget_environments(key))
        if state is None:
            return
        for replica in state.replicas.values():
            self._spawn(replica.stop)
        if state.ingress is not None:
            self._spawn(state.ingress.close)
        self.logbook.forget(key)

    def revisions(self, app_id: str) -> list[dict[str, Any]]:
        rid = ResourceId.parse(app_id)
        records = self._records.revisions(rid.key)
        latest = records[-1]["name"] if records else ""
        port = self._records.port(rid.key)
        fqdn = f"localhost:{port}" if port else ""
        return [
            documents.revision_doc(
                rid,
                r,
                self._health(rid.key, r["name"]),
                fqdn,
                100 if r["active"] and r["name"] == latest else 0,
            )
            for r in records
        ]

    def replicas(self, app_id: str, revision: str) -> list[dict[str, Any]]:
        rid = ResourceId.parse(app_id)
        if self._records.revision(rid.key, revision) is None:
            raise ArmError(
                404, "ContainerAppRevisionNotFound", f"Revision '{revision}' was not found."
            )
        state = self._apps.get(rid.key)
        replica = state.replicas.get(revision.lower()) if state else None
        if replica is None:
            return []
        return [documents.replica_doc(rid, revision, replica.status(), self._parts.base_url)]

    def log_lines(self, app_id: str, tail: int) -> list[str]:
        key = ResourceId.parse(app_id).key
        return [line.to_text() for line in self.logbook.lines(key, tail)]

    async def handle_logstream(self, request: web.Request) -> web.StreamResponse:
        return await serve_logstream(request, self.logbook, self._parts.tokens)

    def _forget_environments(self, app_key: str) -> Job:
        sandbox = self.sandbox

        async def forget() -> None:
            if sandbox is not None:
                await asyncio.to_thread(remove_app_environments, sandbox, app_key)

        return forget

    async def startup(self) -> None:
        self._ledger.reap_leftovers()
        self._background.start_pending()
        for key in self._records.app_keys():
            app = self._parts.store.get("resource", key)
            if app is None:
                continue
            try:
                fields = self.apply(documents.with_secrets(app, self._records.secrets(key)))
            except ArmError as err:  # one bad app must not keep the others down
                log.error("cannot run container app %s again: %s", key, err.message)
                continue
            self._update_stored_fqdn(key, app, str(fields.get("fqdn") or ""))

    async def shutdown(self) -> None:
        apps, self._apps = list(self._apps.values()), {}
        stops = [r.stop() for a in apps for r in a.replicas.values()]
        closes = [a.ingress.close() for a in apps if a.ingress is not None]
        await asyncio.gather(*stops, *closes, return_exceptions=True)
        await self.settle()
        if self._session is not None:
            await self._session.close()
            self._session = None
        self.logbook.close()

    # -- helpers for tests and the admin API --------------------------------------------
    async def settle(self) -> None:
        """Wait for the background stops/starts scheduled so far."""
        await self._background.settle()

    def events(self, app_id: str, tail: int) -> list[dict[str, Any]]:
        key = ResourceId.parse(app_id).key
        return [e.to_json() for e in self.logbook.events(key, tail)]

    def _deactivate(self, app_key: str, revision: str) -> None:
        self._records.deactivate(app_key, revision)
        state = self._apps.get(app_key)
        replica = state.replicas.pop(revision.lower(), None) if state else None
        if replica is not None:
            self._spawn(replica.stop)

    def _health(self, app_key: str, revision: str) -> documents.RevisionHealth:
        record = self._records.revision(app_key, revision)
        state = self._apps.get(app_key)
        replica = state.replicas.get(revision.lower()) if state else None
        return documents.revision_health(
            bool(record and record.get("active")),
            replica.status() if replica else None,
            self.settings.crash_threshold,
        )

    def _on_change(self, app_key: str, revision: str, replica: Replica) -> None:
        state = self._apps.get(app_key)
        if state is None or state.replicas.get(revision.lower()) is not replica:
            return
        if replica.status().ready:
            self._records.set_latest_ready(app_key, revision)

    # -- replicas ---------------------------------------------------------------------------
    def _ensure_replicas(self, state: _App) -> None:
        for record in self._records.revisions(state.spec.key):
            if record["active"] and record["name"].lower() not in state.replicas:
                self._start_replica(state, record)

    def _start_replica(self, state: _App, record: Mapping[str, Any]) -> None:
        spec, revision = state.spec, str(record["name"])
        template = record.get("template") or spec.template
        if template_hash(template) != template_hash(spec.template):
            props = {**(state.doc.get("properties") or {}), "template": template}
            spec = AppSpec.parse({**state.doc, "properties": props})
        if not spec.containers:
            return
        container = spec.containers[0]
        name = replica_name(revision, str(record["templateHash"]), _token())
        port = free_port()
        launch = self.launcher.build(
            LaunchRequest(spec, container, revision, name, port, self._dir / "replicas" / name)
        )
        ident = Identity(spec.key, spec.name, revision, name, container.name, port)
        probes = ProbeSet.for_container(container, self.settings)
        holder: list[Replica] = []
        replica = Replica(
            ident,
            launch,
            probes,
            self._checker(port),
            self.settings,
            self.logbook,
            on_change=lambda: self._on_change(spec.key, revision, holder[0]),
            ledger=self._ledger,
        )
        holder.append(replica)
        state.replicas[revision.lower()] = replica
        self._spawn(_starter(replica))

    def _checker(self, port: int) -> Checker:
        async def check(probe: ScaledProbe) -> bool:
            return await port_checker(self._client(), port)(probe)

        return check

    # -- ingress ------------------------------------------------------------------------------
    def _ensure_ingress(self, state: _App) -> int | None:
        key = state.spec.key
        if not state.spec.ingress:
            if state.ingress is not None:
                self._spawn(state.ingress.close)
                state.ingress = None
            return None
        if state.ingress is not None:
            return state.ingress.port
        port = free_port(self._records.port(key))
        self._records.set_port(key, port)
        state.ingress = Ingress(
            port,
            lambda: self._upstream(key),
            self._ssl_context(),
            self._client,
            self._parts.shaping,
        )
        self._spawn(state.ingress.start)
        return port

    def _upstream(self, app_key: str) -> int | None:
        state = self._apps.get(app_key)
        if state is None:
            return None
        ready = [r.status() for r in state.replicas.values() if r.status().ready]
        return max(ready, key=lambda s: s.created).port if ready else None

    def _ssl_context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = self._ssl_factory()
        return self._ssl

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0, force_close=False),
                auto_decompress=False,
            )
        return self._session

    def _update_stored_fqdn(self, key: str, app: dict[str, Any], fqdn: str) -> None:
        ingress = (app.get("properties") or {}).get("configuration", {}).get("ingress")
        if isinstance(ingress, dict) and fqdn and ingress.get("fqdn") != fqdn:
            ingress["fqdn"] = fqdn
            app["properties"]["latestRevisionFqdn"] = fqdn
            self._parts.store.put("resource", key, app)

    def _spawn(self, job: Job) -> None:
        self._background.spawn(job)


def use_namespace(settings: RuntimeSettings, sandbox: SandboxConfig | None) -> bool:
    """Whether mounts appear at their mountPath: forced by LOCALCLOUD_MOUNT_MODE, else when
    the sandbox has a namespace (without a sandbox: when root may make one)."""
    if settings.mount_mode != "auto":
        return settings.mount_mode == "namespace"
    if sandbox is not None:
        return sandbox.isolation == "namespace"
    return namespace_available()


def _token() -> str:
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    return "".join(secrets.choice(alphabet) for _ in range(5))


def _starter(replica: Replica) -> Job:
    async def start() -> None:
        replica.start()

    return start
