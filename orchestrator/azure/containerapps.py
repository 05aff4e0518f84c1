"""Container Apps: the one reader of apps, revisions and replicas, and the restart.

`view` answers "which revision is active, and how are its replicas" the same way for
`status`, `deploy`, `validate --online` and `logs`. Names and ids are compared without
regard to case (Azure returns `Microsoft.App/containerapps/...`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from orchestrator.azure.appmodels import AppView, ContainerApp, Replica, Revision
from orchestrator.azure.appparse import app_from_wire, replica_from_wire, revision_from_wire
from orchestrator.azure.errors import NotFound
from orchestrator.azure.wire import objects, same, text

if TYPE_CHECKING:
    from orchestrator.azure.arm import Arm

API_VERSION = "2026-07-01"  # azure-mgmt-appcontainers' own


def active_revision_name(app: ContainerApp, revisions: Sequence[Revision]) -> str:
    """The revision that serves the app (pure): the latest ready one when it is active (or
    when no revision says it is), else the last active one, else the latest one."""
    ready = app.latest_ready_revision
    active = [r.name for r in revisions if r.active]
    if ready and (not active or any(same(ready, name) for name in active)):
        return ready
    return active[-1] if active else app.latest_revision


class ContainerApps:
    """The Container Apps of one subscription (plain ARM requests, `arm.Arm`)."""

    def __init__(self, arm: Arm) -> None:
        self._arm = arm
        self.endpoint = arm.endpoint

    def _app_path(self, group: str, name: str, *parts: str) -> str:
        return self._arm.provider(group, "Microsoft.App", "containerApps", name, *parts)

    def app(self, group: str, name: str) -> ContainerApp:
        found = self._arm.get(
            self._app_path(group, name), API_VERSION, f"reading container app {name}"
        )
        return app_from_wire(found)

    def revisions(self, group: str, app: str) -> list[Revision]:
        listed = self._arm.items(
            self._app_path(group, app, "revisions"), API_VERSION, f"listing revisions of {app}"
        )
        return [revision_from_wire(r) for r in listed]

    def revision(self, group: str, app: str, name: str) -> Revision:
        found = self._arm.get(
            self._app_path(group, app, "revisions", name),
            API_VERSION,
            f"reading revision {name}",
        )
        return revision_from_wire(found)

    def replicas(self, group: str, app: str, revision: str) -> list[Replica]:
        found = self._arm.get(
            self._app_path(group, app, "revisions", revision, "replicas"),
            API_VERSION,
            f"listing replicas of {revision}",
        )
        return [replica_from_wire(r) for r in objects(found.get("value"))]

    def view(self, group: str, name: str, *, with_replicas: bool = True) -> AppView:
        """The app, its active revision and that revision's replicas."""
        app = self.app(group, name)
        listed = self.revisions(group, name)
        chosen = active_revision_name(app, listed)
        revision = next((r for r in listed if same(r.name, chosen)), None)
        if revision is None and chosen:
            try:
                revision = self.revision(group, name, chosen)
            except NotFound:
                revision = None
        if revision is None or not with_replicas:
            return AppView(app, revision)
        return AppView(app, revision, tuple(self.replicas(group, name, revision.name)))

    def restart_revision(self, group: str, app: str, revision: str) -> None:
        self._arm.post(
            self._app_path(group, app, "revisions", revision, "restart"),
            API_VERSION,
            f"restarting revision {revision}",
        )

    def auth_token(self, group: str, app: str) -> str:
        """A short-lived token for the app's log stream."""
        found = self._arm.post(
            self._app_path(group, app, "getAuthToken"),
            API_VERSION,
            f"getting a log-stream token for {app}",
        )
        return text(found, "properties", "token")
