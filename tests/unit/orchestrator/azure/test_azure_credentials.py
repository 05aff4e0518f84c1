"""The credential chain: which links, in which order, at which authority."""

from __future__ import annotations

from pathlib import Path

from azure.identity import AzureCliCredential, ChainedTokenCredential, ClientSecretCredential

from orchestrator.azure.cloud import CloudProfile, azure_profile
from orchestrator.azure.credentials import AzCliProfileCredential, azure_credential
from orchestrator.settings import read_settings


def links(credential: object) -> list[object]:
    assert isinstance(credential, ChainedTokenCredential)
    return list(credential.credentials)


def custom_cloud(tmp_path: Path) -> CloudProfile:
    (tmp_path / "config").write_text("[cloud]\nname = lab\n")
    (tmp_path / "clouds.config").write_text(
        "[lab]\nendpoint_resource_manager = https://127.0.0.1:9/\n"
        "endpoint_active_directory = https://127.0.0.1:9\n"
    )
    return azure_profile(tmp_path)


def test_a_service_principal_from_the_environment_comes_first_at_the_cloud_s_authority(
    tmp_path: Path,
) -> None:
    settings = read_settings(
        {"AZURE_CLIENT_ID": "c", "AZURE_TENANT_ID": "t", "AZURE_CLIENT_SECRET": "s"}
    )
    chain = links(azure_credential(custom_cloud(tmp_path), settings.credentials, {}))
    first = chain[0]
    assert isinstance(first, ClientSecretCredential)
    assert vars(first)["_authority"] == "https://127.0.0.1:9"  # the custom cloud's sign-in
    assert vars(first)["_instance_discovery"] is False
    assert isinstance(chain[-2], AzCliProfileCredential)
    assert isinstance(chain[-1], AzureCliCredential)


def test_without_settings_only_the_az_cli_links_are_in_the_chain(tmp_path: Path) -> None:
    settings = read_settings({})
    chain = links(azure_credential(azure_profile(tmp_path), settings.credentials, {}))
    assert [type(c) for c in chain] == [AzCliProfileCredential, AzureCliCredential]


def test_a_github_actions_job_with_an_id_token_signs_in_with_it_first(tmp_path: Path) -> None:
    environ = {
        "ACTIONS_ID_TOKEN_REQUEST_URL": "https://token.actions.example/?api-version=2.0",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "request-token",
        "AZURE_CLIENT_ID": "c",
        "AZURE_TENANT_ID": "t",
    }
    settings = read_settings(environ)
    chain = links(azure_credential(azure_profile(tmp_path), settings.credentials, environ))
    assert type(chain[0]).__name__ == "ClientAssertionCredential"
    assert [type(c) for c in chain[1:]] == [AzCliProfileCredential, AzureCliCredential]
