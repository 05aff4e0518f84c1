"""Reading the az CLI's active cloud and default subscription from its files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchestrator.azure.azcli import active_cloud, default_subscription
from orchestrator.errors import InputError


def env_for(folder: Path) -> Path:
    """The az config folder (AZURE_CONFIG_DIR, read into the settings)."""
    return folder


def test_no_az_configuration_means_the_public_cloud(tmp_path: Path) -> None:
    cloud = active_cloud(env_for(tmp_path / "none"))
    assert (cloud.name, cloud.resource_manager) == ("AzureCloud", "https://management.azure.com")
    assert cloud.scope == "https://management.azure.com/.default"
    assert cloud.portal == "https://portal.azure.com"


def test_a_sovereign_cloud_set_with_az_cloud_set_is_used(tmp_path: Path) -> None:
    (tmp_path / "config").write_text("[cloud]\nname = AzureChinaCloud\n")
    cloud = active_cloud(env_for(tmp_path))
    assert cloud.resource_manager == "https://management.chinacloudapi.cn"
    assert cloud.scope == "https://management.core.chinacloudapi.cn/.default"


def test_a_registered_custom_cloud_gives_its_endpoints(tmp_path: Path) -> None:
    (tmp_path / "config").write_text("[cloud]\nname = localcloud\n")
    (tmp_path / "clouds.config").write_text(
        "[localcloud]\n"
        "endpoint_resource_manager = https://127.0.0.1:8443/\n"
        "endpoint_active_directory_resource_id = https://management.core.windows.net/\n"
        "endpoint_portal = https://127.0.0.1:8443\n"
    )
    cloud = active_cloud(env_for(tmp_path))
    assert cloud.resource_manager == "https://127.0.0.1:8443"
    assert cloud.scope == "https://management.core.windows.net/.default"
    assert cloud.portal == "https://127.0.0.1:8443"
    assert cloud.custom and cloud.authority == "https://login.microsoftonline.com"


def test_a_custom_cloud_signs_in_at_its_own_authority(tmp_path: Path) -> None:
    (tmp_path / "config").write_text("[cloud]\nname = localcloud\n")
    (tmp_path / "clouds.config").write_text(
        "[localcloud]\n"
        "endpoint_resource_manager = https://127.0.0.1:8443/\n"
        "endpoint_active_directory = https://127.0.0.1:8443/\n"
    )
    assert active_cloud(env_for(tmp_path)).authority == "https://127.0.0.1:8443"


def test_a_sovereign_cloud_signs_in_at_its_authority(tmp_path: Path) -> None:
    (tmp_path / "config").write_text("[cloud]\nname = AzureUSGovernment\n")
    assert active_cloud(env_for(tmp_path)).authority == "https://login.microsoftonline.us"


def test_a_custom_cloud_without_an_https_endpoint_names_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "config").write_text("[cloud]\nname = lab\n")
    (tmp_path / "clouds.config").write_text("[lab]\nendpoint_resource_manager = ftp://x\n")
    with pytest.raises(InputError) as caught:
        active_cloud(env_for(tmp_path))
    assert caught.value.message == (
        f"{tmp_path / 'clouds.config'}: [lab] endpoint_resource_manager: ftp://x "
        "(expected an https:// URL)"
    )


def test_a_broken_config_file_is_an_input_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "config").write_text("not an ini file\n")
    with pytest.raises(InputError, match="cannot read the az CLI's settings"):
        active_cloud(env_for(tmp_path))


def profile(tmp_path: Path, *subscriptions: dict[str, object]) -> None:
    doc = {"installationId": "x", "subscriptions": list(subscriptions)}
    (tmp_path / "azureProfile.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(doc).encode())


def test_the_default_subscription_is_the_one_of_the_active_cloud(tmp_path: Path) -> None:
    profile(
        tmp_path,
        {"id": "public-sub", "isDefault": True, "environmentName": "AzureCloud"},
        {"id": "china-sub", "isDefault": True, "environmentName": "AzureChinaCloud"},
    )
    assert default_subscription(env_for(tmp_path), "AzureChinaCloud") == (
        "china-sub",
        tmp_path / "azureProfile.json",
    )
    assert default_subscription(env_for(tmp_path), "AzureCloud") is not None
    assert default_subscription(env_for(tmp_path), "lab") is None


def test_entries_without_a_cloud_name_count_for_any_cloud(tmp_path: Path) -> None:
    profile(tmp_path, {"id": "old-sub", "isDefault": True}, {"id": "other", "isDefault": False})
    found = default_subscription(env_for(tmp_path), "AzureCloud")
    assert found is not None and found[0] == "old-sub"


def test_an_unreadable_profile_means_no_default(tmp_path: Path) -> None:
    (tmp_path / "azureProfile.json").write_text("{broken")
    assert default_subscription(env_for(tmp_path), "AzureCloud") is None
