"""Whatever a client sends, localcloud answers without a 500 (random methods, paths, bodies)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from localcloud_fixture import LocalCloudHandle, start_localcloud

pytestmark = [pytest.mark.functional, pytest.mark.slow]

SEGMENTS = [
    "subscriptions",
    "resourcegroups",
    "resourceGroups",
    "providers",
    "Microsoft.Resources",
    "deployments",
    "Microsoft.Storage",
    "storageAccounts",
    "Microsoft.App",
    "containerApps",
    "managedEnvironments",
    "fileServices",
    "default",
    "shares",
    "operations",
    "operationresults",
    "operationStatuses",
    "validate",
    "whatIf",
    "cancel",
    "listKeys",
    "resources",
    "tenants",
    "metadata",
    "endpoints",
    "oauth2",
    "v2.0",
    "token",
    ".well-known",
    "openid-configuration",
    "common",
    "logstream",
    "SUB",
    "TENANT",
    "rg1",
    "x",
    "%2F",
    "..",
    "",
]
METHODS = ["GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS"]
QUERIES = ["", "?api-version=2025-04-01", "?api-version=", "?$filter=x&$top=-1", "?api-version=1&a"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["properties", "location", "template", "parameters", "mode", "x"])
            | st.text(max_size=8),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)
bodies = st.one_of(
    st.none(),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=64),
)


PREFIXES = [
    "",
    "/subscriptions/SUB",
    "/subscriptions/SUB/resourcegroups/rg1",
    "/subscriptions/SUB/resourcegroups/rg1/providers/Microsoft.Resources/deployments/d1",
    "/subscriptions/SUB/resourcegroups/rg1/providers/Microsoft.Storage/storageAccounts/st1",
    "/subscriptions/SUB/resourceGroups/rg1/providers/Microsoft.App/containerApps/app1",
    "/subscriptions/SUB/resourceGroups/rg1/providers/Microsoft.App/managedEnvironments/env1",
    "/subscriptions/SUB/resourceGroups/rg1/providers/Contoso.Test/widgets/w1",
    "/TENANT",
    "/logstream",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloudHandle]:
    handle = start_localcloud(Path(tmp_path_factory.mktemp("robust")))
    try:
        group = f"/subscriptions/{handle.subscription_id}/resourcegroups/rg1?api-version=1"
        assert handle.request("PUT", group, json={"location": "eastus"}).status_code == 201
        yield handle
    finally:
        handle.stop()


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    method=st.sampled_from(METHODS),
    prefix=st.sampled_from(PREFIXES),
    segments=st.lists(st.sampled_from(SEGMENTS) | st.text("abcXYZ-_.~%0", max_size=6), max_size=7),
    query=st.sampled_from(QUERIES),
    body=bodies,
    authorized=st.booleans(),
)
def test_no_request_yields_a_500(
    server: LocalCloudHandle,
    method: str,
    prefix: str,
    segments: list[str],
    query: str,
    body: bytes | None,
    authorized: bool,
) -> None:
    names = {"SUB": server.subscription_id, "TENANT": server.tenant_id}
    path = prefix + "/" + "/".join(segments)
    for placeholder, value in names.items():
        path = path.replace(placeholder, value)
    if path.startswith("/_localcloud"):
        path = "/x" + path
    headers = {"Content-Type": "application/json"}
    if authorized:
        headers["Authorization"] = f"Bearer {server.token()}"
    response = requests.request(
        method,
        server.endpoint + path + query,
        data=body,
        headers=headers,
        verify=server.ca_file,
        timeout=30,
    )
    assert response.status_code < 500, (method, path + query, response.text[:500])
