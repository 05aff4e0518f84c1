"""Container Apps providers over real HTTPS, through the official SDK clients: the inference
template's resources created by ID, then the app read back and its revision restarted."""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, TypeVar

import pytest
import requests
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.appcontainers import ContainerAppsAPIClient
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.storage import StorageManagementClient
from localcloud_fixture import LocalCloudHandle, sdk_kwargs, unique_name

pytestmark = pytest.mark.functional

APP_API = "2023-11-02-preview"
T = TypeVar("T")


def eventually(check: Callable[[], T | None], timeout: float = 30.0) -> T:
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.2)
    raise AssertionError(f"not met within {timeout} s (last: {last!r})")


@dataclass(frozen=True)
class Stack:
    group: str
    account: str
    env: str
    env_id: str
    app: str
    app_id: str
    apps: ContainerAppsAPIClient
    resources: ResourceManagementClient


def put(client: ResourceManagementClient, resource_id: str, body: dict[str, Any], api: str) -> Any:
    poller = client.resources.begin_create_or_update_by_id(
        resource_id, body, api_version=api, polling_interval=0.1
    )
    return poller.result()


def app_body(env_id: str, name: str, **changes: Any) -> dict[str, Any]:
    serve = f"exec {sys.executable} -m http.server $PORT --bind 127.0.0.1"
    props: dict[str, Any] = {
        "environmentId": env_id,
        "workloadProfileName": "GPU",
        "configuration": {
            "activeRevisionsMode": "Single",
            "ingress": {"external": True, "targetPort": 7860, "transport": "Auto"},
            "secrets": [{"name": "hf-token", "value": "s3cret"}],
        },
        "template": {
            "containers": [
                {
                    "name": name,
                    "image": "docker.io/pytorch/pytorch:2.4.0-cuda12.4-cudnn9-runtime",
                    "command": ["/bin/bash", "-c", serve],
                    "env": [{"name": "HF_TOKEN", "secretRef": "hf-token"}],
                    "volumeMounts": [{"volumeName": "modelsvolume", "mountPath": "/mount"}],
                }
            ],
            "scale": {"minReplicas": 1, "maxReplicas": 1},
            "volumes": [
                {"name": "modelsvolume", "storageType": "AzureFile", "storageName": "envstore"}
            ],
        },
    }
    props.update(changes)
    return {"location": "eastus", "properties": props}


def build_stack(handle: LocalCloudHandle, resources: ResourceManagementClient) -> Stack:
    sub = handle.subscription_id
    group = unique_name("rg")
    resources.resource_groups.create_or_update(group, {"location": "eastus"})
    base = f"/subscriptions/{sub}/resourceGroups/{group}/providers"
    account = "st" + uuid.uuid4().hex[:16]
    account_id = f"{base}/Microsoft.Storage/storageAccounts/{account}"
    storage_body = {"location": "eastus", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}
    put(resources, account_id, storage_body, "2023-01-01")
    put(resources, f"{account_id}/fileServices/default/shares/models", {}, "2023-01-01")
    ws_id = f"{base}/Microsoft.OperationalInsights/workspaces/logs-{group}"
    put(
        resources,
        ws_id,
        {"location": "eastus", "properties": {"sku": {"name": "PerGB2018"}}},
        "2022-10-01",
    )
    customer = resources.resources.get_by_id(ws_id, api_version="2022-10-01").properties[
        "customerId"
    ]
    # No Log Analytics SDK is installed: listKeys goes over the same wire a template's does.
    shared = handle.request("POST", ws_id + "/listKeys?api-version=2022-10-01").json()
    env = "env1"
    env_id = f"{base}/Microsoft.App/managedEnvironments/{env}"
    env_body = {
        "location": "eastus",
        "properties": {
            "appLogsConfiguration": {
                "destination": "log-analytics",
                "logAnalyticsConfiguration": {
                    "customerId": customer,
                    "sharedKey": shared["primarySharedKey"],
                },
            },
            "workloadProfiles": [
                {"name": "Consumption", "workloadProfileType": "Consumption"},
                {
                    "name": "GPU",
                    "workloadProfileType": "NC24-A100",
                    "minimumCount": 0,
                    "maximumCount": 1,
                },
            ],
        },
    }
    put(resources, env_id, env_body, APP_API)
    storage = StorageManagementClient(handle.credential(), sub, **sdk_kwargs(handle))
    key = storage.storage_accounts.list_keys(group, account).keys_property[0].value
    azure_file = {
        "accountName": account,
        "accountKey": key,
        "shareName": "models",
        "accessMode": "ReadWrite",
    }
    put(
        resources, f"{env_id}/storages/envstore", {"properties": {"azureFile": azure_file}}, APP_API
    )
    app = "app1"
    app_id = f"{base}/Microsoft.App/containerApps/{app}"
    put(resources, app_id, app_body(env_id, app), APP_API)
    apps = ContainerAppsAPIClient(handle.credential(), sub, **sdk_kwargs(handle))
    return Stack(group, account, env, env_id, app, app_id, apps, resources)


