"""What the adapters return: frozen dataclasses, no I/O, no SDK types.

Deployments and their operations (with ARM's error trees typed as `ErrorDetail`), Container
Apps (app, revision, replica, and `AppView`, the one answer to "which revision is active and
how are its replicas"), storage accounts and file share entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

TERMINAL_STATES = frozenset({"succeeded", "failed", "canceled"})


# --- errors ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorDetail:
    """One node of an ARM error tree (`{"code", "message", "target", "details": [...]}`).

    A message that is itself a JSON error document (resource providers do that) is parsed
    into `details` when the tree is read, so the tree is walked once, typed."""

    code: str
    message: str
    target: str = ""
    details: tuple[ErrorDetail, ...] = ()


# --- deployments ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeploymentSnapshot:
    """One GET of a deployment (or one entry of the deployments list)."""

    name: str
    id: str
    state: str
    timestamp: str = ""
    duration: float | None = None
    template_hash: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)
    outputs: Mapping[str, object] = field(default_factory=dict)  # ARM's {name: {type, value}}
    output_resources: tuple[str, ...] = ()
    error: ErrorDetail | None = None

    @property
    def is_terminal(self) -> bool:
        return self.state.lower() in TERMINAL_STATES

    @property
    def succeeded(self) -> bool:
        return self.state.lower() == "succeeded"

    @property
    def canceled(self) -> bool:
        return self.state.lower() == "canceled"


@dataclass(frozen=True)
class OperationSnapshot:
    """One deployment operation: a resource being created, read or evaluated."""

    operation_id: str
    operation: str  # Create, Read, EvaluateDeploymentOutput, ...
    state: str
    resource_type: str = ""
    resource_name: str = ""
    resource_id: str = ""
    timestamp: str = ""
    duration: float | None = None
    status_code: str = ""
    status_message: ErrorDetail | None = None

    @property
    def is_terminal(self) -> bool:
        return self.state.lower() in TERMINAL_STATES

    @property
    def failed(self) -> bool:
        return self.state.lower() == "failed"

    @property
    def has_resource(self) -> bool:
        return bool(self.resource_type)


@dataclass(frozen=True)
class Preflight:
    """ARM's answer to a validate request that it accepted: its warnings."""

    warnings: tuple[str, ...] = ()


# --- container apps -------------------------------------------------------------------------


@dataclass(frozen=True)
class ContainerApp:
    name: str
    provisioning_state: str
    running_status: str
    latest_revision: str
    latest_ready_revision: str
    fqdn: str  # the ingress FQDN ("" without ingress)
    event_stream: str  # eventStreamEndpoint (the log stream's base)
    container: str  # the first container's name (its console is the app's log)
    readiness_path: str = ""  # the first container's Readiness probe httpGet path, if any


@dataclass(frozen=True)
class Revision:
    name: str
    active: bool
    created: str = ""
    health_state: str = ""
    running_state: str = ""
    provisioning_state: str = ""
    replicas: int = 0
    running_state_details: str = ""
    provisioning_error: str = ""

    @property
    def failed(self) -> bool:
        return "failed" in (self.running_state.lower(), self.provisioning_state.lower())


@dataclass(frozen=True)
class Replica:
    name: str
    created: str
    running: str  # runningState
    ready: bool  # every container ready
    restarts: int  # the highest restart count of its containers
    detail: str  # runningStateDetails (of the replica, else of its first container)
    ready_containers: int = 0
    containers: int = 0


@dataclass(frozen=True)
class AppView:
    """The app, its active revision and that revision's replicas: what `status`, `deploy`,
    `validate --online` and `logs` all read, so they name the same revision."""

    app: ContainerApp
    revision: Revision | None
    replicas: tuple[Replica, ...] = ()

    @property
    def revision_name(self) -> str:
        return self.revision.name if self.revision is not None else ""

    def newest_replica(self) -> Replica | None:
        """The most recently created replica (ISO times sort; the last listed wins ties)."""
        found = list(self.replicas)
        return max(reversed(found), key=lambda r: r.created) if found else None


# --- storage --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StorageAccess:
    """A storage account's Files endpoint and key (kept in memory, never written or shown)."""

    account: str
    file_endpoint: str  # without a trailing slash
    key: str = field(repr=False)


@dataclass(frozen=True)
class ShareEntry:
    """One entry of a folder listing on a file share."""

    name: str
    is_directory: bool
    size: int = 0
    etag: str = ""


@dataclass(frozen=True)
class FileProperties:
    etag: str
    size: int
    md5: bytes | None
