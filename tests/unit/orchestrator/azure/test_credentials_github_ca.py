"""The GitHub OIDC link trusts the active cloud's CA (a custom cloud with a private CA, such
as localcloud registered with `az cloud register`), for GitHub's token and Entra alike."""

from __future__ import annotations

from azure.identity import ChainedTokenCredential

from orchestrator.azure.cloud import CloudProfile
from orchestrator.azure.credentials import azure_credential
from orchestrator.azure.github_oidc import GitHubOidcToken
from orchestrator.settings import read_settings

GITHUB = {
    "ACTIONS_ID_TOKEN_REQUEST_URL": "https://token.actions.example/?api-version=2.0",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "request-token",
    "AZURE_CLIENT_ID": "c",
    "AZURE_TENANT_ID": "t",
}


def test_the_github_link_verifies_tls_with_the_cloud_s_ca_file() -> None:
    profile = CloudProfile(
        "azure",
        "https://127.0.0.1:9/",
        connection_verify="/tmp/lab-ca.pem",
        authority="https://127.0.0.1:9",
        custom_authority=True,
    )
    chain = azure_credential(profile, read_settings(GITHUB).credentials, GITHUB)
    assert isinstance(chain, ChainedTokenCredential)
    first = chain.credentials[0]
    token = vars(first)["_func"]
    assert isinstance(token, GitHubOidcToken)
    assert token.verify == "/tmp/lab-ca.pem"
