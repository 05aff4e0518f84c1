from __future__ import annotations

from datetime import datetime, timezone

import pytest

from localcloud.arm.errors import ArmError

COMPUTED = {
    "latestRevisionName": "aiapp1--rev1",
    "latestReadyRevisionName": "aiapp1--rev0",
    "latestRevisionFqdn": "127.0.0.1:9001",
    "runningStatus": "Running",
    "fqdn": "127.0.0.1:9000",
}


@pytest.fixture
def ready(arm) -> None:
    arm.env_storage()


def test_put_merges_the_runtimes_computed_fields(arm, runtime, ready) -> None:
    runtime.computed = dict(COMPUTED)
    props = arm.put(arm.APP, arm.app_body())["properties"]
    assert props["latestRevisionName"] == "aiapp1--rev1"
    assert props["latestReadyRevisionName"] == "aiapp1--rev0"
    assert props["latestRevisionFqdn"] == "127.0.0.1:9001"
    assert props["configuration"]["ingress"]["fqdn"] == "127.0.0.1:9000"
    assert props["runningStatus"] == "Running"
    assert props["provisioningState"] == "Succeeded"


def test_put_shows_environment_ids_endpoints_and_ingress_defaults(arm, ready) -> None:
    props = arm.put(arm.APP, arm.app_body())["properties"]
    assert props["managedEnvironmentId"] == props["environmentId"] == arm.id(arm.ENV)
    assert props["eventStreamEndpoint"] == (
        f"https://127.0.0.1:8443/logstream/subscriptions/{arm.SUB}/resourceGroups/rg1"
        "/containerApps/aiapp1/eventstream"
    )
    assert props["outboundIpAddresses"] == ["127.0.0.1"]
    assert props["customDomainVerificationId"]
    ingress = props["configuration"]["ingress"]
    assert ingress["targetPort"] == 7860
    assert ingress["traffic"] == [{"weight": 100, "latestRevision": True}]


def test_without_runtime_fields_names_follow_azure(arm, ready) -> None:
    props = arm.put(arm.APP, arm.app_body())["properties"]
    domain = arm.get(arm.ENV)["properties"]["defaultDomain"]
    assert props["latestRevisionName"].startswith("aiapp1--")
    assert props["latestReadyRevisionName"] == props["latestRevisionName"]
    assert props["configuration"]["ingress"]["fqdn"] == f"aiapp1.{domain}"
    assert props["latestRevisionFqdn"] == f"{props['latestRevisionName']}.{domain}"


def test_revision_suffix_names_the_default_revision(arm, ready) -> None:
    body = arm.app_body()
    body["properties"]["template"]["revisionSuffix"] = "v2"
    assert arm.put(arm.APP, body)["properties"]["latestRevisionName"] == "aiapp1--v2"


def test_runtime_gets_the_stored_app_with_secret_values(arm, runtime, ready) -> None:
    arm.put(arm.APP, arm.app_body())
    applied = runtime.applied[-1]
    assert applied["id"] == arm.id(arm.APP_ID)
    assert applied["properties"]["configuration"]["secrets"] == [
        {"name": "hf-token", "value": "s3cret"}
    ]


def test_secrets_are_write_only_and_list_secrets_returns_them(arm, ready) -> None:
    doc = arm.put(arm.APP, arm.app_body())
    assert doc["properties"]["configuration"]["secrets"] == [{"name": "hf-token"}]
    assert "s3cret" not in repr(arm.get(arm.APP))
    assert arm.action(arm.APP, "listSecrets") == {
        "value": [{"name": "hf-token", "value": "s3cret"}]
    }


def test_reput_of_a_secret_without_value_keeps_the_value(arm, ready) -> None:
    arm.put(arm.APP, arm.app_body())
    body = arm.app_body()
    body["properties"]["configuration"]["secrets"] = [{"name": "hf-token"}]
    arm.put(arm.APP, body)
    assert arm.action(arm.APP, "listSecrets")["value"][0]["value"] == "s3cret"


def test_get_merges_live_runtime_state(arm, runtime, ready) -> None:
    runtime.computed = dict(COMPUTED, runningStatus="Progressing")
    arm.put(arm.APP, arm.app_body())
    runtime.revision_list[arm.id(arm.APP).lower()] = [
        {
            "name": "aiapp1--rev0",
            "createdTime": "2026-01-01T00:00:00Z",
            "active": False,
            "runningState": "Stopped",
            "healthState": "None",
        },
        {
            "name": "aiapp1--rev1",
            "createdTime": "2026-01-02T00:00:00Z",
            "active": True,
            "runningState": "Running",
            "healthState": "Healthy",
        },
    ]
    props = arm.get(arm.APP)["properties"]
    assert props["runningStatus"] == "Running"
    assert props["latestReadyRevisionName"] == "aiapp1--rev1"


