from __future__ import annotations

import pytest

from localcloud.arm.errors import ArmError


def azure_id(app: str) -> str:
    """Azure spells an app's id (and its revisions' and replicas') with `containerapps`."""
    return app.replace("/containerApps/", "/containerapps/")


@pytest.fixture
def app(arm, runtime) -> str:
    arm.env_storage()
    arm.put(arm.APP, arm.app_body())
    app_id = arm.id(arm.APP)
    runtime.revision_list[app_id.lower()] = [
        {
            "name": "aiapp1--old",
            "createdTime": "2026-01-01T00:00:00Z",
            "active": False,
            "runningState": "Stopped",
            "replicas": 0,
        },
        {
            "name": "aiapp1--new",
            "createdTime": "2026-01-02T00:00:00Z",
            "active": True,
            "runningState": "Running",
            "healthState": "Healthy",
            "trafficWeight": 100,
        },
    ]
    runtime.replica_list[(app_id.lower(), "aiapp1--new")] = [
        {
            "name": "aiapp1--new-5d9774cff-abcde",
            "createdTime": "2026-01-02T00:00:01Z",
            "runningState": "Running",
            "containers": [
                {"name": "aiapp1", "ready": True, "started": True, "runningState": "Running"}
            ],
        },
    ]
    return app_id


def test_list_revisions_is_a_page_of_arm_shaped_revisions(call, app) -> None:
    status, body = call("GET", app.replace("resourceGroups", "resourcegroups") + "/revisions")
    assert status == 200
    assert "nextLink" not in body  # the last page has no nextLink key, as recorded
    new = body["value"][1]
    assert new["id"] == app + "/revisions/aiapp1--new"  # spelled containerApps, as recorded
    assert new["properties"]["createdTime"] == "2026-01-02T00:00:00+00:00"
    assert new["type"] == "Microsoft.App/containerapps/revisions"
    assert new["properties"]["active"] is True
    assert new["properties"]["trafficWeight"] == 100
    assert new["properties"]["provisioningState"] == "Provisioned"
    assert body["value"][0]["properties"]["active"] is False


def test_get_revision_ignores_name_case(call, app) -> None:
    status, body = call("GET", app + "/revisions/AIAPP1--NEW")
    assert (status, body["name"]) == (200, "aiapp1--new")


def test_get_unknown_revision_is_a_404(call, app) -> None:
    with pytest.raises(ArmError) as err:
        call("GET", app + "/revisions/aiapp1--nope")
    assert err.value.status == 404


def test_revisions_of_an_unknown_app_are_a_404(call, arm) -> None:
    with pytest.raises(ArmError) as err:
        call("GET", arm.id("Microsoft.App/containerApps/ghost") + "/revisions")
    assert (err.value.status, err.value.code) == (404, "ResourceNotFound")


def test_restart_is_synchronous_and_asks_the_runtime(call, app, runtime) -> None:
    status, body = call("POST", app + "/revisions/aiapp1--new/restart")
    assert (status, body) == (200, "Restart succeeded")
    assert runtime.restarted == [(azure_id(app), "aiapp1--new")]


def test_restart_of_an_inactive_revision_is_a_400(call, app, runtime) -> None:
    with pytest.raises(ArmError) as err:
        call("POST", app + "/revisions/aiapp1--old/restart")
    assert err.value.status == 400
    assert runtime.restarted == []


def test_restart_of_an_unknown_revision_is_a_404(call, app) -> None:
    with pytest.raises(ArmError) as err:
        call("POST", app + "/revisions/aiapp1--nope/restart")
    assert err.value.status == 404


def test_restart_while_the_app_updates_is_a_409(call, cloud, app) -> None:
    doc = cloud.store.get("resource", app.lower())
    doc["properties"]["provisioningState"] = "InProgress"
    cloud.store.put("resource", app.lower(), doc)
    with pytest.raises(ArmError) as err:
        call("POST", app + "/revisions/aiapp1--new/restart")
    assert (err.value.status, err.value.code) == (409, "ContainerAppOperationInProgress")


