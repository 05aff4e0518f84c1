from __future__ import annotations

import pytest

from localcloud.arm.errors import ArmError


def test_environment_has_domain_static_ip_and_keeps_workload_profiles(arm) -> None:
    arm.environment()
    props = arm.get(arm.ENV)["properties"]
    assert props["defaultDomain"].endswith(".eastus.localcloud.internal")
    assert props["staticIp"] == "127.0.0.1"
    assert props["provisioningState"] == "Succeeded"
    assert [p["name"] for p in props["workloadProfiles"]] == ["Consumption", "GPU"]
    assert props["customDomainConfiguration"]["customDomainVerificationId"]


def test_environment_default_domain_is_stable(arm) -> None:
    arm.environment()
    first = arm.get(arm.ENV)["properties"]["defaultDomain"]
    arm.environment()
    assert arm.get(arm.ENV)["properties"]["defaultDomain"] == first


def test_environment_log_shared_key_is_write_only(arm) -> None:
    arm.environment()
    shared = arm.action(arm.WORKSPACE, "sharedKeys")["primarySharedKey"]
    doc = arm.get(arm.ENV)
    logs = doc["properties"]["appLogsConfiguration"]
    assert logs["destination"] == "log-analytics"
    assert logs["logAnalyticsConfiguration"]["sharedKey"] is None  # write-only, as in Azure
    assert logs["logAnalyticsConfiguration"]["customerId"]
    assert shared not in repr(doc)


def test_environment_with_a_wrong_log_key_is_refused(arm) -> None:
    arm.environment()
    body = arm.get(arm.ENV)
    customer = body["properties"]["appLogsConfiguration"]["logAnalyticsConfiguration"]["customerId"]
    bad = {
        "location": "eastus",
        "properties": {
            "appLogsConfiguration": {
                "destination": "log-analytics",
                "logAnalyticsConfiguration": {"customerId": customer, "sharedKey": "wrong"},
            }
        },
    }
    with pytest.raises(ArmError) as err:
        arm.put(arm.ENV, bad)
    assert err.value.code == "ManagedEnvironmentInvalidLogAnalyticsConfiguration"


def test_invalid_environment_name_is_refused(arm) -> None:
    with pytest.raises(ArmError) as err:
        arm.put("Microsoft.App/managedEnvironments/Env_1", {"location": "eastus"})
    assert err.value.code == "ManagedEnvironmentInvalidName"


def test_env_storage_keeps_account_and_share_but_not_the_key(arm) -> None:
    arm.env_storage()
    key = arm.action(arm.ACCOUNT, "listKeys")["keys"][0]["value"]
    doc = arm.get(arm.ENV_STORAGE)
    assert doc["properties"]["azureFile"] == {
        "accountName": "aistorage1",
        "shareName": "aishare1",
        "accessMode": "ReadWrite",
    }
    assert key not in repr(doc)


def test_env_storage_key_is_kept_privately(arm, cloud) -> None:
    arm.env_storage()
    key = arm.action(arm.ACCOUNT, "listKeys")["keys"][0]["value"]
    assert cloud.store.get("resourceprivate", arm.id(arm.ENV_STORAGE).lower()) == {
        "accountKey": key
    }


def test_env_storage_accepts_key2(arm) -> None:
    arm.storage()
    arm.environment()
    key2 = arm.action(arm.ACCOUNT, "listKeys")["keys"][1]["value"]
    body = {
        "properties": {
            "azureFile": {"accountName": "aistorage1", "accountKey": key2, "shareName": "aishare1"}
        }
    }
    assert arm.put(arm.ENV_STORAGE, body)["properties"]["azureFile"]["accessMode"] == "ReadWrite"


def test_env_storage_with_a_wrong_key_is_refused(arm) -> None:
    arm.storage()
    arm.environment()
    body = {
        "properties": {
            "azureFile": {
                "accountName": "aistorage1",
                "accountKey": "bm9wZQ==",
                "shareName": "aishare1",
            }
        }
    }
    with pytest.raises(ArmError) as err:
        arm.put(arm.ENV_STORAGE, body)
    assert (err.value.status, err.value.code) == (400, "ManagedEnvironmentStorageAccountKeyInvalid")


def test_env_storage_without_environment_is_parent_not_found(arm) -> None:
    key = arm.storage()
    with pytest.raises(ArmError) as err:
        arm.put(
            arm.ENV_STORAGE,
            {
                "properties": {
                    "azureFile": {
                        "accountName": "aistorage1",
                        "accountKey": key,
                        "shareName": "aishare1",
                    }
                }
            },
        )
    assert (err.value.status, err.value.code) == (404, "ParentResourceNotFound")


def test_env_storage_shape_and_name_are_preflight_checks(arm) -> None:
    codes = [d.code for d in arm.validate(arm.ENV + "/storages/Bad--Name", {"properties": {}})]
    assert codes == ["ManagedEnvironmentStorageInvalidName", "ManagedEnvironmentStorageInvalid"]


def test_env_storage_rejects_unknown_access_mode(arm) -> None:
    body = {
        "properties": {"azureFile": {"accountName": "a", "shareName": "s", "accessMode": "Write"}}
    }
    assert [d.target for d in arm.validate(arm.ENV_STORAGE, body)] == [
        "properties.azureFile.accessMode"
    ]


def test_environment_delete_removes_its_storages(arm) -> None:
    arm.env_storage()
    assert arm.delete(arm.ENV)
    assert arm.get(arm.ENV_STORAGE) is None
