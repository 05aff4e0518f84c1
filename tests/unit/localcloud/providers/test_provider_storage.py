from __future__ import annotations

import base64

import pytest

from localcloud.arm.errors import ArmError


def test_account_get_has_computed_properties_and_keeps_sku_and_kind(arm) -> None:
    arm.put(arm.ACCOUNT, arm.STORAGE_BODY)
    doc = arm.get(arm.ACCOUNT)
    assert doc["id"] == arm.id(arm.ACCOUNT)
    assert doc["sku"] == {"name": "Standard_LRS", "tier": "Standard"}
    assert doc["kind"] == "StorageV2"
    props = doc["properties"]
    assert props["primaryEndpoints"]["file"] == "https://127.0.0.1:8443/aistorage1/"
    assert props["primaryEndpoints"]["blob"].startswith("https://aistorage1.blob.")
    assert props["provisioningState"] == "Succeeded"
    assert props["statusOfPrimary"] == "available"
    assert props["primaryLocation"] == "eastus"
    assert props["largeFileSharesState"] == "Enabled"
    assert props["creationTime"].endswith("Z")


def test_account_get_never_contains_keys(arm, cloud) -> None:
    arm.put(arm.ACCOUNT, arm.STORAGE_BODY)
    keys = cloud.store.get("storagekeys", "aistorage1")
    text = repr(arm.get(arm.ACCOUNT))
    assert keys["key1"] not in text and keys["key2"] not in text


def test_keys_are_stored_for_the_files_data_plane_as_base64_of_64_bytes(arm, cloud) -> None:
    arm.put(arm.ACCOUNT, arm.STORAGE_BODY)
    keys = cloud.store.get("storagekeys", "AISTORAGE1")
    assert set(keys) == {"key1", "key2"}
    assert len(base64.b64decode(keys["key1"])) == 64
    assert keys["key1"] != keys["key2"]


def test_list_keys_returns_both_keys_in_azure_shape(arm, cloud) -> None:
    arm.put(arm.ACCOUNT, arm.STORAGE_BODY)
    result = arm.action(arm.ACCOUNT, "listKeys")
    stored = cloud.store.get("storagekeys", "aistorage1")
    assert [k["keyName"] for k in result["keys"]] == ["key1", "key2"]
    assert result["keys"][0]["value"] == stored["key1"]
    assert result["keys"][1]["value"] == stored["key2"]
    assert all(k["permissions"] == "FULL" and k["creationTime"] for k in result["keys"])


def test_reput_keeps_keys_and_creation_time(arm) -> None:
    arm.put(arm.ACCOUNT, arm.STORAGE_BODY)
    before = arm.action(arm.ACCOUNT, "listKeys")
    created = arm.get(arm.ACCOUNT)["properties"]["creationTime"]
    arm.put(arm.ACCOUNT, {**arm.STORAGE_BODY, "tags": {"a": "b"}})
    assert arm.action(arm.ACCOUNT, "listKeys") == before
    assert arm.get(arm.ACCOUNT)["properties"]["creationTime"] == created


def test_regenerate_key_replaces_only_that_key(arm) -> None:
    arm.put(arm.ACCOUNT, arm.STORAGE_BODY)
    before = arm.action(arm.ACCOUNT, "listKeys")["keys"]
    after = arm.action(arm.ACCOUNT, "regenerateKey", {"keyName": "key2"})["keys"]
    assert after[0]["value"] == before[0]["value"]
    assert after[1]["value"] != before[1]["value"]


def test_regenerate_unknown_key_is_a_400(arm) -> None:
    arm.put(arm.ACCOUNT, arm.STORAGE_BODY)
    with pytest.raises(ArmError) as err:
        arm.action(arm.ACCOUNT, "regenerateKey", {"keyName": "key3"})
    assert err.value.status == 400


def test_account_name_taken_in_another_group_is_a_409(arm) -> None:
    arm.put(arm.ACCOUNT, arm.STORAGE_BODY, rg="rg1")
    with pytest.raises(ArmError) as err:
        arm.put(arm.ACCOUNT, arm.STORAGE_BODY, rg="rg2")
    assert (err.value.status, err.value.code) == (409, "StorageAccountAlreadyTaken")


def test_same_account_in_the_same_group_with_other_case_is_an_update(arm) -> None:
    arm.put(arm.ACCOUNT, arm.STORAGE_BODY, rg="rg1")
    arm.put(arm.ACCOUNT, arm.STORAGE_BODY, rg="RG1")
    assert arm.get(arm.ACCOUNT)["id"] == arm.id(arm.ACCOUNT, rg="rg1")


