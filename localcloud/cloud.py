"""The LocalCloud context: every subsystem of the server, built once in `server.build_server`.

Subsystems reach each other only through this object and the Protocols below, so each can
be written and tested on its own:

- `store`      persistent documents (SQLite under the state dir)          localcloud/store.py
- `arm`        the case-insensitive ARM router                             localcloud/arm/router.py
- `providers`  resource providers by type                                  localcloud/providers/
- `files`      the Azure Files data plane and the share folders            localcloud/files/
- `runtime`    container apps that really run (replicas, ingress, logs)    localcloud/runtime/
- `tokens`     access tokens (issue, verify)                               localcloud/auth.py
- `settings`   admin-tunable behaviour (provisioning time, failures,       localcloud/admin.py
               network shaping)
- `extensions` endpoints outside ARM that subsystems add (log streams,      below
               data planes, admin endpoints)

Every field is set by the one constructor call (`server.build_server`); routes, providers
and extensions are then registered on `arm`, `providers` and `extensions` (registries, not
fields) by each subsystem's `install(cloud)`, called there in order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from aiohttp import web

from localcloud.arm.errors import ErrorDetail
from localcloud.arm.router import ArmRouter
from localcloud.config import Identity
from localcloud.ids import ResourceId
from localcloud.shaping import Shaping

__all__ = [
    "AdminExtension",
    "Extensions",
    "Files",
    "Identity",
    "LocalCloud",
    "OwnedHandler",
    "PathHandler",
    "Registry",
    "ResourceProvider",
    "Runtime",
    "Settings",
    "Store",
    "Tokens",
]


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

    def share_names(self, account: str) -> list[str]:
        """Every share of the account, made through ARM or the data plane."""
        ...

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


class Tokens(Protocol):
    """Access tokens signed with the state directory's key (localcloud/auth.py)."""

    def issue_token(self, subject: str, audience: str, lifetime_s: int = 3600) -> str: ...
    def verify(self, token: str, audience: str | None = None) -> dict[str, Any] | None: ...


class ResourceProvider(Protocol):
    """What ARM routes and the deployment engine call on a provider
    (localcloud/providers/base.py `Provider` is the base implementation)."""

    @property
    def types(self) -> tuple[str, ...]: ...

    def validate(self, rid: ResourceId, body: dict[str, Any]) -> list[ErrorDetail]: ...
    def put(self, rid: ResourceId, body: dict[str, Any], *, api_version: str) -> dict[str, Any]: ...
    def get(self, rid: ResourceId) -> dict[str, Any] | None: ...
    def require(self, rid: ResourceId) -> dict[str, Any]: ...
    def list(self, parent_prefix: str, full_type: str) -> list[dict[str, Any]]: ...
    def delete(self, rid: ResourceId) -> bool: ...
    def action(self, rid: ResourceId, action: str, body: Any, *, api_version: str) -> Any: ...


class PathHandler(Protocol):
    """Serves every request of one area (e.g. the Log Analytics query API)."""

    async def handle(self, request: web.Request) -> web.StreamResponse: ...


class OwnedHandler(PathHandler, Protocol):
    """Serves the requests whose path it owns (e.g. job execution log streams)."""

    def owns(self, path: str) -> bool: ...


class AdminExtension(Protocol):
    """An endpoint `/_localcloud/<name>` a subsystem adds; `reset` runs on POST reset."""

    async def handle(self, method: str, request: web.Request) -> web.Response: ...
    def reset(self) -> None: ...


@dataclass
class Extensions:
    """Endpoints outside ARM that subsystems register at install (like routes on `arm`)."""

    logstreams: list[OwnedHandler] = field(default_factory=list)  # before the apps' stream
    loganalytics: PathHandler | None = None  # /v1/workspaces/... query API
    admin: dict[str, AdminExtension] = field(default_factory=dict)


@dataclass
class Settings:
    """Admin-tunable behaviour (POST /_localcloud/settings). Mutated in place by the admin
    API: every subsystem holds this one object.

    `latency_ms` is added once per request (one round trip) and `bandwidth_kbps` caps each
    connection's bytes in each direction (0: off); both apply to ARM, Entra, Files, log
    streams and the app ingress listeners, not to the admin API (localcloud/shaping.py)."""

    provisioning_seconds: dict[str, float] = field(default_factory=lambda: {"*": 0.2})
    fail: dict[str, dict[str, str]] = field(default_factory=dict)
    latency_ms: float = 0.0
    bandwidth_kbps: float = 0.0
    # ARM list pages: at most `page_size` items (0: the default of each list), and with
    # `empty_pages` an empty page with a nextLink before each page (localcloud/arm/paging.py).
    page_size: int = 0
    empty_pages: bool = False

    def shaping(self) -> Shaping:
        """The network shaping in force now (read per request and per chunk)."""
        return Shaping(self.latency_ms, self.bandwidth_kbps)

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


class Registry:
    """Providers by lower-cased full resource type; unknown types get the default provider
    (registered by localcloud/providers/registry.py `install`)."""

    def __init__(self) -> None:
        self._default: ResourceProvider | None = None
        self._by_type: dict[str, ResourceProvider] = {}

    def register(self, provider: ResourceProvider) -> None:
        for t in provider.types:
            self._by_type[t.lower()] = provider

    def register_default(self, provider: ResourceProvider) -> None:
        self._default = provider

    def for_type(self, full_type: str) -> ResourceProvider:
        found = self._by_type.get(full_type.lower(), self._default)
        if found is None:
            raise LookupError("no resource provider is registered (providers.install not run)")
        return found

    def knows(self, full_type: str) -> bool:
        return full_type.lower() in self._by_type


@dataclass(frozen=True)
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
    tokens: Tokens
    extensions: Extensions = field(default_factory=Extensions)

    @property
    def location(self) -> str:
        return "eastus"
