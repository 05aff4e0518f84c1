"""The LocalCloud context: every subsystem of the server, wired once in `server.build_cloud`.

Subsystems reach each other only through this object and the Protocols below, so each can
be written and tested on its own:

- `store`      persistent documents (SQLite under the state dir)          localcloud/store.py
- `arm`        the case-insensitive ARM router                             localcloud/arm/router.py
- `providers`  resource providers by type                                  localcloud/providers/
- `engine`     template deployments (ARM's deployment engine)              localcloud/arm/engine.py
- `files`      the Azure Files data plane and the share folders            localcloud/files/
- `runtime`    container apps that really run (replicas, ingress, logs)    localcloud/runtime/
- `settings`   admin-tunable behaviour (provisioning time, failures)       localcloud/admin.py
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from aiohttp import web

from localcloud.arm.router import ArmRouter

if TYPE_CHECKING:
    from localcloud.providers.base import Provider


class Store(Protocol):
    """Documents keyed by (kind, key); keys are compared lower-cased. Survives restarts."""

    def get(self, kind: str, key: str) -> dict[str, Any] | None: ...
    def put(self, kind: str, key: str, doc: Mapping[str, Any]) -> None: ...
    def delete(self, kind: str, key: str) -> bool: ...
    def list(self, kind: str, prefix: str = "") -> list[dict[str, Any]]: ...


class Files(Protocol):
    """The local folders behind file shares (the data plane serves them over HTTPS)."""

    def share_path(self, account: str, share: str) -> Path:
        """The folder holding the share's files (created when missing)."""
        ...

    def delete_share(self, account: str, share: str) -> None: ...

    def account_url(self, account: str) -> str:
        """`https://127.0.0.1:PORT/<account>` - what primaryEndpoints.file points at."""
        ...

    def owns(self, first_segment: str) -> bool:
        """True when a request path's first segment names a storage account served here."""
        ...

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Serve one data-plane request (path-style: /<account>/<share>/...)."""
        ...


class Runtime(Protocol):
    """Runs container apps as local processes. `app` is the stored container app document."""

    def apply(self, app: Mapping[str, Any]) -> dict[str, Any]:
        """Make the app's latest template run: create a revision when the template changed
        (or on first create) and (re)start its replica. Returns computed fields to merge into
        the app's properties: latestRevisionName, latestReadyRevisionName, latestRevisionFqdn,
        runningStatus, configuration.ingress.fqdn (via key "fqdn"), eventStreamEndpoint."""
        ...

    def restart(self, app_id: str, revision: str) -> None: ...
    def remove(self, app_id: str) -> None: ...
    def revisions(self, app_id: str) -> list[dict[str, Any]]: ...
    def replicas(self, app_id: str, revision: str) -> list[dict[str, Any]]: ...
    def log_lines(self, app_id: str, tail: int) -> list[str]: ...

    async def handle_logstream(self, request: web.Request) -> web.StreamResponse:
        """Serve `/logstream/...` (the app's eventStreamEndpoint base): console log lines."""
        ...

    async def startup(self) -> None:
        """Called once the server is listening: re-run the apps recorded in the store."""
        ...

    async def shutdown(self) -> None:
        """Stop every replica process and ingress listener."""
        ...


@dataclass
class Settings:
    """Admin-tunable behaviour (POST /_localcloud/settings)."""

    provisioning_seconds: dict[str, float] = field(default_factory=lambda: {"*": 0.2})
    fail: dict[str, dict[str, str]] = field(default_factory=dict)

    def seconds_for(self, resource_type: str) -> float:
        for key, value in self.provisioning_seconds.items():
            if key.lower() == resource_type.lower():
                return value
        return self.provisioning_seconds.get("*", 0.0)

    def failure_for(self, resource_type: str) -> dict[str, str] | None:
        for key, value in self.fail.items():
            if key.lower() == resource_type.lower():
                return value
        return None


@dataclass(frozen=True)
class Identity:
    """The single tenant, subscription and service principal localcloud serves."""

    tenant_id: str
    subscription_id: str
    client_id: str
    client_secret: str


class Registry:
    """Providers by lower-cased full resource type; unknown types get the default Provider."""

    def __init__(self, default: Provider) -> None:
        self._default = default
        self._by_type: dict[str, Provider] = {}

    def register(self, provider: Provider) -> None:
        for t in provider.types:
            self._by_type[t.lower()] = provider

    def for_type(self, full_type: str) -> Provider:
        return self._by_type.get(full_type.lower(), self._default)

    def knows(self, full_type: str) -> bool:
        return full_type.lower() in self._by_type


@dataclass
class LocalCloud:
    state_dir: Path
    base_url: str  # https://127.0.0.1:PORT (no trailing slash)
    ca_file: Path
    identity: Identity
    store: Store
    arm: ArmRouter
    settings: Settings
    providers: Registry
    files: Files
    runtime: Runtime
    engine: Any = None  # localcloud.arm.engine.Engine, set during wiring
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def location(self) -> str:
        return "eastus"
