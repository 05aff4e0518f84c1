"""The /_localcloud/ admin API: request log, fault rules, settings."""

from __future__ import annotations

import time

import pytest
from azure.core.exceptions import HttpResponseError, ServiceRequestError, ServiceResponseError
from azure.mgmt.resource.resources import ResourceManagementClient
from localcloud_fixture import LocalCloudHandle, sdk_kwargs, unique_name

pytestmark = pytest.mark.functional


def _client(handle: LocalCloudHandle, **kwargs: object) -> ResourceManagementClient:
    return ResourceManagementClient(
        handle.credential(), handle.subscription_id, **sdk_kwargs(handle), **kwargs
    )


def _logged(handle: LocalCloudHandle, fragment: str) -> list[tuple[str, int]]:
    entries = handle.admin("GET", "requests").json()
    return [(e["method"], e["status"]) for e in entries if fragment in e["path"]]


def test_admin_needs_a_token(localcloud: LocalCloudHandle) -> None:
    response = localcloud.request("GET", "/_localcloud/requests", token=None)
    assert response.status_code == 401


def test_request_log_lists_served_requests_but_not_admin_calls(
    localcloud: LocalCloudHandle,
) -> None:
    name = unique_name()
    _client(localcloud).resource_groups.check_existence(name)
    entries = localcloud.admin("GET", "requests").json()
    mine = [e for e in entries if name in e["path"]]
    assert [(e["method"], e["status"]) for e in mine] == [("HEAD", 404)]
    assert "api-version=" in mine[0]["path"]
    assert isinstance(mine[0]["time"], float)
    assert not any("/_localcloud/" in e["path"] for e in entries)


def test_clearing_the_request_log(private_localcloud: LocalCloudHandle) -> None:
    _client(private_localcloud).resource_groups.check_existence("x")
    assert private_localcloud.admin("DELETE", "requests").status_code == 204
    assert private_localcloud.admin("GET", "requests").json() == []


def test_fault_answers_three_times_then_the_request_succeeds(
    localcloud: LocalCloudHandle,
) -> None:
    name = unique_name()
    rule = {"method": "PUT", "path": f"resourcegroups/{name}\\?", "status": 503, "count": 3}
    assert localcloud.admin("POST", "faults", json=rule).status_code == 201
    client = _client(localcloud, retry_backoff_factor=0.01)
    client.resource_groups.create_or_update(name, {"location": "eastus"})
    assert _logged(localcloud, f"resourcegroups/{name}?") == [
        ("PUT", 503),
        ("PUT", 503),
        ("PUT", 503),
        ("PUT", 201),
    ]
    assert not [f for f in localcloud.admin("GET", "faults").json() if name in f["path"]]


def test_fault_with_body_and_headers_reaches_the_sdk(localcloud: LocalCloudHandle) -> None:
    name = unique_name()
    rule = {
        "path": name,
        "status": 409,
        "headers": {"x-test": "1"},
        "body": {"error": {"code": "Conflict", "message": "injected"}},
    }
    localcloud.admin("POST", "faults", json=rule)
    with pytest.raises(HttpResponseError) as info:
        _client(localcloud).resource_groups.create_or_update(name, {"location": "eastus"})
    assert info.value.status_code == 409
    assert info.value.error.code == "Conflict"
    assert info.value.response.headers["x-test"] == "1"


def test_drop_fault_closes_the_connection(localcloud: LocalCloudHandle) -> None:
    name = unique_name()
    localcloud.admin("POST", "faults", json={"path": name, "drop": True, "count": 20})
    client = _client(localcloud, retry_total=1, retry_backoff_factor=0.01)
    with pytest.raises((ServiceRequestError, ServiceResponseError)):
        client.resource_groups.get(name)
    localcloud.admin("DELETE", "faults")
    assert ("GET", 0) in _logged(localcloud, name)


def test_delay_fault_delays_then_serves_normally(localcloud: LocalCloudHandle) -> None:
    name = unique_name()
    localcloud.admin("POST", "faults", json={"path": name, "delay": 0.6})
    started = time.monotonic()
    assert _client(localcloud).resource_groups.check_existence(name) is False
    assert time.monotonic() - started >= 0.6
    assert _logged(localcloud, name) == [("HEAD", 404)]


def test_faults_apply_to_entra_requests(private_localcloud: LocalCloudHandle) -> None:
    handle = private_localcloud
    handle.admin("POST", "faults", json={"path": "/oauth2/v2.0/token", "status": 500})
    response = handle.request(
        "POST",
        f"/{handle.tenant_id}/oauth2/v2.0/token",
        token=None,
        data=b"grant_type=client_credentials",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 500


def test_faults_can_be_listed_and_cleared(localcloud: LocalCloudHandle) -> None:
    name = unique_name()
    created = localcloud.admin("POST", "faults", json={"path": name, "status": 500, "count": 2})
    assert created.json()["count"] == 2
    assert [f["path"] for f in localcloud.admin("GET", "faults").json()].count(name) == 1
    assert localcloud.admin("DELETE", "faults").status_code == 204
    assert localcloud.admin("GET", "faults").json() == []


@pytest.mark.parametrize(
    "rule",
    [
        {},
        {"path": "("},
        {"path": "x", "status": "503"},
        {"path": "x", "status": 503, "count": 0},
        {"path": "x"},
        {"path": "x", "status": 503, "colour": "red"},
        [],
    ],
)
def test_invalid_fault_is_a_clear_400(localcloud: LocalCloudHandle, rule: object) -> None:
    response = localcloud.admin("POST", "faults", json=rule)
    assert response.status_code == 400
    assert response.json()["error"]["message"]


def test_settings_merge_and_show(private_localcloud: LocalCloudHandle) -> None:
    handle = private_localcloud
    posted = handle.admin(
        "POST",
        "settings",
        json={
            "provisioning_seconds": {"Microsoft.App/containerApps": 1.5},
            "fail": {"Microsoft.Storage/storageAccounts": {"code": "Nope", "message": "m"}},
        },
    )
    assert posted.status_code == 200
    shown = handle.admin("GET", "settings").json()
    assert shown["provisioning_seconds"] == {"*": 0.2, "Microsoft.App/containerApps": 1.5}
    assert shown["fail"] == {"Microsoft.Storage/storageAccounts": {"code": "Nope", "message": "m"}}
    assert handle.admin("POST", "settings", json={"provisioning_seconds": []}).status_code == 400
    assert handle.admin("POST", "reset").status_code == 204
    assert handle.admin("GET", "settings").json()["fail"] == {}
