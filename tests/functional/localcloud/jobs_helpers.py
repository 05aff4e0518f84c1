"""Shared pieces of the job functional tests: a share, a Log Analytics workspace, an
environment that logs to it and mounts the share, jobs, and waiting on executions - all
through the official SDKs against a real localcloud."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import requests
from azure.mgmt.appcontainers import ContainerAppsAPIClient
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.storage import StorageManagementClient
from azure.storage.fileshare import ShareClient
from localcloud_fixture import LocalCloudHandle, sdk_kwargs

API = "2025-07-01"
SHARE = "jobshare"
TERMINAL = ("Succeeded", "Failed", "Stopped")
LOG_ANALYTICS_SCOPE = "https://api.loganalytics.io/.default"


def wait_for(check: Callable[[], Any], timeout: float = 60.0, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"not met within {timeout}s: {last!r}")


@dataclass(frozen=True)
class JobStack:
    lc: LocalCloudHandle
    group: str
    aca: ContainerAppsAPIClient
    env_id: str
    account: str
    key: str
    workspace: str  # the Log Analytics customerId

    def on(self, lc: LocalCloudHandle) -> JobStack:
        """The same resources, read through another localcloud process (after a restart)."""
        aca = ContainerAppsAPIClient(
            lc.credential(), lc.subscription_id, api_version=API, **sdk_kwargs(lc)
        )
        return replace(self, lc=lc, aca=aca)

    def share(self) -> ShareClient:
        return ShareClient(
            f"{self.lc.endpoint}/{self.account}",
            SHARE,
            credential=self.key,
            connection_verify=self.lc.ca_file,
        )

    def read(self, path: str) -> str:
        data: bytes = self.share().get_file_client(path).download_file().readall()
        return data.decode()

    def create_job(self, name: str, command: str, **config: Any) -> None:
        self.aca.jobs.begin_create_or_update(
            self.group, name, job_body(self.env_id, name, command, **config), polling_interval=0.05
        ).result()

    def start(self, job: str, template: Any = None) -> str:
        poller = self.aca.jobs.begin_start(self.group, job, template, polling_interval=0.05)
        name: str = poller.result().name
        return name

    def execution(self, job: str, name: str) -> Any:
        return self.aca.job_execution(self.group, job, name)

    def finished(self, job: str, name: str, timeout: float = 60.0) -> Any:
        def done() -> Any:
            found = self.execution(job, name)
            return found if found.status in TERMINAL else None

        return wait_for(done, timeout)

    def arm(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        sep = "&" if "?" in path else "?"
        return self.lc.request(method, f"{path}{sep}api-version={API}", **kwargs)

    def job_path(self, job: str) -> str:
        return (
            f"/subscriptions/{self.lc.subscription_id}/resourceGroups/{self.group}"
            f"/providers/Microsoft.App/jobs/{job}"
        )

    def query(self, kql: str) -> requests.Response:
        return requests.post(
            f"{self.lc.endpoint}/v1/workspaces/{self.workspace}/query",
            json={"query": kql},
            headers={"Authorization": f"Bearer {self.lc.token(LOG_ANALYTICS_SCOPE)}"},
            verify=self.lc.ca_file,
            timeout=30,
        )


def job_body(env_id: str, name: str, command: str, **config: Any) -> dict[str, Any]:
    return {
        "location": "eastus",
        "properties": {
            "environmentId": env_id,
            "workloadProfileName": "Consumption",
            "configuration": {
                "triggerType": "Manual",
                "replicaTimeout": 60,
                "replicaRetryLimit": 0,
                "manualTriggerConfig": {"parallelism": 1, "replicaCompletionCount": 1},
                "secrets": [{"name": "api-key", "value": "s3cret-value"}],
                **config,
            },
            "template": {
                "containers": [
                    {
                        "name": name,
                        "image": "docker.io/library/busybox:latest",
                        "command": ["/bin/sh", "-c", command],
                        "env": [
                            {"name": "GREETING", "value": "hello"},
                            {"name": "API_KEY", "secretRef": "api-key"},
                        ],
                        "resources": {"cpu": 0.5, "memory": "1Gi"},
                        "volumeMounts": [{"volumeName": "sharevolume", "mountPath": "/mount"}],
                    }
                ],
                "volumes": [
                    {"name": "sharevolume", "storageType": "AzureFile", "storageName": "jobst"}
                ],
            },
        },
    }


def build_stack(lc: LocalCloudHandle, group: str) -> JobStack:
    resources = ResourceManagementClient(lc.credential(), lc.subscription_id, **sdk_kwargs(lc))
    base = f"/subscriptions/{lc.subscription_id}/resourceGroups/{group}/providers"
    account = "st" + uuid.uuid4().hex[:16]
    storage_body = {"location": "eastus", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}
    for path, body in (
        (f"Microsoft.Storage/storageAccounts/{account}", storage_body),
        (
            f"Microsoft.Storage/storageAccounts/{account}/fileServices/default/shares/{SHARE}",
            {"properties": {"shareQuota": 1024}},
        ),
        ("Microsoft.OperationalInsights/workspaces/joblogs", {"location": "eastus"}),
    ):
        resources.resources.begin_create_or_update_by_id(
            f"{base}/{path}", body, api_version="2023-01-01", polling_interval=0.05
        ).result()
    workspace = resources.resources.get_by_id(
        f"{base}/Microsoft.OperationalInsights/workspaces/joblogs", api_version="2022-10-01"
    ).properties["customerId"]
    shared = lc.request(
        "POST",
        f"{base}/Microsoft.OperationalInsights/workspaces/joblogs/sharedKeys?api-version=2022-10-01",
    ).json()["primarySharedKey"]
    storage = StorageManagementClient(lc.credential(), lc.subscription_id, **sdk_kwargs(lc))
    key: str = storage.storage_accounts.list_keys(group, account).keys_property[0].value
    aca = ContainerAppsAPIClient(
        lc.credential(), lc.subscription_id, api_version=API, **sdk_kwargs(lc)
    )
    env_body = {
        "location": "eastus",
        "properties": {
            "appLogsConfiguration": {
                "destination": "log-analytics",
                "logAnalyticsConfiguration": {"customerId": workspace, "sharedKey": shared},
            },
            "workloadProfiles": [{"name": "Consumption", "workloadProfileType": "Consumption"}],
        },
    }
    env = aca.managed_environments.begin_create_or_update(
        group, "jobenv", env_body, polling_interval=0.05
    ).result()
    aca.managed_environments_storages.create_or_update(
        group,
        "jobenv",
        "jobst",
        {
            "properties": {
                "azureFile": {
                    "accountName": account,
                    "accountKey": key,
                    "shareName": SHARE,
                    "accessMode": "ReadWrite",
                }
            }
        },
    )
    return JobStack(lc, group, aca, env.id, account, key, str(workspace))
