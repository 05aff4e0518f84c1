"""Checking a request's `Authorization`: Shared Key against the account keys, or an Entra
bearer token (audience `https://storage.azure.com` or the account's file endpoint) from
localcloud's own token service, as Azure Files accepts with `x-ms-file-request-intent`."""

from __future__ import annotations

import functools
from datetime import timezone
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

from aiohttp import web

from localcloud.files import sharedkey
from localcloud.files.errors import FileError

MAX_CLOCK_SKEW_SECONDS = 15 * 60
_MESSAGE = (
    "Server failed to authenticate the request. Make sure the value of Authorization header "
    "is formed correctly including the signature."
)


class TokenVerifier(Protocol):
    def verify(self, token: str, audience: str | None = None) -> dict[str, Any] | None: ...


STORAGE_AUDIENCE = "https://storage.azure.com"


def authenticate_bearer(
    request: web.Request, account: str, tokens: TokenVerifier | None, authority: str
) -> bool:
    """True for a valid bearer token; False when the request carries none; 401 otherwise,
    with the `WWW-Authenticate` challenge (authority and resource) clients retry with."""
    scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    claims = tokens.verify(token.strip()) if tokens is not None else None
    audience = str((claims or {}).get("aud", "")).rstrip("/").lower()
    accepted = (STORAGE_AUDIENCE, f"https://{account}.file.core.windows.net")
    if claims is None or audience not in accepted:
        tenant = str((claims or {}).get("tid") or "common")
        challenge = (
            f"Bearer authorization_uri={authority}/{tenant}/oauth2/authorize "
            f"resource_id={STORAGE_AUDIENCE}"
        )
        raise FileError(
            401,
            "InvalidAuthenticationInfo",
            "Server failed to authenticate the request. Please refer to the information in the "
            "www-authenticate header.",
            "The token is not valid for this storage account.",
            (("WWW-Authenticate", challenge),),
        )
    return True


def authenticate(
    request: web.Request, raw_path: str, raw_query: str, keys: list[str], now_ns: int
) -> None:
    """Raise 403 `AuthenticationFailed` unless the request is signed with key1 or key2."""
    authorization = sharedkey.parse_authorization(request.headers.get("Authorization"))
    if authorization is None:
        raise _failed("The request carries no `SharedKey <account>:<signature>` Authorization.")
    account = raw_path.lstrip("/").split("/", 1)[0]
    if authorization.account.lower() != account.lower():
        raise _failed(f"The Authorization header names account {authorization.account!r}.")
    _check_date(request, now_ns)
    signed = sharedkey.SignedRequest(
        method=request.method,
        raw_path=raw_path,
        raw_query=raw_query,
        headers=tuple(request.headers.items()),
    )
    text = sharedkey.string_to_sign(signed, authorization.account)
    if not sharedkey.matches(authorization.signature, keys, text):
        raise _failed(
            f"The MAC signature found in the HTTP request '{authorization.signature}' is not "
            "the same as any computed signature. Server used following string to sign: "
            f"'{text}'."
        )


def _check_date(request: web.Request, now_ns: int) -> None:
    value = request.headers.get("x-ms-date") or request.headers.get("Date")
    if not value:
        raise _failed("Request date header not specified (x-ms-date or Date).")
    try:
        sent_at = _parsed_date(value)
    except (TypeError, ValueError) as error:
        raise _failed(f"The date header {value!r} is not an RFC 1123 date.") from error
    if sent_at.tzinfo is None:
        sent_at = sent_at.replace(tzinfo=timezone.utc)
    if abs(now_ns / 1e9 - sent_at.timestamp()) > MAX_CLOCK_SKEW_SECONDS:
        raise _failed(f"Request date header too old or too far in the future: {value!r}.")


# Clients date their requests to the second, so the same few values arrive again and again.
_parsed_date = functools.lru_cache(maxsize=64)(parsedate_to_datetime)


def _failed(detail: str) -> FileError:
    return FileError(403, "AuthenticationFailed", _MESSAGE, detail)
