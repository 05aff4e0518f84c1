"""Access tokens: HS256 JWTs signed with the state directory's key, and bearer checks.

`TokenService` is what other subsystems use (`cloud.tokens`):
`issue_token(subject, audience, lifetime_s) -> str` and `verify(token, audience=None) ->
claims | None`. The two ARM audiences (`https://management.azure.com/` and
`https://management.core.windows.net/`) are interchangeable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from localcloud.arm.errors import ArmError
from localcloud.config import Identity

ARM_AUDIENCES = ("https://management.azure.com/", "https://management.core.windows.net/")
DEFAULT_LIFETIME_S = 3600
CLOCK_SKEW_S = 60


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_jwt(claims: Mapping[str, Any], key: bytes) -> str:
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64(json.dumps(dict(claims), separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode()
    signature = hmac.new(key, signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def decode_jwt(token: str, key: bytes) -> dict[str, Any] | None:
    """The claims of a well-formed, correctly signed HS256 token (expiry not checked)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        header = json.loads(_unb64(parts[0]))
        expected = hmac.new(key, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
        if not isinstance(header, dict) or header.get("alg") != "HS256":
            return None
        if not hmac.compare_digest(expected, _unb64(parts[2])):
            return None
        claims = json.loads(_unb64(parts[1]))
    except (ValueError, UnicodeDecodeError):
        return None
    return claims if isinstance(claims, dict) else None


def normalize_audience(value: str) -> str:
    """A scope or resource -> the audience it names (`.../.default` and slashes trimmed)."""
    aud = value.strip()
    if aud.endswith("/.default"):
        aud = aud[: -len(".default")]
    if aud.startswith("https://") and not aud.endswith("/"):
        aud += "/"
    while aud.endswith("//"):
        aud = aud[:-1]
    return aud


def same_audience(a: str, b: str) -> bool:
    na, nb = normalize_audience(a).lower(), normalize_audience(b).lower()
    if na == nb:
        return True
    arm = {x.lower() for x in ARM_AUDIENCES}
    return na in arm and nb in arm


class TokenService:
    def __init__(
        self,
        identity: Identity,
        key: bytes,
        issuer_base: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.identity = identity
        self._key = key
        self._issuer_base = issuer_base.rstrip("/")
        self._clock = clock

    @property
    def issuer(self) -> str:
        return f"{self._issuer_base}/{self.identity.tenant_id}/v2.0"

    @property
    def principal_object_id(self) -> str:
        """The service principal's object id (stable, derived from the client id)."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "localcloud-sp:" + self.identity.client_id))

    def issue_token(self, subject: str, audience: str, lifetime_s: int = DEFAULT_LIFETIME_S) -> str:
        now = int(self._clock())
        claims = {
            "aud": normalize_audience(audience),
            "iss": self.issuer,
            "iat": now,
            "nbf": now,
            "exp": now + int(lifetime_s),
            "tid": self.identity.tenant_id,
            "appid": subject,
            "azp": subject,
            "oid": self.principal_object_id if subject == self.identity.client_id else subject,
            "sub": subject,
            "ver": "2.0",
            "uti": uuid.uuid4().hex,
        }
        return encode_jwt(claims, self._key)

    def verify(self, token: str, audience: str | None = None) -> dict[str, Any] | None:
        claims = decode_jwt(token, self._key)
        if claims is None:
            return None
        now = self._clock()
        exp, nbf = claims.get("exp"), claims.get("nbf", 0)
        if not isinstance(exp, (int, float)) or exp + CLOCK_SKEW_S < now:
            return None
        if isinstance(nbf, (int, float)) and nbf - CLOCK_SKEW_S > now:
            return None
        if claims.get("tid") != self.identity.tenant_id:
            return None
        if audience is not None and not same_audience(str(claims.get("aud", "")), audience):
            return None
        return claims


@dataclass(frozen=True)
class BearerCheck:
    """The outcome of checking an `Authorization` header."""

    claims: dict[str, Any] | None
    error: ArmError | None


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def check_bearer(
    tokens: TokenService, authorization: str | None, audience: str | None, authority: str
) -> BearerCheck:
    """ARM's answer to a request's credentials: claims, or the 401 to send."""
    challenge = {
        "WWW-Authenticate": (
            f'Bearer authorization_uri="{authority}/{tokens.identity.tenant_id}", '
            'error="invalid_token", error_description="The authentication failed because '
            "of missing 'Authorization' header.\""
        )
    }
    token = bearer_token(authorization)
    if token is None:
        return BearerCheck(
            None,
            ArmError(
                401,
                "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is missing.",
                headers=challenge,
            ),
        )
    claims = tokens.verify(token, audience)
    if claims is None:
        bad = {
            "WWW-Authenticate": (
                f'Bearer authorization_uri="{authority}/{tokens.identity.tenant_id}", '
                'error="invalid_token", error_description="The access token is invalid."'
            )
        }
        return BearerCheck(
            None,
            ArmError(
                401,
                "InvalidAuthenticationToken",
                "The access token is invalid, expired, or issued for another audience.",
                headers=bad,
            ),
        )
    return BearerCheck(claims, None)
