"""What the Container Apps adapter returns: apps, revisions, replicas and `AppView` (frozen)."""

from __future__ import annotations

from dataclasses import dataclass


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
