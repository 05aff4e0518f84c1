"""The product's Azure adapters driven by golden exchanges: each test serves the recorded
Azure answer of a golden file (golden/<area>/<name>.json) from a local HTTPS server and runs
the product against it through the official SDK clients, over a real socket."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from fid_exchange import GOLDEN_DIR, load_exchange
from fid_server import GoldenServer, concrete

from orchestrator.azure.deployments import PollingSource
from orchestrator.azure.errors import DeploymentFailedError
from orchestrator.azure.teardown import Teardown, api_version
from orchestrator.destroy.discover import Known, discover
from orchestrator.destroy.plan import STORAGE
from orchestrator.display import PlainDisplay
from orchestrator.provision.watch import Watcher

SUB = "5ca082f3-38f2-4bb0-b0a4-c401184ae3a8"
GROUP = "rg-azdtest-d65c7c0"
NAME = "azdtest-d65c7c0-1775762128"
GROUP_PATH = f"/subscriptions/{SUB}/resourcegroups/{GROUP}"
DEPLOYMENTS = f"{GROUP_PATH}/providers/Microsoft.Resources/deployments"


def recorded(golden: str, server: GoldenServer, **values: str) -> Any:
    """The recorded response body of golden exchange `golden`, made concrete."""
    exchange = load_exchange(GOLDEN_DIR / f"{golden}.json", GOLDEN_DIR)
    filled = {
        "subscription": SUB,
        "group": GROUP,
        "name": NAME,
        "endpoint": server.endpoint,
        "location": "eastus2",
        "account": "stseg1",
        **values,
    }
    return concrete(exchange.response["body"], filled)


@pytest.fixture
def server(tmp_path: Path) -> Any:
    with GoldenServer(tmp_path) as running:
        yield running


def test_a_deployment_list_is_followed_through_empty_pages(server: GoldenServer) -> None:
    # arm/deployment_list_empty_pages: Azure answers a page with no items and a nextLink;
    # the product must follow it (twice here) to the recorded page that holds the deployment
    empty_page = recorded("arm/deployment_list_empty_pages", server)
    assert empty_page["value"] == [] and empty_page["nextLink"]
    server.answer("GET", DEPLOYMENTS, 200, empty_page)
    server.answer("GET", DEPLOYMENTS, 200, empty_page)
    server.answer("GET", DEPLOYMENTS, 200, recorded("arm/deployment_list", server))

    found = server.client_factory().deployments(SUB).list_deployments(GROUP)

    assert [d.name for d in found] == [NAME]
    assert len(server.asked) == 3
    assert all("skiptoken" in target.lower() for _method, target in server.asked[1:])


def test_ids_and_types_are_compared_without_regard_to_case(server: GoldenServer) -> None:
    # arm/deployment_list: the recorded deployment's outputResources name the storage account
    # under the group as Azure stores it; the config names the group in capitals. destroy must
    # still find the deployment that created the account and plan the account once.
    server.answer("GET", DEPLOYMENTS, 200, recorded("arm/deployment_list", server))
    factory = server.client_factory()
    known = Known(SUB, GROUP.upper(), workload="", account="stseg1", share="")

    found = discover(known, factory.deployments(SUB), Teardown(factory.rest(SUB)))

    assert found.source == f"deployment {NAME}"
    assert [r.role for r in found.resources] == [STORAGE]
    assert api_version(found.resources[0].resource_id.upper()) == "2023-01-01"


def test_a_validate_template_error_names_its_line_and_column(server: GoldenServer) -> None:
    # arm/deployment_validate_missing_parameter: ARM's top-level 400 InvalidTemplate, at the
    # position the recording states (line 18, column 20 of the request)
    body = recorded("arm/deployment_validate_missing_parameter", server)
    body["error"]["message"] = (
        body["error"]["message"].replace("line '08586061420045808727'", "line '18'")
    ).replace("column '08586061420045808727'", "column '20'")
    body["error"]["additionalInfo"][0]["info"].update(lineNumber=18, linePosition=20)
    server.answer(
        "POST", f"{DEPLOYMENTS}/{NAME}/validate", 400, body, {"x-ms-failure-cause": "gateway"}
    )
    request = {"properties": {"mode": "Incremental", "template": {}, "parameters": {}}}

    with pytest.raises(DeploymentFailedError) as caught:
        server.client_factory().deployments(SUB).validate(GROUP, NAME, request)

    (cause,) = caught.value.causes
    assert cause.code == "InvalidTemplate"
    assert cause.resource == "template line 18, column 20"
    assert "template line 18, column 20: InvalidTemplate: " in "\n".join(caught.value.lines())


def test_a_canceled_deployment_is_canceled_not_failed(server: GoldenServer) -> None:
    # arm/deployment_get_canceled: Canceled, with no error; the watcher ends on it and the
    # product reads it as canceled (arm/deployment_operations_list answers the operations)
    canceled = recorded("arm/deployment_get_canceled", server)
    server.answer("GET", f"{DEPLOYMENTS}/{NAME}", 200, canceled)
    operations = recorded("arm/deployment_operations_list", server)
    # the SDK lists operations on the path without providers/Microsoft.Resources, as recorded
    server.answer("GET", f"{GROUP_PATH}/deployments/{NAME}/operations", 200, operations)
    deployments = server.client_factory().deployments(SUB)
    shown = io.StringIO()

    watcher = Watcher(PollingSource(deployments), PlainDisplay(shown), sleep=no_wait)
    result = watcher.watch(GROUP, NAME, timeout=60)

    assert result.deployment.canceled
    assert result.deployment.state == "Canceled" and not result.deployment.succeeded
    assert result.deployment.error is None
    assert "failed" not in shown.getvalue().lower()


def no_wait(seconds: float) -> None:
    return None


def test_an_app_view_reads_azure_s_mixed_spellings_of_apps_revisions_and_replicas(
    server: GoldenServer,
) -> None:
    # containerapps/app_get_2024 (the app's id says containerapps), revisions_list and
    # replicas_list (their ids say containerApps, their types containerapps): the product
    # names the serving revision and lists its replicas whatever the spelling
    app, old, new = "aca000002", "aca000002--j7o2aoa", "aca000002--seg1"
    values = {"name": app, "rev": old, "rev2": new, "env": "env-eastus"}
    apps = f"/subscriptions/{SUB}/resourceGroups/{GROUP}/providers/Microsoft.App/containerApps"
    shown = recorded("containerapps/app_get_2024", server, **values)
    server.answer("GET", f"{apps}/{app}", 200, shown)
    listed = recorded("containerapps/revisions_list", server, **values)
    server.answer("GET", f"{apps}/{app}/revisions", 200, listed)
    replicas = recorded("containerapps/replicas_list", server, **{**values, "rev": new})
    server.answer("GET", f"{apps}/{app}/revisions/{new}/replicas", 200, replicas)

    view = server.client_factory().containerapps(SUB).view(GROUP, app)

    assert view.app.latest_revision == new
    assert view.revision_name == new
    assert [r.name for r in view.replicas] == [replicas["value"][0]["name"]]