def test_invalid_account_name_is_a_400_and_a_validation_problem(arm) -> None:
    path = "Microsoft.Storage/storageAccounts/Bad_Name"
    assert [d.code for d in arm.validate(path, arm.STORAGE_BODY)] == ["AccountNameInvalid"]
    with pytest.raises(ArmError) as err:
        arm.put(path, arm.STORAGE_BODY)
    assert (err.value.status, err.value.code) == (400, "AccountNameInvalid")


def test_account_without_location_is_refused(arm) -> None:
    with pytest.raises(ArmError) as err:
        arm.put(arm.ACCOUNT, {"sku": {"name": "Standard_LRS"}})
    assert err.value.code == "LocationRequired"


def test_file_service_is_implicit_and_must_be_named_default(arm) -> None:
    arm.put(arm.ACCOUNT, arm.STORAGE_BODY)
    assert arm.get(arm.ACCOUNT + "/fileServices/default")["name"] == "default"
    with pytest.raises(ArmError) as err:
        arm.put(arm.ACCOUNT + "/fileServices/other", {})
    assert err.value.code == "InvalidResourceName"


def test_file_service_put_keeps_retention_policy(arm) -> None:
    arm.put(arm.ACCOUNT, arm.STORAGE_BODY)
    policy = {"enabled": True, "days": 7}
    arm.put(
        arm.ACCOUNT + "/fileServices/default",
        {"properties": {"shareDeleteRetentionPolicy": policy}},
    )
    doc = arm.get(arm.ACCOUNT + "/fileServices/default")
    assert doc["properties"]["shareDeleteRetentionPolicy"] == policy


def test_share_put_creates_the_share_folder_and_keeps_quota(arm, files) -> None:
    arm.put(arm.ACCOUNT, arm.STORAGE_BODY)
    doc = arm.put(arm.SHARE, {"properties": {"shareQuota": 1024}})
    assert ("aistorage1", "aishare1") in files.shares
    assert doc["properties"]["shareQuota"] == 1024
    assert doc["type"] == "Microsoft.Storage/storageAccounts/fileServices/shares"


def test_share_without_account_is_parent_not_found(arm) -> None:
    with pytest.raises(ArmError) as err:
        arm.put(arm.SHARE, {})
    assert (err.value.status, err.value.code) == (404, "ParentResourceNotFound")


def test_share_parent_check_is_not_part_of_preflight(arm) -> None:
    assert arm.validate(arm.SHARE, {}) == []


def test_invalid_share_name_is_refused(arm) -> None:
    arm.put(arm.ACCOUNT, arm.STORAGE_BODY)
    with pytest.raises(ArmError) as err:
        arm.put(arm.ACCOUNT + "/fileServices/default/shares/Bad--Share", {})
    assert err.value.code == "InvalidResourceName"


def test_share_delete_removes_the_share_folder(arm, files) -> None:
    arm.put(arm.ACCOUNT, arm.STORAGE_BODY)
    arm.put(arm.SHARE, {})
    assert arm.delete(arm.SHARE)
    assert files.deleted == [("aistorage1", "aishare1")]
    assert arm.get(arm.SHARE) is None


def test_account_delete_removes_shares_and_keys(arm, cloud, files) -> None:
    arm.put(arm.ACCOUNT, arm.STORAGE_BODY)
    arm.put(arm.SHARE, {})
    assert arm.delete(arm.ACCOUNT)
    assert files.deleted == [("aistorage1", "aishare1")]
    assert cloud.store.get("storagekeys", "aistorage1") is None
    assert arm.get(arm.SHARE) is None


def test_deleted_account_name_can_be_taken_by_another_group(arm) -> None:
    arm.put(arm.ACCOUNT, arm.STORAGE_BODY, rg="rg1")
    arm.delete(arm.ACCOUNT, rg="rg1")
    assert arm.put(arm.ACCOUNT, arm.STORAGE_BODY, rg="rg2")["id"] == arm.id(arm.ACCOUNT, rg="rg2")


def test_unknown_action_is_a_404(arm) -> None:
    arm.put(arm.ACCOUNT, arm.STORAGE_BODY)
    with pytest.raises(ArmError) as err:
        arm.action(arm.ACCOUNT, "listSomething")
    assert err.value.status == 404