@pytest.fixture(scope="module")
def stack(localcloud: LocalCloudHandle) -> Iterator[Stack]:
    resources = ResourceManagementClient(
        localcloud.credential(), localcloud.subscription_id, **sdk_kwargs(localcloud)
    )
    built = build_stack(localcloud, resources)
    try:
        yield built
    finally:
        if localcloud.running:
            resources.resource_groups.begin_delete(built.group, polling=False)


def ready_replica(stack: Stack, revision: str) -> Any:
    replicas = stack.apps.container_apps_revision_replicas.list_replicas(
        stack.group, stack.app, revision
    ).value
    ready = [r for r in replicas if r.containers and all(c.ready for c in r.containers)]
    return ready[0] if ready else None


def test_get_app_shows_revision_fqdn_and_endpoints(
    localcloud: LocalCloudHandle, stack: Stack
) -> None:
    app = stack.apps.container_apps.get(stack.group, stack.app)
    assert app.provisioning_state == "Succeeded"
    assert app.latest_revision_name.startswith("app1--")
    assert app.configuration.ingress.fqdn
    assert app.managed_environment_id.lower() == stack.env_id.lower()
    assert app.workload_profile_name == "GPU"
    assert app.event_stream_endpoint == (
        f"{localcloud.endpoint}/logstream/subscriptions/{localcloud.subscription_id}"
        f"/resourceGroups/{stack.group}/containerApps/app1/eventstream"
    )
    assert [s.name for s in app.configuration.secrets] == ["hf-token"]
    assert app.configuration.secrets[0].value is None


def test_app_becomes_running_with_a_ready_replica(stack: Stack) -> None:
    revision = stack.apps.container_apps.get(stack.group, stack.app).latest_revision_name
    replica = eventually(lambda: ready_replica(stack, revision))
    assert replica.running_state == "Running"
    app = stack.apps.container_apps.get(stack.group, stack.app)
    assert (app.running_status, app.latest_ready_revision_name) == ("Running", revision)


def test_list_revisions_has_the_one_active_revision(stack: Stack) -> None:
    app = stack.apps.container_apps.get(stack.group, stack.app)
    revisions = list(stack.apps.container_apps_revisions.list_revisions(stack.group, stack.app))
    assert [r.name for r in revisions] == [app.latest_revision_name]
    assert revisions[0].active is True
    one = stack.apps.container_apps_revisions.get_revision(
        stack.group, stack.app, revisions[0].name
    )
    assert one.id.lower() == f"{stack.app_id}/revisions/{revisions[0].name}".lower()


def test_restart_revision_is_synchronous_and_brings_a_new_replica(stack: Stack) -> None:
    revision = stack.apps.container_apps.get(stack.group, stack.app).latest_revision_name
    before = eventually(lambda: ready_replica(stack, revision))
    result = stack.apps.container_apps_revisions.restart_revision(stack.group, stack.app, revision)
    assert result is None
    after = eventually(
        lambda: (r := ready_replica(stack, revision)) is not None and r.name != before.name and r
    )
    assert after.name != before.name


def test_restart_of_an_unknown_revision_is_not_found(stack: Stack) -> None:
    with pytest.raises(ResourceNotFoundError):
        stack.apps.container_apps_revisions.restart_revision(stack.group, stack.app, "app1--nope")


def test_get_auth_token_returns_a_future_expiring_token(stack: Stack) -> None:
    token = stack.apps.container_apps.get_auth_token(stack.group, stack.app)
    assert token.token
    assert token.expires > datetime.now(timezone.utc)


def test_auth_token_opens_the_apps_log_stream(localcloud: LocalCloudHandle, stack: Stack) -> None:
    app = stack.apps.container_apps.get(stack.group, stack.app)
    token = stack.apps.container_apps.get_auth_token(stack.group, stack.app).token

    def stream(bearer: str) -> int:
        response = requests.get(
            app.event_stream_endpoint,
            params={"follow": "false", "tailLines": "5"},
            headers={"Authorization": f"Bearer {bearer}"},
            verify=localcloud.ca_file,
            timeout=30,
        )
        return response.status_code

    assert stream(token) == 200
    assert stream(localcloud.token()) == 401


def test_list_secrets_returns_the_write_only_values(stack: Stack) -> None:
    secrets = stack.apps.container_apps.list_secrets(stack.group, stack.app)
    assert [(s.name, s.value) for s in secrets.value] == [("hf-token", "s3cret")]


def test_environment_storage_hides_the_account_key(stack: Stack) -> None:
    storage = stack.apps.managed_environments_storages.get(stack.group, stack.env, "envstore")
    assert storage.properties.azure_file.account_name == stack.account
    assert storage.properties.azure_file.share_name == "models"
    assert storage.properties.azure_file.account_key is None
    env = stack.apps.managed_environments.get(stack.group, stack.env)
    assert env.static_ip == "127.0.0.1"
    assert env.app_logs_configuration.log_analytics_configuration.shared_key is None


def test_unknown_workload_profile_is_rejected(stack: Stack) -> None:
    app_id = stack.app_id[: -len("app1")] + "app2"
    with pytest.raises(HttpResponseError) as err:
        put(
            stack.resources,
            app_id,
            app_body(stack.env_id, "app2", workloadProfileName="H100"),
            APP_API,
        )
    assert err.value.status_code == 400
    assert err.value.error.code == "ManagedEnvironmentWorkloadProfileNotFound"
