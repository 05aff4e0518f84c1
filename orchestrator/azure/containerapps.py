"""Container Apps: the one reader of apps, revisions and replicas, and the restart.

`view` answers "which revision is active, and how are its replicas" the same way for
`status`, `deploy`, `validate --online` and `logs`. Names and ids are compared without
regard to case (Azure returns `Microsoft.App/containerapps/...`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from orchestrator.azure.errors import NotFound, calling
from orchestrator.azure.models import AppView, ContainerApp, Replica, Revision
from orchestrator.azure.parse import app_from_wire, replica_from_wire, revision_from_wire
from orchestrator.azure.wire import objects, same, text, wire

if TYPE_CHECKING:
    from azure.mgmt.appcontainers import ContainerAppsAPIClient

T = TypeVar("T")


def active_revision_name(app: ContainerApp, revisions: Sequence[Revision]) -> str:
    """The revision that serves the app (pure): the latest ready one when it is active (or
    when no revision says it is), else the last active one, else the latest one."""
    ready = app.latest_ready_revision
    active = [r.name for r in revisions if r.active]
    if ready and (not active or any(same(ready, name) for name in active)):
        return ready
    return active[-1] if active else app.latest_revision


class ContainerApps:
    """The Container Apps of one subscription."""

    def __init__(self, client: ContainerAppsAPIClient, *, endpoint: str) -> None:
        self._client = client
        self.endpoint = endpoint

    def _call(self, doing: str, func: Callable[[], T]) -> T:
        with calling(doing, self.endpoint):
            return func()
        raise AssertionError("unreachable")  # pragma: no cover

    def app(self, group: str, name: str) -> ContainerApp:
        found = self._call(
            f"reading container app {name}", lambda: self._client.container_apps.get(group, name)
        )
        return app_from_wire(wire(found))

    def revisions(self, group: str, app: str) -> list[Revision]:
        def read() -> list[Revision]:
            pages = self._client.container_apps_revisions.list_revisions(group, app)
            return [revision_from_wire(wire(r)) for r in pages]

        return self._call(f"listing revisions of {app}", read)

    def revision(self, group: str, app: str, name: str) -> Revision:
        found = self._call(
            f"reading revision {name}",
            lambda: self._client.container_apps_revisions.get_revision(group, app, name),
        )
        return revision_from_wire(wire(found))

    def replicas(self, group: str, app: str, revision: str) -> list[Replica]:
        found = self._call(
            f"listing replicas of {revision}",
            lambda: self._client.container_apps_revision_replicas.list_replicas(
                group, app, revision
            ),
        )
        return [replica_from_wire(r) for r in objects(wire(found).get("value"))]

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
        self._call(
            f"restarting revision {revision}",
            lambda: self._client.container_apps_revisions.restart_revision(group, app, revision),
        )

    def auth_token(self, group: str, app: str) -> str:
        """A short-lived token for the app's log stream."""
        found = self._call(
            f"getting a log-stream token for {app}",
            lambda: self._client.container_apps.get_auth_token(group, app),
        )
        return text(wire(found), "properties", "token")
