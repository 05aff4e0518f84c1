"""End to end through `localcloud serve`: the official SDKs create a share, an environment
storage and a container app whose command serves app.py from /mount; the app answers on
https://<ingress fqdn>/, restarts to a new replica, streams its console log and is deleted."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from azure.mgmt.appcontainers import ContainerAppsAPIClient
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.storage import StorageManagementClient
from azure.storage.fileshare import ShareClient
from localcloud_fixture import LocalCloudHandle, sdk_kwargs
from runtime_harness import APP_PY

pytestmark = [pytest.mark.functional, pytest.mark.slow]

API = "2024-03-01"


def wait_for(check: Callable[[], Any], timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.2)
    raise AssertionError(f"not met within {timeout}s: {last!r}")


def make_share(lc: LocalCloudHandle, group: str, account: str) -> str:
    resources = ResourceManagementClient(lc.credential(), lc.subscription_id, **sdk_kwargs(lc))
    base = f"/subscriptions/{lc.subscription_id}/resourceGroups/{group}/providers"
    body = {"location": "eastus", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}
    resources.resources.begin_create_or_update_by_id(
        f"{base}/Microsoft.Storage/storageAccounts/{account}",
        body,
        api_version="2023-01-01",
        polling_interval=0.1,
    ).result()
    resources.resources.begin_create_or_update_by_id(
        f"{base}/Microsoft.Storage/storageAccounts/{account}/fileServices/default/shares/models",
        {"properties": {"shareQuota": 1024}},
        api_version="2023-01-01",
        polling_interval=0.1,
    ).result()
    storage = StorageManagementClient(lc.credential(), lc.subscription_id, **sdk_kwargs(lc))
    key: str = storage.storage_accounts.list_keys(group, account).keys_property[0].value
    share = ShareClient(
        f"{lc.endpoint}/{account}", "models", credential=key, connection_verify=lc.ca_file
    )
    share.get_file_client("app.py").upload_file(APP_PY.encode())
    share.get_file_client("data.txt").upload_file(b"uploaded through Azure Files")
    return key


def app_body(env_id: str) -> dict[str, Any]:
    probe = {"httpGet": {"path": "/", "port": 7860}, "initialDelaySeconds": 60}
    return {
        "location": "eastus",
        "properties": {
            "managedEnvironmentId": env_id,
            "configuration": {
                "activeRevisionsMode": "Single",
                "ingress": {"external": True, "targetPort": 7860, "transport": "Auto"},
            },
            "template": {
                "revisionSuffix": "",
                "containers": [
                    {
                        "name": "inference",
                        "image": "docker.io/pytorch/pytorch:2.4.0-cuda12.4-cudnn9-runtime",
                        "command": ["/bin/bash", "-c", "cd /mount; python3 ./app.py"],
                        "resources": {"cpu": 24, "memory": "220Gi"},
                        "probes": [
                            {**probe, "type": "Liveness", "periodSeconds": 10},
                            {**probe, "type": "Readiness", "periodSeconds": 10},
                            {
                                **probe,
                                "type": "Startup",
                                "periodSeconds": 120,
                                "failureThreshold": 10,
                            },
                        ],
                        "volumeMounts": [{"volumeName": "modelsvolume", "mountPath": "/mount"}],
                    }
                ],
                "volumes": [
                    {"name": "modelsvolume", "storageType": "AzureFile", "storageName": "st1"}
                ],
                "scale": {"minReplicas": 1, "maxReplicas": 1},
            },
        },
    }


def test_an_inference_shaped_app_serves_from_its_share(
    localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    lc, group = localcloud, fresh_group
    account = "st" + uuid.uuid4().hex[:16]
    key = make_share(lc, group, account)
    aca = ContainerAppsAPIClient(
        lc.credential(), lc.subscription_id, api_version=API, **sdk_kwargs(lc)
    )
    env = aca.managed_environments.begin_create_or_update(
        group, "env1", {"location": "eastus", "properties": {}}, polling_interval=0.1
    ).result()
    aca.managed_environments_storages.create_or_update(
        group,
        "env1",
        "st1",
        {
            "properties": {
                "azureFile": {
                    "accountName": account,
                    "accountKey": key,
                    "shareName": "models",
                    "accessMode": "ReadWrite",
                }
            }
        },
    )
    app = aca.container_apps.begin_create_or_update(
        group, "app1", app_body(env.id), polling_interval=0.1
    ).result()
    fqdn = app.configuration.ingress.fqdn
    assert fqdn.startswith("localhost:")
    try:
        rev = app.latest_revision_name

        def ready_replica() -> Any:
            reps = aca.container_apps_revision_replicas.list_replicas(group, "app1", rev).value
            return reps and reps[0].containers[0].ready and reps[0]

        first = wait_for(ready_replica)
        answer = requests.get(f"https://{fqdn}/", verify=lc.ca_file, timeout=10)
        assert answer.status_code == 200
        assert answer.json()["data"] == "uploaded through Azure Files"

        aca.container_apps_revisions.restart_revision(group, "app1", rev)
        second = wait_for(lambda: (r := ready_replica()) and r.name != first.name and r)
        assert second.name != first.name

        token = aca.container_apps.get_auth_token(group, "app1").token
        logs = requests.get(
            second.containers[0].log_stream_endpoint,
            params={"tailLines": "10"},
            headers={"Authorization": f"Bearer {token}"},
            verify=lc.ca_file,
            timeout=10,
        )
        assert logs.status_code == 200 and "booting replica" in logs.text
        assert aca.container_apps.get(group, "app1").running_status == "Running"
    finally:
        aca.container_apps.begin_delete(group, "app1", polling_interval=0.1).result()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"https://{fqdn}/", verify=lc.ca_file, timeout=5)


def test_stopping_localcloud_stops_replicas_and_a_restart_reruns_them(
    private_localcloud: LocalCloudHandle,
) -> None:
    lc = private_localcloud
    group = "rg-restart"
    resources = ResourceManagementClient(lc.credential(), lc.subscription_id, **sdk_kwargs(lc))
    resources.resource_groups.create_or_update(group, {"location": "eastus"})
    aca = ContainerAppsAPIClient(
        lc.credential(), lc.subscription_id, api_version=API, **sdk_kwargs(lc)
    )
    env = aca.managed_environments.begin_create_or_update(
        group, "env1", {"location": "eastus", "properties": {}}, polling_interval=0.1
    ).result()
    serve = 'exec python3 -m http.server "$PORT" --bind 127.0.0.1'
    body = {
        "location": "eastus",
        "properties": {
            "managedEnvironmentId": env.id,
            "configuration": {"ingress": {"external": True, "targetPort": 7860}},
            "template": {
                "containers": [{"name": "web", "image": "x", "command": ["/bin/bash", "-c", serve]}]
            },
        },
    }
    app = aca.container_apps.begin_create_or_update(
        group, "web1", body, polling_interval=0.1
    ).result()
    fqdn, rev = app.configuration.ingress.fqdn, app.latest_revision_name

    def ready_pid(client: ContainerAppsAPIClient) -> int | None:
        reps = client.container_apps_revision_replicas.list_replicas(group, "web1", rev).value
        if reps and reps[0].containers[0].ready:
            return int(reps[0].containers[0].container_id.split("//")[1])
        return None

    pid = wait_for(lambda: ready_pid(aca))
    lc.stop()
    assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text()

    again = lc.restart()
    try:
        aca2 = ContainerAppsAPIClient(
            again.credential(), again.subscription_id, api_version=API, **sdk_kwargs(again)
        )
        wait_for(lambda: ready_pid(aca2))
        answer = requests.get(f"https://{fqdn}/", verify=again.ca_file, timeout=10)
        assert answer.status_code == 200
    finally:
        again.stop()
