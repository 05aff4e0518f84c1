"""Which environments get the GitHub OIDC credential, and the token request URL (no I/O)."""

from __future__ import annotations

from orchestrator.azure.github_oidc import (
    GitHubOidcEnv,
    github_oidc_credential,
    token_request_url,
)

FULL = {
    "ACTIONS_ID_TOKEN_REQUEST_URL": "https://pipelines.example/idtoken?api-version=2.0",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "secret",
    "AZURE_CLIENT_ID": "client",
    "AZURE_TENANT_ID": "tenant",
}


def test_all_four_variables_give_the_oidc_settings() -> None:
    oidc = GitHubOidcEnv.from_env(FULL)
    assert oidc == GitHubOidcEnv(FULL["ACTIONS_ID_TOKEN_REQUEST_URL"], "secret", "client", "tenant")


def test_the_request_token_is_not_in_the_repr() -> None:
    assert "secret" not in repr(GitHubOidcEnv.from_env(FULL))


def test_any_missing_or_blank_variable_means_no_credential() -> None:
    for name in FULL:
        assert GitHubOidcEnv.from_env({k: v for k, v in FULL.items() if k != name}) is None
        assert github_oidc_credential({**FULL, name: "  "}, "login.microsoftonline.com") is None


def test_the_audience_is_added_to_githubs_query() -> None:
    url = token_request_url("https://pipelines.example/idtoken?api-version=2.0")
    assert url == (
        "https://pipelines.example/idtoken?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange"
    )


def test_a_url_without_a_query_gets_one() -> None:
    url = token_request_url("https://pipelines.example/idtoken")
    assert url == "https://pipelines.example/idtoken?audience=api%3A%2F%2FAzureADTokenExchange"
