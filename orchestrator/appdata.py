"""A container app's state as result data (`status --json`, a failed deploy's document)."""

from __future__ import annotations

from typing import Any

from orchestrator.azure.appmodels import AppView, Replica, Revision


def revision_data(revision: Revision | None) -> dict[str, Any] | None:
    if revision is None:
        return None
    return {
        "name": revision.name,
        "active": revision.active,
        "health_state": revision.health_state,
        "running_state": revision.running_state,
        "provisioning_state": revision.provisioning_state,
        "replicas": revision.replicas,
        "running_state_details": revision.running_state_details or None,
    }


def replica_data(replica: Replica) -> dict[str, Any]:
    return {
        "name": replica.name,
        "running_state": replica.running,
        "ready": replica.ready,
        "ready_containers": replica.ready_containers,
        "containers": replica.containers,
        "restarts": replica.restarts,
        "detail": replica.detail or None,
    }


def app_data(view: AppView) -> dict[str, Any]:
    """The app as `status --json` shows it: the active revision and its replicas."""
    app = view.app
    return {
        "name": app.name,
        "provisioning_state": app.provisioning_state,
        "running_status": app.running_status,
        "active_revision": view.revision_name or None,
        "latest_revision": app.latest_revision,
        "latest_ready_revision": app.latest_ready_revision,
        "fqdn": app.fqdn,
        "revision": revision_data(view.revision),
        "replicas": [replica_data(r) for r in view.replicas],
    }
