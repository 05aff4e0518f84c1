"""Minimal Entra ID over HTTP: what MSAL (azure-identity, az CLI) asks for a service principal.

- `GET /{tenant}/v2.0/.well-known/openid-configuration` (and the v1 `/{tenant}/.well-known/...`)
- `POST /{tenant}/oauth2/v2.0/token` (client_credentials, `scope=`) and the v1
  `POST /{tenant}/oauth2/token` (`resource=`)
- `GET /{tenant}/discovery/v2.0/keys` (empty: tokens are HS256)
- `GET /common/discovery/instance` (MSAL's instance discovery, when not disabled)

Errors have AAD's shape: `{"error", "error_description", "error_codes", "timestamp",
"trace_id", "correlation_id"}`.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from localcloud.auth import DEFAULT_LIFETIME_S, TokenService, normalize_audience

TENANT_ALIASES = ("common", "organizations", "consumers")
_ENTRA_SECOND_SEGMENTS = ("oauth2", "v2.0", ".well-known", "discovery")


@dataclass(frozen=True)
class EntraError(Exception):
    status: int
    error: str
    code: int
    description: str

    def response(self) -> web.Response:
        now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
        body = {
            "error": self.error,
            "error_description": f"AADSTS{self.code}: {self.description} "
            f"Trace ID: {uuid.uuid4()} Correlation ID: {uuid.uuid4()} Timestamp: {now}",
            "error_codes": [self.code],
            "timestamp": now,
            "trace_id": str(uuid.uuid4()),
            "correlation_id": str(uuid.uuid4()),
            "error_uri": "https://login.microsoftonline.com/error?code=" + str(self.code),
        }
        return web.json_response(body, status=self.status, headers={"Cache-Control": "no-store"})


def is_entra_path(segments: list[str], tenant_id: str) -> bool:
    """Whether a request path belongs to the Entra endpoints (by its first two segments)."""
    if not segments:
        return False
    first = segments[0].lower()
    if first == tenant_id.lower() or first in TENANT_ALIASES:
        return True
    return len(segments) > 1 and segments[1].lower() in _ENTRA_SECOND_SEGMENTS


def openid_configuration(base: str, tenant: str, version: str) -> dict[str, Any]:
    v2 = "/v2.0" if version == "2.0" else ""
    root = f"{base}/{tenant}"
    return {
        "token_endpoint": f"{root}/oauth2{v2}/token",
        "token_endpoint_auth_methods_supported": [
            "client_secret_post",
            "private_key_jwt",
            "client_secret_basic",
        ],
        "jwks_uri": f"{root}/discovery{v2}/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256", "HS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "token id_token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": f"{root}{v2}" if v2 else f"{base}/{tenant}/",
        "request_uri_parameter_supported": False,
        "userinfo_endpoint": f"{root}/openid/userinfo",
        "authorization_endpoint": f"{root}/oauth2{v2}/authorize",
        "device_authorization_endpoint": f"{root}/oauth2{v2}/devicecode",
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "end_session_endpoint": f"{root}/oauth2{v2}/logout",
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "tid", "oid", "appid"],
        "tenant_region_scope": "NA",
        "cloud_instance_name": "localcloud",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
    }


class Entra:
    def __init__(self, tokens: TokenService, base_url: str) -> None:
        self.tokens = tokens
        self.base_url = base_url.rstrip("/")

    async def handle(self, request: web.Request) -> web.StreamResponse:
        segments = [s for s in request.path.split("/") if s]
        try:
            return await self._dispatch(request, segments)
        except EntraError as err:
            return err.response()

    async def _dispatch(self, request: web.Request, segs: list[str]) -> web.StreamResponse:
        low = [s.lower() for s in segs]
        method = request.method.upper()
        if low[:3] == ["common", "discovery", "instance"] and method == "GET":
            return web.json_response(self._instance_discovery(request))
        tenant = segs[0]
        rest = low[1:]
        if method == "GET" and rest in (
            ["v2.0", ".well-known", "openid-configuration"],
            [".well-known", "openid-configuration"],
        ):
            tenant_in_doc = self._tenant_for_discovery(tenant)
            version = "2.0" if rest[0] == "v2.0" else "1.0"
            return web.json_response(openid_configuration(self.base_url, tenant_in_doc, version))
        if method == "GET" and rest in (["discovery", "v2.0", "keys"], ["discovery", "keys"]):
            return web.json_response({"keys": []})
        if method == "POST" and rest in (["oauth2", "v2.0", "token"], ["oauth2", "token"]):
            self._require_tenant(tenant)
            form = await _read_form(request)
            v1 = rest == ["oauth2", "token"]
            return web.json_response(
                self._token(form, request.headers.get("Authorization"), v1),
                headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
            )
        raise EntraError(
            404,
            "invalid_request",
            900561,
            f"The endpoint only accepts the documented methods and paths ({method} "
            f"{request.path} is not one of them).",
        )

    def _instance_discovery(self, request: web.Request) -> dict[str, Any]:
        host = request.host
        tenant = self.tokens.identity.tenant_id
        return {
            "tenant_discovery_endpoint": (
                f"{self.base_url}/{tenant}/v2.0/.well-known/openid-configuration"
            ),
            "api-version": "1.1",
            "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
        }

    def _tenant_for_discovery(self, tenant: str) -> str:
        if tenant.lower() in TENANT_ALIASES:
            return "{tenantid}"
        self._require_tenant(tenant)
        return self.tokens.identity.tenant_id

    def _require_tenant(self, tenant: str) -> None:
        if tenant.lower() != self.tokens.identity.tenant_id.lower():
            raise EntraError(
                400,
                "invalid_tenant",
                90002,
                f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant "
                f"ID (localcloud serves tenant '{self.tokens.identity.tenant_id}').",
            )

    def _token(
        self, form: Mapping[str, str], authorization: str | None, v1: bool
    ) -> dict[str, Any]:
        decision = decide_token_request(
            form,
            authorization,
            self.tokens.identity.client_id,
            self.tokens.identity.client_secret,
            v1,
        )
        token = self.tokens.issue_token(decision.client_id, decision.audience, DEFAULT_LIFETIME_S)
        if v1:
            now = int(time.time())
            return {
                "token_type": "Bearer",
                "expires_in": str(DEFAULT_LIFETIME_S),
                "ext_expires_in": str(DEFAULT_LIFETIME_S),
                "expires_on": str(now + DEFAULT_LIFETIME_S),
                "not_before": str(now),
                "resource": decision.audience,
                "access_token": token,
            }
        return {
            "token_type": "Bearer",
            "expires_in": DEFAULT_LIFETIME_S,
            "ext_expires_in": DEFAULT_LIFETIME_S,
            "access_token": token,
        }


@dataclass(frozen=True)
class TokenGrant:
    client_id: str
    audience: str


def _basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    import base64

    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        raw = base64.b64decode(authorization[6:].strip()).decode()
    except ValueError:
        return None
    user, sep, password = raw.partition(":")
    return (user, password) if sep else None


def decide_token_request(
    form: Mapping[str, str],
    authorization: str | None,
    client_id: str,
    client_secret: str,
    v1: bool,
) -> TokenGrant:
    """Check a client-credentials token request (pure); raises `EntraError`."""
    grant = form.get("grant_type", "")
    if grant != "client_credentials":
        raise EntraError(
            400,
            "unsupported_grant_type",
            70003,
            f"The app requested an unsupported grant type '{grant}'. localcloud supports "
            "'client_credentials' (a service principal with a client secret).",
        )
    basic = _basic_credentials(authorization)
    given_id = form.get("client_id") or (basic[0] if basic else "")
    given_secret = form.get("client_secret") or (basic[1] if basic else "")
    if given_id.lower() != client_id.lower():
        raise EntraError(
            400,
            "unauthorized_client",
            700016,
            f"Application with identifier '{given_id}' was not found in the directory. "
            "Use the client_id from `localcloud status --json`.",
        )
    if not given_secret or not hmac.compare_digest(given_secret.encode(), client_secret.encode()):
        raise EntraError(
            401,
            "invalid_client",
            7000215,
            "Invalid client secret provided. Ensure the secret being sent in the request is "
            f"the client secret value, not the client secret ID, for a secret added to app "
            f"'{client_id}'.",
        )
    requested = form.get("resource", "") if v1 else form.get("scope", "")
    scopes = [
        s for s in requested.split() if s.lower() not in ("openid", "profile", "offline_access")
    ]
    if len(scopes) != 1 or not scopes[0].startswith(("https://", "api://")):
        raise EntraError(
            400,
            "invalid_scope" if not v1 else "invalid_resource",
            1002012 if not v1 else 500011,
            f"The provided value '{requested}' for the input parameter "
            f"'{'resource' if v1 else 'scope'}' is not valid. Ask for one resource, e.g. "
            "'https://management.azure.com/.default'.",
        )
    return TokenGrant(client_id=client_id, audience=normalize_audience(scopes[0]))


async def _read_form(request: web.Request) -> dict[str, str]:
    try:
        posted = await request.post()
    except (ValueError, json.JSONDecodeError) as err:
        raise EntraError(
            400, "invalid_request", 900144, f"The request body is not a form: {err}"
        ) from err
    return {k: v for k, v in posted.items() if isinstance(v, str)}
