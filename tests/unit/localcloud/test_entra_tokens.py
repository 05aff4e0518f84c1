"""Client-credentials token requests (pure decisions)."""

from __future__ import annotations

import base64

import pytest

from localcloud.entra import EntraError, decide_token_request, is_entra_path

FORM = {
    "grant_type": "client_credentials",
    "client_id": "cid",
    "client_secret": "secret",
    "scope": "https://management.azure.com/.default",
}


def test_valid_v2_request_grants_the_scope_audience() -> None:
    grant = decide_token_request(FORM, None, "cid", "secret", v1=False)
    assert (grant.client_id, grant.audience) == ("cid", "https://management.azure.com/")


def test_v1_request_uses_resource() -> None:
    form = {k: v for k, v in FORM.items() if k != "scope"}
    form["resource"] = "https://management.core.windows.net/"
    grant = decide_token_request(form, None, "cid", "secret", v1=True)
    assert grant.audience == "https://management.core.windows.net/"


def test_basic_authentication_is_accepted() -> None:
    form = {"grant_type": "client_credentials", "scope": FORM["scope"]}
    basic = "Basic " + base64.b64encode(b"cid:secret").decode()
    assert decide_token_request(form, basic, "cid", "secret", v1=False).client_id == "cid"


@pytest.mark.parametrize(
    ("change", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_secret": ""}, 401, "invalid_client"),
        ({"client_id": "other"}, 400, "unauthorized_client"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"scope": ""}, 400, "invalid_scope"),
        ({"scope": "a b"}, 400, "invalid_scope"),
    ],
)
def test_bad_requests_get_aad_errors(change: dict[str, str], status: int, error: str) -> None:
    with pytest.raises(EntraError) as info:
        decide_token_request({**FORM, **change}, None, "cid", "secret", v1=False)
    assert (info.value.status, info.value.error) == (status, error)


def test_entra_paths_are_recognised_by_tenant_or_shape() -> None:
    assert is_entra_path(["T1", "oauth2", "v2.0", "token"], "t1")
    assert is_entra_path(["common", "discovery", "instance"], "t1")
    assert is_entra_path(["other", "v2.0", ".well-known", "openid-configuration"], "t1")
    assert not is_entra_path(["mystorage", "share", "file.txt"], "t1")
    assert not is_entra_path([], "t1")
