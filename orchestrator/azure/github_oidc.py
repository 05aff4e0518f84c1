"""Sign in from GitHub Actions with the workflow's OIDC token - fresh on every token refresh.

`azure/login` exchanges one GitHub OIDC token (valid for minutes) and the az CLI cannot mint new
Entra tokens once it has expired (`AADSTS700024: Client assertion is not within its valid time
range`, Azure/azure-cli#28708, Azure/login#180): a run that outlives it - a fine-tuning
`--wait`, a token for a new scope, a refresh after an hour - fails. This credential instead
asks GitHub for a new OIDC token each time Entra needs an assertion
(`ClientAssertionCredential` calls the function on every token request), so it never
presents an expired one.

The GitHub side (documented by GitHub and used by `@actions/core` `getIDToken`): a job with
`permissions: id-token: write` has ACTIONS_ID_TOKEN_REQUEST_URL and
ACTIONS_ID_TOKEN_REQUEST_TOKEN; `GET $URL&audience=api://AzureADTokenExchange` with
`Authorization: bearer $TOKEN` answers `{"value": "<JWT>"}`. The Entra side needs a federated
credential on the app (`orchestrator ci github` prints the commands that create it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

import requests
from azure.core.exceptions import ClientAuthenticationError

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

AUDIENCE = "api://AzureADTokenExchange"
ENV_REQUEST_URL = "ACTIONS_ID_TOKEN_REQUEST_URL"
ENV_REQUEST_TOKEN = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
# Entra's own sign-in hosts (public and sovereign clouds): instance discovery stays on there.
ENTRA_HOSTS = frozenset(
    {
        "login.microsoftonline.com",
        "login.microsoftonline.us",
        "login.chinacloudapi.cn",
        "login.microsoftonline.de",
    }
)
ATTEMPTS = 3
TIMEOUT = (10.0, 30.0)
PERMISSION_HINT = (
    "the job needs `permissions: id-token: write` (GitHub sets ACTIONS_ID_TOKEN_REQUEST_URL "
    "and ACTIONS_ID_TOKEN_REQUEST_TOKEN only then)"
)


@dataclass(frozen=True)
class GitHubOidcEnv:
    request_url: str
    request_token: str = field(repr=False)
    client_id: str
    tenant_id: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> GitHubOidcEnv | None:
        """The four values, or None when any is missing (not in a GitHub Actions job with
        id-token permission, or no app to sign in as)."""
        values = [
            env.get(name, "").strip()
            for name in (ENV_REQUEST_URL, ENV_REQUEST_TOKEN, "AZURE_CLIENT_ID", "AZURE_TENANT_ID")
        ]
        return cls(*values) if all(values) else None


def token_request_url(request_url: str, audience: str = AUDIENCE) -> str:
    """GitHub's request URL (it already carries `?api-version=...`) with the audience added."""
    joiner = "&" if urlsplit(request_url).query else "?"
    return f"{request_url}{joiner}audience={quote(audience, safe='')}"


class GitHubTokenRequestError(ClientAuthenticationError):
    """GitHub did not hand out an OIDC token (raised through azure-identity, so the one
    translation of SDK errors reports it as a sign-in failure)."""


class GitHubOidcToken:
    """The assertion function: one GET to GitHub per call, never cached."""

    def __init__(
        self,
        oidc: GitHubOidcEnv,
        verify: str | bool = True,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = token_request_url(oidc.request_url)
        self._headers = {
            "Authorization": f"bearer {oidc.request_token}",
            "Accept": "application/json; api-version=2.0",
        }
        self.verify = verify
        self.sleep = sleep

    def __call__(self) -> str:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return self._request()
            except _Transient as exc:
                if attempt == ATTEMPTS:
                    raise GitHubTokenRequestError(f"GitHub OIDC token request: {exc}") from exc
                self.sleep(0.5 * 2 ** (attempt - 1))
        raise AssertionError("unreachable")

    def _request(self) -> str:
        try:
            response = requests.get(
                self.url, headers=self._headers, timeout=TIMEOUT, verify=self.verify
            )
        except requests.RequestException as exc:
            raise _Transient(type(exc).__name__) from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise _Transient(f"HTTP {response.status_code}")
        if response.status_code != 200:
            raise GitHubTokenRequestError(
                f"GitHub OIDC token request: HTTP {response.status_code}; {PERMISSION_HINT}"
            )
        return _token_value(response)


class _Transient(Exception):
    pass


def _token_value(response: requests.Response) -> str:
    try:
        value = response.json().get("value")
    except (ValueError, AttributeError):
        value = None
    if not isinstance(value, str) or not value:
        raise GitHubTokenRequestError("GitHub OIDC token request: the answer has no token")
    return value


def github_oidc_credential(
    env: Mapping[str, str], authority: str, *, connection_verify: str | bool = True
) -> TokenCredential | None:
    """A ClientAssertionCredential fed by GitHub's OIDC token endpoint, or None outside a
    GitHub Actions job that may request one (see the module docstring)."""
    oidc = GitHubOidcEnv.from_env(env)
    if oidc is None:
        return None
    from azure.identity import ClientAssertionCredential

    credential: TokenCredential = ClientAssertionCredential(
        oidc.tenant_id,
        oidc.client_id,
        GitHubOidcToken(oidc, connection_verify),
        authority=authority,
        connection_verify=connection_verify,
        disable_instance_discovery=_host(authority) not in ENTRA_HOSTS,
    )
    return credential


def _host(authority: str) -> str:
    text = authority if "://" in authority else f"https://{authority}"
    return (urlsplit(text).hostname or "").lower()
