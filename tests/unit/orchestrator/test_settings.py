"""Settings are read once from the environment and the global flags, checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator.errors import EXIT_INVALID, InputError
from orchestrator.settings import read_settings


def test_defaults_when_nothing_is_set() -> None:
    settings = read_settings({"HOME": "/home/u"})
    assert (settings.cloud, settings.cloud_given) == ("azure", False)
    assert settings.az_config_dir == Path("/home/u/.azure")
    assert settings.localcloud_state_dir == Path("/home/u/.localcloud")
    assert settings.retry_backoff == 1.0 and not settings.debug and settings.color is None


def test_the_flag_wins_over_the_variable() -> None:
    settings = read_settings({"ORCHESTRATOR_CLOUD": "azure"}, cloud="LOCAL")
    assert (settings.cloud, settings.cloud_given) == ("local", True)


def test_an_unknown_cloud_is_one_line_exit_2_naming_its_source() -> None:
    with pytest.raises(InputError) as caught:
        read_settings({"ORCHESTRATOR_CLOUD": "bogus"})
    assert caught.value.exit_code == EXIT_INVALID
    assert caught.value.lines() == [
        "error: ORCHESTRATOR_CLOUD=bogus: unknown cloud (expected azure or local)"
    ]


def test_credential_and_target_variables_are_typed_fields() -> None:
    settings = read_settings(
        {
            "AZURE_CLIENT_ID": " c ",
            "AZURE_TENANT_ID": "t",
            "AZURE_CLIENT_SECRET": "s3cret",
            "MSI_ENDPOINT": "http://169.254.169.254",
            "AZURE_LOCATION": "eastus",
            "AZURE_CONFIG_DIR": "/az",
            "LOCALCLOUD_STATE_DIR": "/lc",
            "NO_COLOR": "1",
            "ORCHESTRATOR_DEBUG": "1",
        }
    )
    assert settings.credentials.service_principal and settings.credentials.client_id == "c"
    assert settings.credentials.identity_endpoint == "http://169.254.169.254"
    assert "s3cret" not in repr(settings)  # secrets are never shown
    assert settings.target.location == "eastus"
    assert (settings.az_config_dir, settings.localcloud_state_dir) == (Path("/az"), Path("/lc"))
    assert settings.color is False and settings.debug
