"""Entra ID sign-in with azure-identity, and ARM's bearer checks."""

from __future__ import annotations

import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientSecretCredential
from azure.mgmt.resource.resources import ResourceManagementClient
from localcloud_fixture import LocalCloudHandle, sdk_kwargs

pytestmark = pytest.mark.functional


def _groups_path(handle: LocalCloudHandle) -> str:
    return f"/subscriptions/{handle.subscription_id}/resourcegroups?api-version=2025-04-01"


def test_client_secret_credential_signs_in_for_both_arm_scopes(
    localcloud: LocalCloudHandle,
) -> None:
    credential = localcloud.credential()
    for scope in (
        "https://management.azure.com/.default",
        "https://management.core.windows.net//.default",
    ):
        token = credential.get_token(scope).token
        response = localcloud.request("GET", _groups_path(localcloud), token=token)
        assert response.status_code == 200, scope


def test_wrong_secret_is_invalid_client(localcloud: LocalCloudHandle) -> None:
    credential = ClientSecretCredential(
        localcloud.tenant_id,
        localcloud.client_id,
        "not-the-secret",
        authority=localcloud.endpoint,
        connection_verify=localcloud.ca_file,
        disable_instance_discovery=True,
    )
    with pytest.raises(ClientAuthenticationError) as info:
        credential.get_token("https://management.azure.com/.default")
    assert "AADSTS7000215" in str(info.value)
    raw = localcloud.request(
        "POST",
        f"/{localcloud.tenant_id}/oauth2/v2.0/token",
        token=None,
        data=(
            f"grant_type=client_credentials&client_id={localcloud.client_id}"
            "&client_secret=nope&scope=https://management.azure.com/.default"
        ).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert raw.status_code == 401
    body = raw.json()
    assert body["error"] == "invalid_client"
    assert body["error_codes"] == [7000215]
    assert body["error_description"].startswith("AADSTS7000215")


def test_v1_token_endpoint_takes_a_resource(localcloud: LocalCloudHandle) -> None:
    response = localcloud.request(
        "POST",
        f"/{localcloud.tenant_id}/oauth2/token",
        token=None,
        data=(
            f"grant_type=client_credentials&client_id={localcloud.client_id}"
            f"&client_secret={localcloud.client_secret}"
            "&resource=https://management.core.windows.net/"
        ).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["resource"] == "https://management.core.windows.net/"
    arm = localcloud.request("GET", _groups_path(localcloud), token=body["access_token"])
    assert arm.status_code == 200


def test_openid_discovery_documents_point_at_localcloud(localcloud: LocalCloudHandle) -> None:
    v2 = localcloud.request(
        "GET", f"/{localcloud.tenant_id}/v2.0/.well-known/openid-configuration", token=None
    ).json()
    assert v2["token_endpoint"] == f"{localcloud.endpoint}/{localcloud.tenant_id}/oauth2/v2.0/token"
    v1 = localcloud.request(
        "GET", f"/{localcloud.tenant_id}/.well-known/openid-configuration", token=None
    ).json()
    assert v1["token_endpoint"] == f"{localcloud.endpoint}/{localcloud.tenant_id}/oauth2/token"
    unknown = localcloud.request("GET", "/not-a-tenant/v2.0/.well-known/openid-configuration")
    assert unknown.status_code == 400
    assert unknown.json()["error"] == "invalid_tenant"


def test_arm_without_token_is_authentication_failed(localcloud: LocalCloudHandle) -> None:
    response = localcloud.request("GET", _groups_path(localcloud), token=None)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "AuthenticationFailed"
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith(f'Bearer authorization_uri="{localcloud.endpoint}/')


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "eyJhbGciOiJub25lIn0.e30."])
def test_arm_with_bad_token_is_invalid_authentication_token(
    localcloud: LocalCloudHandle, token: str
) -> None:
    response = localcloud.request("GET", _groups_path(localcloud), token=token)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "InvalidAuthenticationToken"


def test_token_for_another_audience_is_rejected_by_arm(localcloud: LocalCloudHandle) -> None:
    token = localcloud.token("https://storage.azure.com/.default")
    response = localcloud.request("GET", _groups_path(localcloud), token=token)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "InvalidAuthenticationToken"


def test_sdk_without_working_credential_raises_for_401(localcloud: LocalCloudHandle) -> None:
    class StaleCredential:
        def get_token(self, *scopes: str, **kwargs: object) -> object:
            from azure.core.credentials import AccessToken

            return AccessToken("stale.token.value", 4102444800)

    client = ResourceManagementClient(
        StaleCredential(), localcloud.subscription_id, **sdk_kwargs(localcloud)
    )
    with pytest.raises(ClientAuthenticationError) as info:
        client.resource_groups.get("whatever")
    assert info.value.status_code == 401


def test_missing_api_version_is_rejected_and_any_case_is_accepted(
    localcloud: LocalCloudHandle,
) -> None:
    base = f"/subscriptions/{localcloud.subscription_id}/resourcegroups"
    missing = localcloud.request("GET", base)
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "MissingApiVersionParameter"
    assert localcloud.request("GET", base + "?API-Version=1999-01-01").status_code == 200


def test_subscription_and_tenant_listings_for_az_login(localcloud: LocalCloudHandle) -> None:
    subs = localcloud.request("GET", "/subscriptions?api-version=2022-12-01").json()["value"]
    assert [s["subscriptionId"] for s in subs] == [localcloud.subscription_id]
    assert subs[0]["tenantId"] == localcloud.tenant_id
    one = localcloud.request(
        "GET", f"/subscriptions/{localcloud.subscription_id}?api-version=2022-12-01"
    ).json()
    assert one["state"] == "Enabled"
    tenants = localcloud.request("GET", "/tenants?api-version=2022-12-01").json()["value"]
    assert [t["tenantId"] for t in tenants] == [localcloud.tenant_id]


def test_cloud_metadata_points_at_localcloud(localcloud: LocalCloudHandle) -> None:
    """2022-09-01 (`az cloud register`) is one cloud object; 2019-05-01
    (`ARM_CLOUD_METADATA_URL`, the Go SDKs) is an array of clouds, as on management.azure.com."""
    cloud = localcloud.request(
        "GET", "/metadata/endpoints?api-version=2022-09-01", token=None
    ).json()
    assert cloud["resourceManager"] == localcloud.endpoint + "/"
    assert cloud["authentication"]["loginEndpoint"] == localcloud.endpoint
    assert cloud["authentication"]["audiences"][0] == "https://management.core.windows.net/"
    assert isinstance(cloud["suffixes"], dict)
    clouds = localcloud.request(
        "GET", "/metadata/endpoints?api-version=2019-05-01", token=None
    ).json()
    assert clouds == [cloud]


def test_arm_responses_carry_request_ids_and_budget_headers(localcloud: LocalCloudHandle) -> None:
    response = localcloud.request(
        "GET", _groups_path(localcloud), headers={"x-ms-correlation-request-id": "corr-1"}
    )
    assert response.headers["x-ms-correlation-request-id"] == "corr-1"
    assert response.headers["x-ms-request-id"]
    assert response.headers["x-ms-ratelimit-remaining-subscription-reads"].isdigit()
    assert response.headers["Cache-Control"] == "no-cache"
    minted = localcloud.request("GET", _groups_path(localcloud))
    assert len(minted.headers["x-ms-correlation-request-id"]) == 36
