"""Revisions and replicas of a container app: read from `cloud.runtime`, shaped as ARM
returns them (Azure/azure-rest-api-specs, `specification/app/resource-manager/Microsoft.App/
stable/2024-03-01/ContainerApps.json` and `ContainerAppsRevisions.json`).

The runtime may hand back ARM-shaped entries (`{"name", "properties": {...}}`) or flat ones
(`{"name", "createdTime", "runningState", ...}`); both are accepted and missing fields get
Azure's defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from localcloud.arm.errors import ArmError
from localcloud.ids import ResourceId
from localcloud.providers.base import RESOURCE, Provider
from localcloud.providers.containerapps.appshape import flat_revision

# As Azure spells them (the ids say `containerApps`: see azure_app_path).
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


def azure_app_path(app_id: str) -> str:
    """The app's id as Azure spells it inside revision and replica ids (`containerApps`,
    while the app's own id says `containerapps`: test_containerapp_scale_revision_copy.yaml,
    test_containerapp_replica_commands.yaml)."""
    app = ResourceId.parse(app_id)
    return (
        f"/subscriptions/{app.subscription}/resourceGroups/{app.resource_group}/providers/"
        f"Microsoft.App/containerApps/{app.name}"
    )


def revision_time(value: Any) -> Any:
    """`2024-10-14T06:27:25+00:00`: a revision's createdTime, whole seconds with an offset."""
    if not isinstance(value, str) or not value:
        return value
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


_TEMPLATE_ORDER = (
    "revisionSuffix",
    "terminationGracePeriodSeconds",
    "containers",
    "initContainers",
    "scale",
    "volumes",
    "serviceBinds",
)


def revision_template(template: Any) -> Any:
    """The template as a revision shows it: no `ephemeralStorage`, `probes` `[]`, no scale
    timings, and nulls where nothing was given (test_containerapp_scale_revision_copy.yaml)."""
    if not isinstance(template, Mapping):
        return template
    out = dict(template)
    out["revisionSuffix"] = out.get("revisionSuffix") or None
    containers = []
    for container in out.get("containers") or []:
        shown = {**container, "probes": container.get("probes") or []}
        resources = container.get("resources")
        if isinstance(resources, Mapping):
            shown["resources"] = {k: v for k, v in resources.items() if k != "ephemeralStorage"}
        containers.append(shown)
    out["containers"] = containers
    scale = out.get("scale")
    if isinstance(scale, Mapping):
        out["scale"] = {
            k: v for k, v in scale.items() if k not in ("cooldownPeriod", "pollingInterval")
        }
    for key in ("terminationGracePeriodSeconds", "initContainers", "volumes", "serviceBinds"):
        if out.get(key) in (None, [], ""):
            out[key] = None
    ordered = {k: out[k] for k in _TEMPLATE_ORDER if k in out}
    return ordered | {k: v for k, v in out.items() if k not in ordered}


def revision_doc(app_id: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    props = flat_revision(raw)
    name = props.pop("name")
    props.pop("id", None)
    props.pop("type", None)
    shown = {**_REVISION_DEFAULTS, **props}
    shown["createdTime"] = revision_time(shown.get("createdTime"))
    shown["template"] = revision_template(shown.get("template"))
    if shown.get("provisioningError") is None:
        shown.pop("provisioningError", None)  # Azure leaves it out until there is one
    if shown.get("active", True):
        shown.pop("lastActiveTime", None)  # none on an active revision, as recorded
    return {
        "id": f"{azure_app_path(app_id)}/revisions/{name}",
        "name": name,
        "type": REVISION_TYPE,
        "properties": shown,
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
        "id": f"{azure_app_path(app_id)}/revisions/{revision}/replicas/{name}",
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

    def restart(self, app_doc: Mapping[str, Any], revision: Mapping[str, Any]) -> str:
        """Synchronous, like Azure: 200 with the JSON string `"Restart succeeded"` once the
        runtime has scheduled the restart (test_containerapp_scale_revision_copy.yaml)."""
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
        return "Restart succeeded"

    def set_active(self, revision: Mapping[str, Any], active: bool) -> str:
        """localcloud runs only the latest revision: asking for the current state succeeds
        (`"Activate succeeded"` / `"Deactivate succeeded"`, as Azure answers), anything else
        is refused."""
        if bool(revision["properties"].get("active")) == active:
            return "Activate succeeded" if active else "Deactivate succeeded"
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
