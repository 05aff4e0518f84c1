"""Revisions and replicas of a container app: read from `cloud.runtime`, shaped as ARM
returns them (Azure/azure-rest-api-specs, `specification/app/resource-manager/Microsoft.App/
stable/2024-03-01/ContainerApps.json` and `ContainerAppsRevisions.json`).

The runtime may hand back ARM-shaped entries (`{"name", "properties": {...}}`) or flat ones
(`{"name", "createdTime", "runningState", ...}`); both are accepted and missing fields get
Azure's defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from localcloud.arm.errors import ArmError
from localcloud.ids import ResourceId
from localcloud.providers.base import RESOURCE, Provider
from localcloud.providers.containerapps.appshape import flat_revision

# As Azure spells them (its revision and replica ids say `containerapps` too).
REVISION_TYPE = "Microsoft.App/containerapps/revisions"
REPLICA_TYPE = "Microsoft.App/containerapps/revisions/replicas"
BUSY_STATES = ("InProgress", "Deleting")

_REVISION_DEFAULTS: dict[str, Any] = {
    "createdTime": None,
    "lastActiveTime": None,
    "fqdn": "",
    "template": {},
    "active": True,
    "replicas": 1,
    "trafficWeight": 0,
    "healthState": "None",
    "provisioningState": "Provisioned",
    "runningState": "Unknown",
    "provisioningError": None,
}


def revision_doc(app_id: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    props = flat_revision(raw)
    name = props.pop("name")
    props.pop("id", None)
    props.pop("type", None)
    return {
        "id": f"{app_id}/revisions/{name}",
        "name": name,
        "type": REVISION_TYPE,
        "properties": {**_REVISION_DEFAULTS, **props},
    }


def logstream_url(
    base_url: str, app: ResourceId, revision: str, replica: str, container: str
) -> str:
    return (
        f"{base_url}/logstream/subscriptions/{app.subscription}/resourceGroups/"
        f"{app.resource_group}/containerApps/{app.name}/revisions/{revision}/replicas/{replica}"
        f"/containers/{container}/logstream"
    )


def container_doc(raw: Mapping[str, Any], logstream: str) -> dict[str, Any]:
    return {
        "containerId": "",
        "ready": False,
        "started": False,
        "restartCount": 0,
        "runningState": "Waiting",
        "runningStateDetails": "",
        "logStreamEndpoint": logstream,
        "execEndpoint": "",
        **raw,
    }


def replica_doc(
    base_url: str, app_id: str, revision: str, raw: Mapping[str, Any]
) -> dict[str, Any]:
    props = flat_revision(raw)
    name = props.pop("name")
    props.pop("id", None)
    props.pop("type", None)
    app = ResourceId.parse(app_id)
    containers = [
        container_doc(c, logstream_url(base_url, app, revision, name, str(c.get("name", ""))))
        for c in props.get("containers") or []
    ]
    return {
        "id": (  # `containerApps` here, as Azure spells it (see runtime/documents.py)
            f"/subscriptions/{app.subscription}/resourceGroups/{app.resource_group}/providers/"
            f"Microsoft.App/containerApps/{app.name}/revisions/{revision}/replicas/{name}"
        ),
        "name": name,
        "type": REPLICA_TYPE,
        "properties": {
            "createdTime": None,
            "runningState": "Unknown",
            "runningStateDetails": "",
            "initContainers": [],
            **props,
            "containers": containers,
        },
    }


def app_of_prefix(parent_prefix: str) -> ResourceId | None:
    """The app a collection prefix (`.../containerApps/{app}[/revisions[/{rev}/replicas]]/`)
    belongs to."""
    parts = [p for p in parent_prefix.split("/") if p]
    if len(parts) < 8:
        return None
    try:
        app = ResourceId.parse("/" + "/".join(parts[:8]))
    except ArmError:
        return None
    return app if app.full_type.lower() == "microsoft.app/containerapps" else None


class _RuntimeBacked(Provider):
    """Read-only children served from the runtime; PUT and DELETE are refused."""

    def app_doc(self, rid: ResourceId) -> dict[str, Any]:
        app = ResourceId(
            rid.subscription, rid.resource_group, rid.namespace, rid.types[:1], rid.names[:1]
        )
        doc = self.cloud.store.get(RESOURCE, app.key)
        if doc is None:
            raise ArmError(
                404,
                "ResourceNotFound",
                f"The Resource 'Microsoft.App/containerApps/{app.name}' under resource group "
                f"'{app.resource_group}' was not found.",
            )
        return doc

    def revisions_of(self, app_doc: Mapping[str, Any]) -> list[dict[str, Any]]:
        app_id = str(app_doc["id"])
        return [revision_doc(app_id, r) for r in self.cloud.runtime.revisions(app_id)]

    def find_revision(self, app_doc: Mapping[str, Any], name: str) -> dict[str, Any]:
        for revision in self.revisions_of(app_doc):
            if revision["name"].lower() == name.lower():
                return revision
        raise ArmError(
            404,
            "ContainerAppRevisionNotFound",
            f"Revision '{name}' of container app '{app_doc['name']}' was not found.",
        )

    def put(self, rid: ResourceId, body: dict[str, Any], *, api_version: str) -> dict[str, Any]:
        raise ArmError(
            405,
            "MethodNotAllowed",
            f"'{rid.full_type}' is created by the service; it cannot be written directly.",
        )

    def delete(self, rid: ResourceId) -> bool:
        self.put(rid, {}, api_version="")
        return False


class RevisionProvider(_RuntimeBacked):
    types = (REVISION_TYPE,)

    def get(self, rid: ResourceId) -> dict[str, Any] | None:
        try:
            return self.find_revision(self.app_doc(rid), rid.name)
        except ArmError:
            return None

    def list(self, parent_prefix: str, full_type: str) -> list[dict[str, Any]]:
        app = app_of_prefix(parent_prefix)
        if app is None:
            return []
        return self.revisions_of(self.app_doc(app))

    def action(self, rid: ResourceId, action: str, body: Any, *, api_version: str) -> Any:
        app_doc = self.app_doc(rid)
        revision = self.find_revision(app_doc, rid.name)
        match action.lower():
            case "restart":
                return self.restart(app_doc, revision)
            case "activate" | "deactivate":
                return self.set_active(revision, action.lower() == "activate")
            case _:
                return super().action(rid, action, body, api_version=api_version)

    def restart(self, app_doc: Mapping[str, Any], revision: Mapping[str, Any]) -> dict[str, Any]:
        """Synchronous, like Azure: 200 `{}` once the runtime has scheduled the restart."""
        state = (app_doc.get("properties") or {}).get("provisioningState")
        if state in BUSY_STATES:
            raise ArmError(
                409,
                "ContainerAppOperationInProgress",
                f"Cannot modify a container app '{app_doc['name']}' because there is a pending "
                "operation. Please try again later.",
            )
        if not revision["properties"].get("active"):
            raise ArmError(
                400,
                "ContainerAppRevisionInactive",
                f"Revision '{revision['name']}' is not active; only an active revision can be "
                "restarted. Activate it first.",
            )
        self.cloud.runtime.restart(str(app_doc["id"]), str(revision["name"]))
        return {}

    def set_active(self, revision: Mapping[str, Any], active: bool) -> dict[str, Any]:
        """localcloud runs only the latest revision: asking for the current state succeeds,
        anything else is refused."""
        if bool(revision["properties"].get("active")) == active:
            return {}
        raise ArmError(
            400,
            "ContainerAppRevisionActivationNotSupported",
            f"localcloud cannot {'activate' if active else 'deactivate'} revision "
            f"'{revision['name']}': it always runs the latest revision only.",
        )


class ReplicaProvider(_RuntimeBacked):
    types = (REPLICA_TYPE,)

    def replicas_of(self, rid_of_revision: ResourceId) -> list[dict[str, Any]]:
        app_doc = self.app_doc(rid_of_revision)
        revision = self.find_revision(app_doc, rid_of_revision.names[1])
        app_id = str(app_doc["id"])
        raws = self.cloud.runtime.replicas(app_id, str(revision["name"]))
        return [replica_doc(self.cloud.base_url, app_id, revision["name"], r) for r in raws]

    def get(self, rid: ResourceId) -> dict[str, Any] | None:
        try:
            replicas = self.replicas_of(rid)
        except ArmError:
            return None
        return next((r for r in replicas if r["name"].lower() == rid.name.lower()), None)

    def list(self, parent_prefix: str, full_type: str) -> list[dict[str, Any]]:
        parts = [p for p in parent_prefix.split("/") if p]
        app = app_of_prefix(parent_prefix)
        if app is None or len(parts) < 10:
            return []
        return self.replicas_of(app.child("revisions", parts[9]))