def test_activating_the_active_revision_succeeds_and_deactivating_it_is_refused(call, app) -> None:
    assert call("POST", app + "/revisions/aiapp1--new/activate") == (200, "Activate succeeded")
    with pytest.raises(ArmError) as err:
        call("POST", app + "/revisions/aiapp1--new/deactivate")
    assert err.value.status == 400


def test_list_replicas_shapes_containers_with_logstream_endpoints(call, app, arm) -> None:
    status, body = call("GET", app + "/revisions/aiapp1--new/replicas")
    assert status == 200
    [replica] = body["value"]
    # a replica's id spells the app `containerApps`, its type `containerapps`, as Azure does
    # (test_containerapp_replica_commands.yaml)
    assert replica["id"] == app + "/revisions/aiapp1--new/replicas/aiapp1--new-5d9774cff-abcde"
    assert replica["type"] == "Microsoft.App/containerapps/revisions/replicas"
    assert replica["properties"]["runningState"] == "Running"
    [container] = replica["properties"]["containers"]
    assert container["ready"] is True
    assert container["restartCount"] == 0
    assert container["logStreamEndpoint"] == (
        f"https://127.0.0.1:8443/logstream/subscriptions/{arm.SUB}/resourceGroups/rg1/"
        "containerApps/aiapp1/revisions/aiapp1--new/replicas/aiapp1--new-5d9774cff-abcde/"
        "containers/aiapp1/logstream"
    )


def test_get_replica_and_unknown_replica(call, app) -> None:
    base = app + "/revisions/aiapp1--new/replicas/"
    assert call("GET", base + "aiapp1--new-5d9774cff-abcde")[1]["name"].endswith("abcde")
    with pytest.raises(ArmError) as err:
        call("GET", base + "nope")
    assert err.value.status == 404


def test_get_auth_token_and_list_secrets_routes(call, app) -> None:
    status, body = call("POST", app + "/getAuthtoken")
    assert status == 200 and body["properties"]["token"]
    assert call("POST", app + "/listSecrets")[1]["value"][0]["value"] == "s3cret"


def test_revision_and_replica_providers_answer_generic_gets(arm, app) -> None:
    assert arm.get(arm.APP + "/revisions/aiapp1--new")["name"] == "aiapp1--new"
    replica = arm.get(arm.APP + "/revisions/aiapp1--new/replicas/aiapp1--new-5d9774cff-abcde")
    assert replica["properties"]["containers"][0]["name"] == "aiapp1"
    assert arm.get(arm.APP + "/revisions/nope") is None


def test_revision_provider_lists_by_collection_prefix(cloud, app) -> None:
    provider = cloud.providers.for_type("Microsoft.App/containerApps/revisions")
    names = [r["name"] for r in provider.list(app.lower() + "/revisions/", "x")]
    assert names == ["aiapp1--old", "aiapp1--new"]
    replicas = cloud.providers.for_type("Microsoft.App/containerApps/revisions/replicas")
    assert len(replicas.list(app + "/revisions/aiapp1--new/replicas", "x")) == 1


def test_revisions_cannot_be_written(arm, app) -> None:
    with pytest.raises(ArmError) as err:
        arm.put(arm.APP + "/revisions/aiapp1--x", {})
    assert err.value.status == 405


def test_registry_knows_every_type(cloud) -> None:
    for full_type in (
        "Microsoft.Storage/storageAccounts",
        "Microsoft.Storage/storageAccounts/fileServices",
        "Microsoft.Storage/storageAccounts/fileServices/shares",
        "Microsoft.OperationalInsights/workspaces",
        "Microsoft.App/managedEnvironments",
        "Microsoft.App/managedEnvironments/storages",
        "Microsoft.App/containerApps",
        "Microsoft.App/containerApps/revisions",
        "Microsoft.App/containerApps/revisions/replicas",
        "Microsoft.App/jobs",
        "Microsoft.App/jobs/executions",
    ):
        assert cloud.providers.knows(full_type), full_type
