"""Long-running writes of resource providers, answered as Azure answers a direct PUT/PATCH.

Some providers answer before the resource is ready and let the client poll (the SDKs'
ARMPolling, azure-mgmt-core `azure/mgmt/core/polling/arm_polling.py`):

- Microsoft.Storage, account create: `202`, empty body, `Location:
  .../providers/Microsoft.Storage/locations/{location}/asyncoperations/{id}?monitor=true&api-version=...`;
  the Location answers 202 (+ Location) while running, then 200 with the account
  (Azure/azure-cli recording storage/.../test_storage_account_smart_tier.yaml).
- Microsoft.App, app and environment PUT: `201` (200 on update) with the resource in
  `provisioningState` `InProgress` (apps) or `Waiting` (environments) and
  `Azure-AsyncOperation: .../providers/Microsoft.App/locations/{location}/
  containerappOperationStatuses/{id}?api-version=...&azureAsyncOperation=true`
  (`managedEnvironmentOperationStatuses` for environments); a PATCH answers `202`, empty,
  with the same `Azure-AsyncOperation`, a `Location` (`containerappOperationResults`) and
  `Retry-After: 0`. The status answers `{"id", "name", "status", "startTime"}`, `status`
  `InProgress` then `Succeeded` (Azure/azure-cli containerapp recordings; Azure/azure-dev
  Test_CLI_Up_Down_ContainerApp_RemoteBuild.yaml).
- Microsoft.App, app, job and environment DELETE: `202`, empty, the same
  `Azure-AsyncOperation` and `Location` (`containerappOperationResults`: 202 while running,
  then 204). The resource is gone at once (an app's replicas stopped); storage deletes
  answer 200, and 204 for a resource that does not exist.
- Microsoft.OperationalInsights, workspace DELETE: `202`, empty, `Azure-AsyncOperation:
  .../providers/Microsoft.OperationalInsights/locations/{location}/operationstatuses/{id}
  ?api-version=2015-11-01-preview` (that version whatever the request's), `Location:
  {workspace}/operationresults/{id}?api-version=...` and `Retry-After: 0`; the status
  answers `{"id", "name", "status", "startTime", "endTime", "properties": {}}` with zoned
  times (Azure/azure-dev Test_CLI_Up_Down_ContainerApp.yaml, interactions 42-43).

An operation is a record under store kind `asyncop`; it is done once the provisioning time of
its resource type (admin setting `provisioning_seconds`) has passed, and until then the
resource reads as in progress (`pending_state`). Resources created by a deployment do not go
through here: the deployment engine applies the same delay itself.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from aiohttp import web

from localcloud.arm.errors import ArmError, not_found
from localcloud.arm.responses import api_version, json_response
from localcloud.ids import ResourceId

if TYPE_CHECKING:
    from localcloud.cloud import LocalCloud, Store

ASYNCOP = "asyncop"
STORAGE_KIND = "asyncoperations"
APP_KIND = "containerappOperationStatuses"
ENVIRONMENT_KIND = "managedEnvironmentOperationStatuses"
APP_RESULTS = "containerappOperationResults"
WORKSPACE_KIND = "operationstatuses"
WORKSPACE_RESULTS = "operationresults"
WORKSPACE_STATUS_VERSION = "2015-11-01-preview"
_NAMESPACE = {STORAGE_KIND: "Microsoft.Storage", APP_KIND: "Microsoft.App"}
_NAMESPACE[ENVIRONMENT_KIND] = "Microsoft.App"
_NAMESPACE[WORKSPACE_KIND] = "Microsoft.OperationalInsights"

RouteHandler = Callable[[web.Request, Mapping[str, str]], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Operation:
    id: str
    resource_id: str
    kind: str  # STORAGE_KIND, APP_KIND, ENVIRONMENT_KIND or WORKSPACE_KIND
    location: str
    started: float
    ready_at: float

    def done(self, now: float) -> bool:
        return now >= self.ready_at

    @property
    def namespace(self) -> str:
        return _NAMESPACE[self.kind]

    @property
    def subscription(self) -> str:
        return self.resource_id.split("/")[2]

    @property
    def root(self) -> str:
        """`/subscriptions/{sub}/providers/{ns}/locations/{location}`."""
        return (
            f"/subscriptions/{self.subscription}/providers/{self.namespace}/locations/"
            f"{location_segment(self.location)}"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "resourceId": self.resource_id,
            "kind": self.kind,
            "location": self.location,
            "started": self.started,
            "readyAt": self.ready_at,
        }

    @staticmethod
    def from_json(doc: Mapping[str, Any]) -> Operation:
        return Operation(
            str(doc["id"]),
            str(doc["resourceId"]),
            str(doc["kind"]),
            str(doc["location"]),
            float(doc["started"]),
            float(doc["readyAt"]),
        )


def location_segment(location: str) -> str:
    """`East US 2` -> `eastus2`, as locations appear in operation URLs."""
    return location.replace(" ", "").lower() or "eastus"


def start_time(op: Operation) -> str:
    """`2023-08-04T05:35:35.4616692`: Microsoft.App's status time has no zone."""
    moment = datetime.fromtimestamp(op.started, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0"


def status_body(op: Operation, now: float) -> dict[str, Any]:
    """A Microsoft.App or Microsoft.OperationalInsights operation status (pure)."""
    body: dict[str, Any] = {
        "id": f"{op.root}/{op.kind}/{op.id}",
        "name": op.id,
        "status": "Succeeded" if op.done(now) else "InProgress",
        "startTime": start_time(op),
    }
    if op.kind == WORKSPACE_KIND:
        body["startTime"] = _zoned(op.started)
        if op.done(now):
            body["endTime"] = _zoned(op.ready_at)
        body["properties"] = {}
    return body


def _zoned(moment: float) -> str:
    """`2026-04-09T18:24:57.100079Z`: Microsoft.OperationalInsights' status times."""
    return datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def poll_url(base_url: str, op: Operation, version: str) -> str:
    """The URL a client polls: the storage Location or the Azure-AsyncOperation."""
    if op.kind == STORAGE_KIND:
        return f"{base_url}{op.root}/{op.kind}/{op.id}?monitor=true&api-version={version}"
    if op.kind == WORKSPACE_KIND:
        return f"{base_url}{op.root}/{op.kind}/{op.id}?api-version={WORKSPACE_STATUS_VERSION}"
    return f"{base_url}{op.root}/{op.kind}/{op.id}?api-version={version}&azureAsyncOperation=true"


def result_url(base_url: str, op: Operation, version: str) -> str:
    if op.kind == WORKSPACE_KIND:
        return f"{base_url}{op.resource_id}/{WORKSPACE_RESULTS}/{op.id}?api-version={version}"
    return f"{base_url}{op.root}/{APP_RESULTS}/{op.id}?api-version={version}"


class AsyncOperations:
    """Operation records in the store (they survive a restart)."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock

    def start(self, resource_id: str, kind: str, location: str, seconds: float) -> Operation:
        now = self.now()
        op = Operation(str(uuid.uuid4()), resource_id, kind, location, now, now + seconds)
        self.store.put(ASYNCOP, op.id, op.to_json())
        return op

    def get(self, op_id: str) -> Operation:
        doc = self.store.get(ASYNCOP, op_id.lower())
        if doc is None:
            raise ArmError(404, "OperationNotFound", f"The operation '{op_id}' could not be found.")
        return Operation.from_json(doc)

    def pending(self, resource_id: str) -> bool:
        """True while an operation on the resource is still running."""
        now = self.now()
        wanted = resource_id.lower()
        return any(
            str(d.get("resourceId", "")).lower() == wanted and float(d["readyAt"]) > now
            for d in self.store.list(ASYNCOP)
        )

    def now(self) -> float:
        return float(self.clock())


# -- answers -------------------------------------------------------------------------------
def accepted_create(base_url: str, op: Operation, version: str) -> web.Response:
    """The 202 of a storage account create: no body, the Location to poll and a
    `Retry-After` (the recordings drop that header, so its value is localcloud's choice: 1 s,
    where a client without it would wait its SDK's 30 s default)."""
    return web.Response(status=202, headers=storage_poll_headers(base_url, op, version))


def storage_poll_headers(base_url: str, op: Operation, version: str) -> dict[str, str]:
    return {"Location": poll_url(base_url, op, version), "Retry-After": "1"}


def app_write_answer(
    base_url: str, op: Operation, version: str, doc: Mapping[str, Any], method: str, created: bool
) -> web.Response:
    """Microsoft.App's answer to a PUT (201/200 + the resource) or a PATCH (202, empty)."""
    headers = {"Azure-AsyncOperation": poll_url(base_url, op, version)}
    if method == "PATCH":
        headers["Location"] = result_url(base_url, op, version)
        headers["Retry-After"] = "0"
        return web.Response(status=202, headers=headers)
    return json_response(doc, 201 if created else 200, headers)


def app_delete_answer(base_url: str, op: Operation, version: str) -> web.Response:
    """Microsoft.App's (and Microsoft.OperationalInsights') answer to a DELETE: 202, empty,
    Azure-AsyncOperation + Location."""
    headers = {
        "Azure-AsyncOperation": poll_url(base_url, op, version),
        "Location": result_url(base_url, op, version),
        "Retry-After": "0",
    }
    return web.Response(status=202, headers=headers)


# -- routes --------------------------------------------------------------------------------
def install(cloud: LocalCloud) -> None:
    """Register the operation routes of Microsoft.Storage, Microsoft.App and
    Microsoft.OperationalInsights."""
    ops = AsyncOperations(cloud.store)

    def resource_doc(op: Operation) -> dict[str, Any]:
        rid = ResourceId.parse(op.resource_id)
        doc = cloud.providers.for_type(rid.full_type).get(rid)
        if doc is None:
            raise not_found("resource", rid.full_type + "/" + rid.name)
        return doc

    async def storage(request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        op = ops.get(m["id"])
        if not op.done(ops.now()):
            headers = storage_poll_headers(cloud.base_url, op, api_version(request) or "")
            return web.Response(status=202, headers=headers)
        return json_response(resource_doc(op))

    async def status(request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        return json_response(status_body(ops.get(m["id"]), ops.now()))

    async def result(request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        op = ops.get(m["id"])
        if not op.done(ops.now()):
            return web.Response(status=202, headers={"Location": str(request.url)})
        rid = ResourceId.parse(op.resource_id)
        if cloud.providers.for_type(rid.full_type).get(rid) is None:
            return web.Response(status=204)  # a finished delete
        return json_response(resource_doc(op))

    storage_root = "/subscriptions/{sub}/providers/Microsoft.Storage/locations/{loc}"
    app_root = "/subscriptions/{sub}/providers/Microsoft.App/locations/{loc}"
    cloud.arm.add("GET", f"{storage_root}/{STORAGE_KIND}/{{id}}", storage)
    cloud.arm.add("GET", f"{app_root}/{APP_KIND}/{{id}}", status)
    cloud.arm.add("GET", f"{app_root}/{ENVIRONMENT_KIND}/{{id}}", status)
    cloud.arm.add("GET", f"{app_root}/{APP_RESULTS}/{{id}}", result)
    insights_root = "/subscriptions/{sub}/providers/Microsoft.OperationalInsights/locations/{loc}"
    cloud.arm.add("GET", f"{insights_root}/{WORKSPACE_KIND}/{{id}}", status)
    workspace = (
        "/subscriptions/{sub}/resourceGroups/{group}/providers/"
        "Microsoft.OperationalInsights/workspaces/{name}"
    )
    cloud.arm.add("GET", f"{workspace}/{WORKSPACE_RESULTS}/{{id}}", result)
