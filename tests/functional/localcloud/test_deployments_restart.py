"""Deployment history survives a server restart; a deployment cut short by it ends Failed."""

from __future__ import annotations

import pytest
from deployments_helpers import SLOW, body, deployments_client, template, thing
from localcloud_fixture import LocalCloudHandle, sdk_kwargs

pytestmark = [pytest.mark.functional, pytest.mark.slow]


def test_restart_keeps_finished_deployments_and_fails_the_interrupted_one(
    private_localcloud: LocalCloudHandle,
) -> None:
    from azure.mgmt.resource.resources import ResourceManagementClient

    handle = private_localcloud
    groups = ResourceManagementClient(
        handle.credential(), handle.subscription_id, **sdk_kwargs(handle)
    )
    groups.resource_groups.create_or_update("rg-restart", {"location": "eastus"})
    client = deployments_client(handle)
    client.deployments.begin_create_or_update(
        "rg-restart", "done", body(template(thing("a")))
    ).result()
    handle.admin("POST", "settings", json={"provisioning_seconds": {SLOW: 60}}).raise_for_status()
    client.deployments.begin_create_or_update(
        "rg-restart", "cut", body(template(thing("s", kind=SLOW))), polling=False
    )

    restarted = handle.restart()
    try:
        client = deployments_client(restarted)
        done = client.deployments.get("rg-restart", "done")
        assert done.properties.provisioning_state == "Succeeded"
        assert len(list(client.deployment_operations.list("rg-restart", "done"))) == 2
        resources = ResourceManagementClient(
            restarted.credential(), restarted.subscription_id, **sdk_kwargs(restarted)
        )
        [kept] = [r.id for r in done.properties.output_resources]
        assert resources.resources.get_by_id(kept, api_version="2024-01-01").name == "a"
        assert resources.resource_groups.check_existence("rg-restart") is True
        cut = client.deployments.get("rg-restart", "cut")
        assert cut.properties.provisioning_state == "Failed"
        assert cut.properties.error.code == "DeploymentFailed"
        states = {
            op.properties.provisioning_state
            for op in client.deployment_operations.list("rg-restart", "cut")
        }
        assert "Running" not in states
    finally:
        restarted.stop()
