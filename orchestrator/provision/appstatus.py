"""The inference app's state for `status`: provisioning and running state, latest revision,
replica health, ingress FQDN (through azure-mgmt-appcontainers; errors translated)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from azure.core.exceptions import HttpResponseError, ServiceRequestError, ServiceResponseError

from orchestrator.provision.arm import translate, wire


@dataclass(frozen=True)
class ReplicaStatus:
    name: str
    running_state: str
    ready_containers: int
    containers: int


@dataclass(frozen=True)
class AppStatus:
    name: str
    provisioning_state: str
    running_status: str
    latest_revision: str
    latest_ready_revision: str
    fqdn: str
    revision_health: str = ""
    revision_running_state: str = ""
    replicas: tuple[ReplicaStatus, ...] = ()

    def as_data(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "provisioning_state": self.provisioning_state,
            "running_status": self.running_status,
            "latest_revision": self.latest_revision,
            "latest_ready_revision": self.latest_ready_revision,
            "fqdn": self.fqdn,
            "revision_health": self.revision_health,
            "revision_running_state": self.revision_running_state,
            "replicas": [
                {
                    "name": r.name,
                    "running_state": r.running_state,
                    "ready_containers": r.ready_containers,
                    "containers": r.containers,
                }
                for r in self.replicas
            ],
        }


def _get(doc: Mapping[str, Any], *path: str) -> str:
    node: Any = doc
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node if isinstance(node, str) else ""


def _replica(doc: Mapping[str, Any]) -> ReplicaStatus:
    props = doc.get("properties") if isinstance(doc.get("properties"), Mapping) else {}
    containers = props.get("containers") if isinstance(props, Mapping) else None
    items = (
        [c for c in containers if isinstance(c, Mapping)] if isinstance(containers, list) else []
    )
    return ReplicaStatus(
        name=_get(doc, "name"),
        running_state=_get(doc, "properties", "runningState"),
        ready_containers=sum(1 for c in items if c.get("ready")),
        containers=len(items),
    )


def read_app_status(client: Any, group: str, app: str, endpoint: str) -> AppStatus:
    """Read the app, its latest revision and that revision's replicas."""
    try:
        doc = wire(client.container_apps.get(group, app))
        revision = _get(doc, "properties", "latestRevisionName")
        rev_doc: dict[str, Any] = {}
        replicas: tuple[ReplicaStatus, ...] = ()
        if revision:
            rev_doc = wire(client.container_apps_revisions.get_revision(group, app, revision))
            listed = wire(
                client.container_apps_revision_replicas.list_replicas(group, app, revision)
            )
            values = listed.get("value")
            replicas = tuple(
                _replica(r)
                for r in (values if isinstance(values, list) else [])
                if isinstance(r, Mapping)
            )
    except (HttpResponseError, ServiceRequestError, ServiceResponseError) as exc:
        raise translate(exc, f"reading container app {app}", endpoint) from exc
    return AppStatus(
        name=app,
        provisioning_state=_get(doc, "properties", "provisioningState"),
        running_status=_get(doc, "properties", "runningStatus"),
        latest_revision=revision,
        latest_ready_revision=_get(doc, "properties", "latestReadyRevisionName"),
        fqdn=_get(doc, "properties", "configuration", "ingress", "fqdn"),
        revision_health=_get(rev_doc, "properties", "healthState"),
        revision_running_state=_get(rev_doc, "properties", "runningState"),
        replicas=replicas,
    )
