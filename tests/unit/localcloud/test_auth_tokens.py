"""Access tokens: signing, expiry, audiences, bearer checks."""

from __future__ import annotations

from localcloud.auth import TokenService, check_bearer, decode_jwt, encode_jwt, normalize_audience
from localcloud.cloud import Identity

IDENTITY = Identity("tenant-1", "sub-1", "client-1", "secret-1")
KEY = b"k" * 32


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _service(clock: Clock | None = None) -> TokenService:
    return TokenService(IDENTITY, KEY, "https://127.0.0.1:1", clock or Clock(1_000_000))


def test_issued_token_verifies_with_its_claims() -> None:
    service = _service()
    token = service.issue_token("client-1", "https://management.azure.com/.default", 600)
    claims = service.verify(token, "https://management.azure.com/")
    assert claims is not None
    assert claims["aud"] == "https://management.azure.com/"
    assert claims["tid"] == "tenant-1"
    assert claims["appid"] == "client-1"
    assert claims["iss"] == "https://127.0.0.1:1/tenant-1/v2.0"
    assert claims["exp"] - claims["iat"] == 600
    assert claims["oid"] == service.principal_object_id


def test_the_two_arm_audiences_are_interchangeable() -> None:
    service = _service()
    token = service.issue_token("c", "https://management.core.windows.net//.default", 600)
    assert service.verify(token, "https://management.azure.com/") is not None
    other = service.issue_token("c", "https://storage.azure.com/.default", 600)
    assert service.verify(other, "https://management.azure.com/") is None
    assert service.verify(other) is not None


def test_expired_token_is_rejected_after_the_clock_skew() -> None:
    clock = Clock(1_000_000)
    service = _service(clock)
    token = service.issue_token("c", "https://management.azure.com/", 10)
    clock.now += 10 + 30
    assert service.verify(token) is not None
    clock.now += 60
    assert service.verify(token) is None


def test_tampered_or_foreign_tokens_are_rejected() -> None:
    service = _service()
    token = service.issue_token("c", "https://management.azure.com/", 600)
    header, payload, signature = token.split(".")
    assert service.verify(f"{header}.{payload}.{signature[:-2]}AA") is None
    foreign = TokenService(IDENTITY, b"other" * 8, "https://x", Clock(1_000_000))
    assert service.verify(foreign.issue_token("c", "https://management.azure.com/", 600)) is None
    assert service.verify("not-a-jwt") is None
    assert decode_jwt(encode_jwt({"a": 1}, KEY), KEY) == {"a": 1}


def test_token_from_another_tenant_is_rejected() -> None:
    other = TokenService(Identity("tenant-2", "s", "c", "x"), KEY, "https://x", Clock(1_000_000))
    assert _service().verify(other.issue_token("c", "https://management.azure.com/", 600)) is None


def test_normalize_audience() -> None:
    assert normalize_audience("https://management.azure.com/.default") == (
        "https://management.azure.com/"
    )
    assert normalize_audience("https://management.core.windows.net//.default") == (
        "https://management.core.windows.net/"
    )
    assert normalize_audience("https://management.azure.com") == "https://management.azure.com/"


def test_bearer_check_answers_missing_and_invalid_tokens_like_arm() -> None:
    service = _service()
    missing = check_bearer(service, None, "https://management.azure.com/", "https://a")
    assert missing.error is not None
    assert missing.error.code == "AuthenticationFailed"
    assert missing.error.headers["WWW-Authenticate"].startswith(
        'Bearer authorization_uri="https://a/tenant-1"'
    )
    bad = check_bearer(service, "Bearer nope", "https://management.azure.com/", "https://a")
    assert bad.error is not None
    assert bad.error.code == "InvalidAuthenticationToken"
    token = service.issue_token("c", "https://management.azure.com/", 60)
    good = check_bearer(service, f"bearer {token}", "https://management.azure.com/", "https://a")
    assert good.error is None
    assert good.claims is not None