def test_get_of_a_starting_revision_reports_progressing(arm, runtime, ready) -> None:
    arm.put(arm.APP, arm.app_body())
    runtime.revision_list[arm.id(arm.APP).lower()] = [
        {"name": "aiapp1--rev1", "properties": {"active": True, "runningState": "Processing"}}
    ]
    assert arm.get(arm.APP)["properties"]["runningStatus"] == "Progressing"


def test_missing_environment_is_a_404_at_put_but_not_at_preflight(arm) -> None:
    body = arm.app_body()
    assert arm.validate(arm.APP, body) == []
    with pytest.raises(ArmError) as err:
        arm.put(arm.APP, body)
    assert (err.value.status, err.value.code) == (404, "ManagedEnvironmentNotFound")


def test_unknown_workload_profile_is_refused(arm, ready) -> None:
    with pytest.raises(ArmError) as err:
        arm.put(arm.APP, arm.app_body(workloadProfileName="H100"))
    assert err.value.code == "ManagedEnvironmentWorkloadProfileNotFound"
    assert "gpu" in err.value.message


def test_volume_with_unknown_environment_storage_is_refused(arm, ready) -> None:
    body = arm.app_body()
    body["properties"]["template"]["volumes"][0]["storageName"] = "nostorage"
    with pytest.raises(ArmError) as err:
        arm.put(arm.APP, body)
    assert err.value.code == "ManagedEnvironmentStorageNotFound"


def test_mount_of_an_undeclared_volume_is_a_preflight_problem(arm) -> None:
    body = arm.app_body()
    body["properties"]["template"]["volumes"] = []
    assert [d.code for d in arm.validate(arm.APP, body)] == ["ContainerAppVolumeMountInvalid"]


def test_env_var_with_an_unknown_secret_is_a_preflight_problem(arm) -> None:
    body = arm.app_body()
    body["properties"]["configuration"]["secrets"] = []
    assert [d.code for d in arm.validate(arm.APP, body)] == ["ContainerAppSecretRefNotFound"]


def test_app_without_environment_or_containers_is_a_preflight_problem(arm) -> None:
    body = {"location": "eastus", "properties": {"template": {"containers": []}}}
    codes = [d.code for d in arm.validate(arm.APP, body)]
    assert codes == ["ManagedEnvironmentIdRequired", "ContainerAppInvalidTemplate"]


def test_invalid_app_name_is_refused(arm, ready) -> None:
    with pytest.raises(ArmError) as err:
        arm.put("Microsoft.App/containerApps/app--1", arm.app_body())
    assert (err.value.status, err.value.code) == (400, "ContainerAppInvalidName")


def test_runtime_failure_marks_the_app_failed(arm, runtime, ready) -> None:
    runtime.fail_with = ArmError(400, "ContainerAppImageInvalid", "bad image")
    with pytest.raises(ArmError):
        arm.put(arm.APP, arm.app_body())
    assert arm.get(arm.APP)["properties"]["provisioningState"] == "Failed"


def test_delete_stops_the_app_in_the_runtime(arm, runtime, cloud, ready) -> None:
    arm.put(arm.APP, arm.app_body())
    assert arm.delete(arm.APP)
    assert runtime.removed == [arm.id(arm.APP_ID)]
    assert arm.get(arm.APP) is None
    assert cloud.store.get("resourceprivate", arm.id(arm.APP).lower()) is None


def test_get_auth_token_issues_a_logstream_token_for_the_app(arm, cloud, ready) -> None:
    arm.put(arm.APP, arm.app_body())
    result = arm.action(arm.APP, "getAuthtoken")
    assert result["type"] == "Microsoft.App/containerApps/accesstoken"
    assert result["properties"]["token"] == "token-1"
    assert cloud.tokens.issued == [(arm.id(arm.APP_ID), "containerapps-logstream", 3600)]
    expires = datetime.strptime(result["properties"]["expires"], "%Y-%m-%dT%H:%M:%SZ")
    assert expires.replace(tzinfo=timezone.utc) > datetime.now(timezone.utc)


def test_app_keeps_the_casing_it_was_created_with(arm, ready) -> None:
    arm.put(arm.APP, arm.app_body())
    doc = arm.put(arm.APP, arm.app_body(), rg="RG1")
    assert doc["id"] == arm.id(arm.APP_ID)


def test_with_secret_values_restores_values_for_the_runtime(arm, cloud, ready) -> None:
    from localcloud.providers.containerapps.apps import with_secret_values

    arm.put(arm.APP, arm.app_body())
    stored = cloud.store.get("resource", arm.id(arm.APP).lower())
    full = with_secret_values(cloud.store, stored)
    assert full["properties"]["configuration"]["secrets"] == [
        {"name": "hf-token", "value": "s3cret"}
    ]
    assert stored["properties"]["configuration"]["secrets"] == [{"name": "hf-token"}]
