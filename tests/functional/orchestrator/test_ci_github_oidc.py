"""The GitHub OIDC credential against loopback HTTPS stand-ins for GitHub's OIDC token endpoint
and Entra's token endpoint: every token refresh presents a freshly fetched assertion.

The Entra stand-in behaves as Entra does with a federated credential: it accepts a client
assertion once its issuer, subject and audience match, refuses one it has seen before, and
refuses an expired one with AADSTS700024 (what a cached GitHub token gets in a long run).
"""

from __future__ import annotations

import base64
import itertools
import json
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from azure.core.exceptions import ClientAuthenticationError
from https_stub import Reply, Request, StubServer, serve

from orchestrator.azure.github_oidc import (
    GitHubOidcEnv,
    GitHubOidcToken,
    GitHubTokenRequestError,
    github_oidc_credential,
)

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT = "0d6b3c2a-5d3e-4c1e-9d2f-6a1b2c3d4e5f"
REQUEST_TOKEN = "runtime-request-token"
SUBJECT = "repo:contoso/toolkit:environment:production"
ISSUER = "https://token.actions.githubusercontent.com"
SCOPE = "https://management.azure.com/.default"
# What a long fine-tuning run asks for over time: ARM, then Storage, then Log Analytics.
SCOPES = (SCOPE, "https://storage.azure.com/.default", "https://api.loganalytics.io/.default")
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _claims(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    decoded: dict[str, object] = json.loads(base64.urlsafe_b64decode(payload + "=="))
    return decoded


class FakeGitHubAndEntra:
    """Both endpoints on one stub server; assertions live `lifetime` seconds."""

    def __init__(self, lifetime: float = 60.0, token_life: int = 3600) -> None:
        self.lifetime = lifetime
        self.token_life = token_life
        self.counter = itertools.count(1)
        self.minted: list[str] = []
        self.presented: list[str] = []
        self.base = ""

    def __call__(self, request: Request) -> Reply:
        url = urlsplit(request.path)
        if url.path == "/_github/token":
            return self._github(request, parse_qs(url.query))
        if url.path == f"/{TENANT}/v2.0/.well-known/openid-configuration":
            return self._json(200, self._openid())
        if url.path == f"/{TENANT}/oauth2/v2.0/token":
            return self._token(parse_qs(request.body.decode()))
        return self._json(404, {"error": "not_found"})

    def _json(self, status: int, body: dict[str, object]) -> Reply:
        return Reply(status, json.dumps(body).encode(), {"Content-Type": "application/json"})

    def _openid(self) -> dict[str, object]:
        root = f"{self.base}/{TENANT}"
        return {
            "token_endpoint": f"{root}/oauth2/v2.0/token",
            "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
            "issuer": f"{root}/v2.0",
        }

    def _github(self, request: Request, query: dict[str, list[str]]) -> Reply:
        if request.headers.get("Authorization") != f"bearer {REQUEST_TOKEN}":
            return self._json(401, {"message": "Bad credentials"})
        now = time.time()
        claims = {
            "iss": ISSUER,
            "sub": SUBJECT,
            "aud": query.get("audience", [""])[0],
            "jti": f"assertion-{next(self.counter)}",
            "iat": int(now),
            "exp": now + self.lifetime,
        }
        token = f"{_b64({'alg': 'RS256', 'typ': 'JWT'})}.{_b64(claims)}.c2ln"
        self.minted.append(token)
        return self._json(200, {"count": 1, "value": token})

    def _token(self, form: dict[str, list[str]]) -> Reply:
        assertion = form.get("client_assertion", [""])[0]
        self.presented.append(assertion)
        ok_form = form.get("client_assertion_type") == [ASSERTION_TYPE]
        claims = _claims(assertion) if assertion.count(".") == 2 else {}
        if not ok_form or form.get("client_id") != [CLIENT] or claims.get("sub") != SUBJECT:
            return self._json(401, {"error": "invalid_client", "error_codes": [70021]})
        if claims.get("aud") != "api://AzureADTokenExchange" or claims.get("iss") != ISSUER:
            return self._json(401, {"error": "invalid_client", "error_codes": [70021]})
        expired = float(str(claims["exp"])) < time.time()
        if expired or self.presented.count(assertion) > 1:
            return self._json(
                401,
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS700024: Client assertion is not within its "
                    "valid time range.",
                    "error_codes": [700024],
                },
            )
        scope = form.get("scope", [""])[0]
        body = {
            "token_type": "Bearer",
            "expires_in": self.token_life,
            "access_token": f"at-{scope}-{assertion}",
        }
        return self._json(200, body)


