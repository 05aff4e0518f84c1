"""Azure-shaped documents for revisions, replicas and the app's computed fields (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from localcloud.ids import ResourceId
from localcloud.runtime.logs import iso
from localcloud.runtime.replica import ReplicaStatus

REVISION_TYPE = "Microsoft.App/containerApps/revisions"
REPLICA_TYPE = "Microsoft.App/containerApps/revisions/replicas"


@dataclass(frozen=True)
class RevisionHealth:
    running_state: str  # Running | Processing | Stopped | Degraded | Failed
    health_state: str  # Healthy | Unhealthy | None
    replicas: int


def revision_health(
    active: bool, replica: ReplicaStatus | None, crash_threshold: int
) -> RevisionHealth:
    if not active:
        return RevisionHealth("Stopped", "None", 0)
    if replica is None or replica.stopped:
        return RevisionHealth("Processing", "None", 0)
    if replica.consecutive_exits >= crash_threshold:
        return RevisionHealth("Degraded" if replica.ever_ready else "Failed", "Unhealthy", 1)
    if replica.ready:
        return RevisionHealth("Running", "Healthy", 1)
    return RevisionHealth("Processing", "None", 1)


def running_status(health: RevisionHealth) -> str:
    """The app's runningStatus from its latest revision."""
    return {
        "Running": "Running",
        "Processing": "Progressing",
        "Stopped": "Stopped",
    }.get(health.running_state, "Degraded")


def logstream_base(base_url: str, app: ResourceId) -> str:
    return (
        f"{base_url}/logstream/subscriptions/{app.subscription}/resourceGroups/"
        f"{app.resource_group}/containerApps/{app.name}"
    )


def app_fields(
    app: ResourceId,
    base_url: str,
    ingress_port: int | None,
    latest: str,
    latest_ready: str,
    health: RevisionHealth,
) -> dict[str, Any]:
    fqdn = f"localhost:{ingress_port}" if ingress_port else ""
    return {
        "latestRevisionName": latest,
        "latestReadyRevisionName": latest_ready,
        "latestRevisionFqdn": fqdn,
        "runningStatus": running_status(health),
        "fqdn": fqdn,
        "eventStreamEndpoint": f"{logstream_base(base_url, app)}/eventstream",
        "outboundIpAddresses": ["127.0.0.1"],
    }


def revision_doc(
    app: ResourceId,
    record: Mapping[str, Any],
    health: RevisionHealth,
    fqdn: str,
    traffic_weight: int,
) -> dict[str, Any]:
    name = str(record["name"])
    return {
        "id": f"{app.id}/revisions/{name}",
        "name": name,
        "type": REVISION_TYPE,
        "properties": {
            "createdTime": record["createdTime"],
            "lastActiveTime": record.get("lastActiveTime") or record["createdTime"],
            "fqdn": fqdn,
            "template": record.get("template") or {},
            "active": bool(record.get("active")),
            "replicas": health.replicas,
            "trafficWeight": traffic_weight,
            "healthState": health.health_state,
            "provisioningState": "Provisioned",
            "runningState": health.running_state,
            "provisioningError": None,
        },
    }


def replica_doc(
    app: ResourceId, revision: str, status: ReplicaStatus, base_url: str
) -> dict[str, Any]:
    endpoint = (
        f"{logstream_base(base_url, app)}/revisions/{revision}/replicas/{status.name}"
        f"/containers/{status.container}/logstream"
    )
    running = status.state == "Running"
    container = {
        "name": status.container,
        "containerId": f"localcloud://{status.pid}" if status.pid else "",
        "ready": status.ready,
        "started": status.started,
        "restartCount": status.restart_count,
        "runningState": status.state,
        "runningStateDetails": status.details,
        "logStreamEndpoint": endpoint,
        "execEndpoint": "",
    }
    return {
        # Azure spells the app `containerApps` in a replica's id (while the app's own id and
        # the replica's type say `containerapps`): test_containerapp_replica_commands.yaml
        "id": (
            f"/subscriptions/{app.subscription}/resourceGroups/{app.resource_group}/providers/"
            f"Microsoft.App/containerApps/{app.name}/revisions/{revision}/replicas/{status.name}"
        ),
        "name": status.name,
        "type": REPLICA_TYPE,
        "properties": {
            "createdTime": iso(status.created),
            "runningState": "Running" if running and not status.stopped else "NotRunning",
            "runningStateDetails": status.details,
            "containers": [container],
            "initContainers": [],
        },
    }


def with_secrets(app: Mapping[str, Any], secrets: list[dict[str, Any]]) -> dict[str, Any]:
    """The app document with its secrets' values back in (they are stored apart)."""
    props = dict(app.get("properties") or {})
    config = dict(props.get("configuration") or {})
    if secrets:
        config["secrets"] = secrets
    return {**app, "properties": {**props, "configuration": config}}
