"""The Container Apps reader against a recorded app, with revisions and replicas in the shape
Azure answers them (lower-case `containerapps` in ids and types, as in the recording)."""

from __future__ import annotations

import pytest
from recorded import (
    SUBSCRIPTION,
    Exchange,
    RecordedTransport,
    recorded_arm,
    recording,
)

from orchestrator.azure.appmodels import ContainerApp, Revision
from orchestrator.azure.containerapps import ContainerApps, active_revision_name
from orchestrator.azure.errors import Conflict, NotFound

GROUP = "rg-azdtest-d209f3e"
PROVIDERS = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{GROUP}/providers"
APP_ID = f"{PROVIDERS}/Microsoft.App/containerapps/web"


def revision(name: str, active: bool, **props: object) -> dict[str, object]:
    return {
        "id": f"{APP_ID}/revisions/{name}",
        "name": name,
        "type": "Microsoft.App/containerapps/revisions",
        "properties": {
            "active": active,
            "healthState": "Healthy",
            "runningState": "Running",
            **props,
        },
    }


def replica(name: str, created: str, ready: bool, restarts: int = 0) -> dict[str, object]:
    container = {"name": "web", "ready": ready, "started": True, "restartCount": restarts}
    return {
        "id": f"{APP_ID}/revisions/web--d1hkymr/replicas/{name}",
        "name": name,
        "type": "Microsoft.App/containerapps/revisions/replicas",
        "properties": {
            "createdTime": created,
            "runningState": "Running",
            "containers": [container],
        },
    }


def apps(exchanges: list[Exchange]) -> tuple[ContainerApps, RecordedTransport]:
    transport = RecordedTransport(exchanges)
    return ContainerApps(recorded_arm(transport)), transport


def test_the_recorded_app_reads_as_typed_values() -> None:
    reader, _ = apps(recording("containerapp_get"))
    app = reader.app(GROUP, "web")
    assert (app.name, app.provisioning_state, app.running_status) == ("web", "Succeeded", "Running")
    assert app.latest_ready_revision == app.latest_revision == "web--d1hkymr"
    assert app.fqdn == "web.grayglacier-1da9d4b8.eastus2.azurecontainerapps.io"
    assert app.container


def test_view_names_the_active_revision_and_its_replicas() -> None:
    listed = {"value": [revision("web--old", False), revision("WEB--D1HKYMR", True)]}
    replicas = {
        "value": [
            replica("web--d1hkymr-1", "2026-04-09T19:20:00Z", True),
            replica("web--d1hkymr-2", "2026-04-09T19:25:00Z", False, restarts=2),
        ]
    }
    reader, transport = apps(
        [
            *recording("containerapp_get"),
            Exchange("GET", 200, listed),
            Exchange("GET", 200, replicas),
        ]
    )
    view = reader.view(GROUP, "web")
    assert view.revision_name == "WEB--D1HKYMR"  # matched whatever its casing
    assert [r.name for r in view.replicas] == ["web--d1hkymr-1", "web--d1hkymr-2"]
    newest = view.newest_replica()
    assert newest is not None and (newest.name, newest.ready, newest.restarts) == (
        "web--d1hkymr-2",
        False,
        2,
    )
    assert "/revisions/WEB--D1HKYMR/replicas" in transport.asked[-1][1]


def test_a_restart_refused_while_another_operation_runs_is_a_conflict() -> None:
    busy = {"error": {"code": "ContainerAppOperationInProgress", "message": "busy"}}
    reader, _ = apps([Exchange("POST", 409, busy)])
    with pytest.raises(Conflict) as caught:
        reader.restart_revision(GROUP, "web", "web--d1hkymr")
    assert caught.value.code == "ContainerAppOperationInProgress"


def test_a_missing_app_is_not_found_with_azure_s_code() -> None:
    gone = {"error": {"code": "ResourceNotFound", "message": "The Resource was not found."}}
    reader, _ = apps([Exchange("GET", 404, gone)])
    with pytest.raises(NotFound) as caught:
        reader.app(GROUP, "nosuchapp")
    assert caught.value.code == "ResourceNotFound"


APP = ContainerApp("web", "Succeeded", "Running", "web--3", "web--2", "", "", "web")


@pytest.mark.parametrize(
    ("revisions", "expected"),
    [
        ([Revision("web--1", False), Revision("WEB--2", True)], "web--2"),  # ready and active
        ([], "web--2"),  # nothing says it is active: the latest ready one
        ([Revision("web--1", True), Revision("web--2", False)], "web--1"),  # ready not active
        ([Revision("web--1", False)], "web--2"),  # none active: the latest ready one
    ],
)
def test_the_active_revision_is_chosen_the_same_way_everywhere(
    revisions: list[Revision], expected: str
) -> None:
    assert active_revision_name(APP, revisions) == expected
