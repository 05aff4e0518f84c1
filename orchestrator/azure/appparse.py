"""Container Apps wire documents (app, revision, replica) → `appmodels` dataclasses (pure)."""

from __future__ import annotations

from orchestrator.azure.appmodels import ContainerApp, Replica, Revision
from orchestrator.azure.wire import as_object, at, flag, integer, objects, text


def app_from_wire(doc: object) -> ContainerApp:
    props = as_object(at(doc, "properties"))
    containers = objects(at(props, "template", "containers"))
    return ContainerApp(
        name=text(doc, "name"),
        provisioning_state=text(props, "provisioningState") or "Unknown",
        running_status=text(props, "runningStatus") or "Unknown",
        latest_revision=text(props, "latestRevisionName"),
        latest_ready_revision=text(props, "latestReadyRevisionName"),
        fqdn=text(props, "configuration", "ingress", "fqdn"),
        event_stream=text(props, "eventStreamEndpoint"),
        container=text(containers[0], "name") if containers else "",
        readiness_path=readiness_path(containers[0]) if containers else "",
    )


def readiness_path(container: object) -> str:
    """The path of a container's Readiness probe (`httpGet`), "" when it has none."""
    for probe in objects(at(container, "probes")):
        if text(probe, "type").lower() == "readiness":
            return text(probe, "httpGet", "path")
    return ""


def revision_from_wire(doc: object) -> Revision:
    props = as_object(at(doc, "properties"))
    error = props.get("provisioningError")
    return Revision(
        name=text(doc, "name"),
        active=flag(props, "active"),
        created=text(props, "createdTime"),
        health_state=text(props, "healthState"),
        running_state=text(props, "runningState"),
        provisioning_state=text(props, "provisioningState"),
        replicas=integer(props, "replicas"),
        running_state_details=text(props, "runningStateDetails"),
        provisioning_error=error if isinstance(error, str) else "",
    )


def replica_from_wire(doc: object) -> Replica:
    props = as_object(at(doc, "properties"))
    containers = objects(props.get("containers"))
    ready = sum(1 for c in containers if flag(c, "ready"))
    first = containers[0] if containers else {}
    return Replica(
        name=text(doc, "name"),
        created=text(props, "createdTime"),
        running=text(props, "runningState") or "Unknown",
        ready=bool(containers) and ready == len(containers),
        restarts=max((integer(c, "restartCount") for c in containers), default=0),
        detail=text(props, "runningStateDetails") or text(first, "runningStateDetails"),
        ready_containers=ready,
        containers=len(containers),
    )