def _env(server: StubServer) -> dict[str, str]:
    return {
        "ACTIONS_ID_TOKEN_REQUEST_URL": f"{server.base_url}/_github/token?api-version=2.0",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": REQUEST_TOKEN,
        "AZURE_CLIENT_ID": CLIENT,
        "AZURE_TENANT_ID": TENANT,
    }


def test_each_token_request_fetches_a_fresh_github_assertion(tmp_path: Path) -> None:
    fake = FakeGitHubAndEntra()
    with serve(tmp_path / "tls", fake) as server:
        fake.base = server.base_url
        credential = github_oidc_credential(
            _env(server), server.base_url, connection_verify=server.ca_file
        )
        assert credential is not None
        tokens = [credential.get_token(scope).token for scope in SCOPES]
        again = credential.get_token(SCOPE).token  # still valid: served from the cache
        github_calls = [r for r in server.requests if r.path.startswith("/_github/token")]
    assert len(github_calls) == 3
    assert len(set(fake.minted)) == 3
    assert fake.presented == fake.minted  # each request presented the token just fetched
    assert tokens == [f"at-{s}-{a}" for s, a in zip(SCOPES, fake.minted, strict=True)]
    assert again == tokens[0]
    query = parse_qs(urlsplit(github_calls[0].path).query)
    assert query["audience"] == ["api://AzureADTokenExchange"]
    assert query["api-version"] == ["2.0"]
    assert github_calls[0].headers["Authorization"] == f"bearer {REQUEST_TOKEN}"


def test_a_refresh_after_token_and_assertion_expired_fetches_a_fresh_one(tmp_path: Path) -> None:
    # The GitHub token lives 0.5 s and the Entra token 1 s: the refresh comes after both
    # expired, as in a run longer than their lives. A reused assertion gets AADSTS700024.
    fake = FakeGitHubAndEntra(lifetime=0.5, token_life=1)
    with serve(tmp_path / "tls", fake) as server:
        fake.base = server.base_url
        credential = github_oidc_credential(
            _env(server), server.base_url, connection_verify=server.ca_file
        )
        assert credential is not None
        first = credential.get_token(SCOPE).token
        time.sleep(1.2)
        second = credential.get_token(SCOPE).token
    assert first != second
    assert len(fake.minted) == 2
    assert fake.presented == fake.minted
    first_exp, second_exp = (float(str(_claims(a)["exp"])) for a in fake.presented)
    assert second_exp > first_exp + 1


def test_a_refused_github_request_says_the_job_needs_id_token_write(tmp_path: Path) -> None:
    fake = FakeGitHubAndEntra()
    with serve(tmp_path / "tls", fake) as server:
        fake.base = server.base_url
        env = {**_env(server), "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "wrong"}
        credential = github_oidc_credential(env, server.base_url, connection_verify=server.ca_file)
        assert credential is not None
        with pytest.raises(ClientAuthenticationError, match="id-token: write"):
            credential.get_token(SCOPE)
    assert fake.presented == []  # nothing reached Entra


def test_githubs_transient_failures_are_retried_then_reported(tmp_path: Path) -> None:
    answers = iter([503, 502, 200, 503, 503, 503])

    def github(request: Request) -> Reply:
        status = next(answers)
        body = json.dumps({"value": "a.b.c"} if status == 200 else {}).encode()
        return Reply(status, body, {"Content-Type": "application/json"})

    slept: list[float] = []
    with serve(tmp_path / "tls", github) as server:
        oidc = GitHubOidcEnv.from_env(_env(server))
        assert oidc is not None
        fetch = GitHubOidcToken(oidc, server.ca_file, sleep=slept.append)
        assert fetch() == "a.b.c"
        with pytest.raises(GitHubTokenRequestError, match="HTTP 503"):
            fetch()
    assert slept == [0.5, 1.0, 0.5, 1.0]
    assert len(server.requests) == 6
