"""A deployment as it happens: Accepted -> Running -> Succeeded, resources in dependency order
with independent ones concurrently, the operations list growing meanwhile; and secure
parameters and outputs that never carry their value."""

from __future__ import annotations

import time
from typing import Any

import pytest
from deployments_helpers import (
    SLOW,
    body,
    deployments_client,
    group_path,
    template,
    thing,
)
from localcloud_fixture import LocalCloudHandle

pytestmark = pytest.mark.functional

API = "api-version=2026-06-01"
SECONDS = 0.8


def _snapshot(handle: LocalCloudHandle, path: str) -> tuple[str, dict[str, str]]:
    state = handle.request("GET", f"{path}?{API}").json()["properties"]["provisioningState"]
    ops = handle.request("GET", f"{path}/operations?{API}").json()["value"]
    by_name = {
        op["properties"]["targetResource"]["resourceName"]: op["properties"]["provisioningState"]
        for op in ops
        if "targetResource" in op["properties"]
    }
    return state, by_name


def test_states_and_operations_show_progress_in_dependency_order(
    localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    first = thing("first", kind=SLOW)
    second = thing("second", kind=SLOW)
    second["dependsOn"] = [f"[resourceId('{SLOW}', 'first')]"]
    alone = thing("alone", kind=SLOW)
    doc = body(template(first, second, alone))
    path = f"{group_path(localcloud, fresh_group)}/providers/Microsoft.Resources/deployments/prog"
    localcloud.admin("POST", "settings", json={"provisioning_seconds": {SLOW: SECONDS}})
    try:
        put = localcloud.request("PUT", f"{path}?{API}", json=doc)
        snapshots = [_snapshot(localcloud, path)]
        while snapshots[-1][0] not in ("Succeeded", "Failed", "Canceled"):
            time.sleep(0.05)
            snapshots.append(_snapshot(localcloud, path))
    finally:
        localcloud.admin("POST", "settings", json={"provisioning_seconds": {SLOW: 0}})

    assert put.status_code == 201
    assert put.json()["properties"]["provisioningState"] == "Accepted"
    states = [s for s, _ in snapshots]
    assert "Running" in states
    assert states[-1] == "Succeeded"
    assert states.index("Running") < states.index("Succeeded")
    assert all(s == "Running" for s in states[states.index("Running") : -1])
    # Independent resources run together while the dependent one waits for its dependency.
    assert {"first": "Running", "alone": "Running"} in [ops for _, ops in snapshots]
    later = [ops for _, ops in snapshots if ops.get("second") == "Running"]
    assert later and all(ops["first"] == "Succeeded" for ops in later)
    counts = [len(ops) for _, ops in snapshots]
    assert counts == sorted(counts)
    assert snapshots[-1][1] == {"first": "Succeeded", "second": "Succeeded", "alone": "Succeeded"}


def test_secure_parameters_and_outputs_carry_no_value(
    localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    secret = "p@ss-" + fresh_group
    tmpl: dict[str, Any] = template(
        thing("holder", note="[parameters('plain')]"),
        outputs={
            "SECRET": {"type": "securestring", "value": "[parameters('secret')]"},
            "SECRET_OBJECT": {
                "type": "secureObject",
                "value": "[createObject('key', parameters('secret'))]",
            },
            "PLAIN": {"type": "string", "value": "[parameters('plain')]"},
        },
    )
    tmpl["parameters"] = {
        "secret": {"type": "securestring"},
        "plain": {"type": "string"},
    }
    params = {"secret": {"value": secret}, "plain": {"value": "visible"}}
    client = deployments_client(localcloud)
    result = client.deployments.begin_create_or_update(
        fresh_group, "secure", body(tmpl, params)
    ).result()

    outputs = result.properties.outputs
    assert outputs["secret"] == {"type": "SecureString"}
    assert outputs["secreT_OBJECT"] == {"type": "SecureObject"}
    assert outputs["plain"] == {"type": "String", "value": "visible"}
    assert result.properties.parameters["secret"] == {"type": "SecureString"}
    assert result.properties.parameters["plain"] == {"type": "String", "value": "visible"}
    path = f"{group_path(localcloud, fresh_group)}/providers/Microsoft.Resources/deployments"
    for url in (f"{path}/secure?{API}", f"{path}?{API}", f"{path}/secure/operations?{API}"):
        assert secret not in localcloud.request("GET", url).text, url
