"""Hand-written fakes for the providers' collaborators (store, Files, Runtime, auth) and a
small harness that drives providers the way the generic ARM routes do. No I/O."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.base_protocol import BaseProtocol
from aiohttp.streams import StreamReader
from aiohttp.test_utils import make_mocked_request

from localcloud.arm.router import ArmRouter
from localcloud.cloud import Identity, LocalCloud, Registry, Settings
from localcloud.ids import ResourceId
from localcloud.providers.base import Provider
from localcloud.providers.registry import install

SUB = "00000000-0000-0000-0000-000000000000"
BASE_URL = "https://127.0.0.1:8443"


class FakeStore:
    def __init__(self) -> None:
        self.docs: dict[tuple[str, str], dict[str, Any]] = {}

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        doc = self.docs.get((kind, key.lower()))
        return copy.deepcopy(doc) if doc is not None else None

    def put(self, kind: str, key: str, doc: Mapping[str, Any]) -> None:
        self.docs[(kind, key.lower())] = copy.deepcopy(dict(doc))

    def delete(self, kind: str, key: str) -> bool:
        return self.docs.pop((kind, key.lower()), None) is not None

    def list(self, kind: str, prefix: str = "") -> list[dict[str, Any]]:
        return [
            copy.deepcopy(d)
            for (k, key), d in sorted(self.docs.items())
            if k == kind and key.startswith(prefix.lower())
        ]


class FakeFiles:
    def __init__(self) -> None:
        self.shares: set[tuple[str, str]] = set()
        self.deleted: list[tuple[str, str]] = []

    def share_path(self, account: str, share: str) -> Path:
        self.shares.add((account, share))
        return Path("/nonexistent/shares") / account / share

    def delete_share(self, account: str, share: str) -> None:
        self.shares.discard((account, share))
        self.deleted.append((account, share))

    def account_url(self, account: str) -> str:
        return f"{BASE_URL}/{account}"

    def share_names(self, account: str) -> list[str]:
        return sorted(s for a, s in self.shares if a.lower() == account.lower())

    def owns(self, first_segment: str) -> bool:
        return False

    async def handle(self, request: web.Request) -> web.StreamResponse:
        raise NotImplementedError


class FakeRuntime:
    """Records calls; revisions/replicas are whatever a test puts in."""

    def __init__(self) -> None:
        self.applied: list[dict[str, Any]] = []
        self.computed: dict[str, Any] = {}
        self.revision_list: dict[str, list[dict[str, Any]]] = {}
        self.replica_list: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.restarted: list[tuple[str, str]] = []
        self.removed: list[str] = []
        self.fail_with: Exception | None = None

    def apply(self, app: Mapping[str, Any]) -> dict[str, Any]:
        if self.fail_with is not None:
            raise self.fail_with
        self.applied.append(copy.deepcopy(dict(app)))
        return dict(self.computed)

    def restart(self, app_id: str, revision: str) -> None:
        self.restarted.append((app_id, revision))

    def remove(self, app_id: str) -> None:
        self.removed.append(app_id)

    def revisions(self, app_id: str) -> list[dict[str, Any]]:
        return copy.deepcopy(self.revision_list.get(app_id.lower(), []))

    def replicas(self, app_id: str, revision: str) -> list[dict[str, Any]]:
        return copy.deepcopy(self.replica_list.get((app_id.lower(), revision), []))

    def log_lines(self, app_id: str, tail: int) -> list[str]:
        return []

    async def handle_logstream(self, request: web.Request) -> web.StreamResponse:
        raise NotImplementedError

    async def startup(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


class FakeAuth:
    def __init__(self) -> None:
        self.issued: list[tuple[str, str, int]] = []

    def issue_token(self, subject: str, audience: str, lifetime_s: int) -> str:
        self.issued.append((subject, audience, lifetime_s))
        return f"token-{len(self.issued)}"


def resource_id(path: str, rg: str = "rg1") -> ResourceId:
    return ResourceId.parse(f"/subscriptions/{SUB}/resourceGroups/{rg}/providers/{path}")


STORAGE_BODY: dict[str, Any] = {
    "location": "eastus",
    "sku": {"name": "Standard_LRS"},
    "kind": "StorageV2",
    "properties": {"largeFileSharesState": "Enabled"},
}
ACCOUNT = "Microsoft.Storage/storageAccounts/aistorage1"
SHARE = ACCOUNT + "/fileServices/default/shares/aishare1"
WORKSPACE = "Microsoft.OperationalInsights/workspaces/ailog1"
ENV = "Microsoft.App/managedEnvironments/aienv1"
ENV_STORAGE = ENV + "/storages/aienvstorage1"
APP = "Microsoft.App/containerApps/aiapp1"
# The app's id as Azure spells it (the type says containerApps, the id containerapps).
APP_ID = "Microsoft.App/containerapps/aiapp1"


class Harness:
    """Calls providers as the generic resource routes would."""

    SUB = SUB
    ACCOUNT = ACCOUNT
    SHARE = SHARE
    WORKSPACE = WORKSPACE
    ENV = ENV
    ENV_STORAGE = ENV_STORAGE
    APP = APP
    APP_ID = APP_ID
    STORAGE_BODY = STORAGE_BODY

    def __init__(self, cloud: LocalCloud) -> None:
        self.cloud = cloud

    def provider(self, rid: ResourceId) -> Provider:
        return self.cloud.providers.for_type(rid.full_type)

    def put(self, path: str, body: dict[str, Any], rg: str = "rg1") -> dict[str, Any]:
        rid = resource_id(path, rg)
        return self.provider(rid).put(rid, copy.deepcopy(body), api_version="2024-03-01")

    def get(self, path: str, rg: str = "rg1") -> dict[str, Any] | None:
        rid = resource_id(path, rg)
        return self.provider(rid).get(rid)

    def delete(self, path: str, rg: str = "rg1") -> bool:
        rid = resource_id(path, rg)
        return self.provider(rid).delete(rid)

    def validate(self, path: str, body: dict[str, Any], rg: str = "rg1") -> list[Any]:
        rid = resource_id(path, rg)
        return self.provider(rid).validate(rid, body)

    def action(self, path: str, action: str, body: Any = None, rg: str = "rg1") -> Any:
        rid = resource_id(path, rg)
        return self.provider(rid).action(rid, action, body, api_version="2024-03-01")

    def id(self, path: str, rg: str = "rg1") -> str:
        return resource_id(path, rg).id

    # -- the inference template's resources, in dependency order -------------------------
    def storage(self) -> str:
        self.put(ACCOUNT, STORAGE_BODY)
        self.put(SHARE, {"properties": {"shareQuota": 1024}})
        keys = self.action(ACCOUNT, "listKeys")
        return str(keys["keys"][0]["value"])

    def environment(self) -> None:
        self.put(WORKSPACE, {"location": "eastus", "properties": {"sku": {"name": "PerGB2018"}}})
        ws = self.get(WORKSPACE)
        assert ws is not None
        shared = self.action(WORKSPACE, "listKeys")["primarySharedKey"]
        self.put(ENV, environment_body(ws["properties"]["customerId"], shared))

    def env_storage(self) -> None:
        key = self.storage()
        self.environment()
        self.put(ENV_STORAGE, env_storage_body(key))

    def app_body(self, **changes: Any) -> dict[str, Any]:
        body = app_body(self.id(ENV))
        body["properties"].update(changes)
        return body


def environment_body(customer_id: str, shared_key: str) -> dict[str, Any]:
    return {
        "location": "eastus",
        "properties": {
            "appLogsConfiguration": {
                "destination": "log-analytics",
                "logAnalyticsConfiguration": {"customerId": customer_id, "sharedKey": shared_key},
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


def env_storage_body(key: str) -> dict[str, Any]:
    return {
        "properties": {
            "azureFile": {
                "accountName": "aistorage1",
                "accountKey": key,
                "shareName": "aishare1",
                "accessMode": "ReadWrite",
            }
        }
    }


def app_body(env_id: str) -> dict[str, Any]:
    return {
        "location": "eastus",
        "properties": {
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
                        "name": "aiapp1",
                        "image": "docker.io/pytorch/pytorch:2.4.0",
                        "env": [{"name": "HF_TOKEN", "secretRef": "hf-token"}],
                        "volumeMounts": [{"volumeName": "aishare1volume", "mountPath": "/mount"}],
                    }
                ],
                "scale": {"minReplicas": 1, "maxReplicas": 1},
                "volumes": [
                    {
                        "name": "aishare1volume",
                        "storageType": "AzureFile",
                        "storageName": "aienvstorage1",
                    }
                ],
            },
        },
    }


@pytest.fixture
def cloud() -> LocalCloud:
    built = LocalCloud(
        state_dir=Path("/nonexistent/state"),
        base_url=BASE_URL,
        ca_file=Path("/nonexistent/ca.pem"),
        identity=Identity(SUB, SUB, "client", "secret"),
        store=FakeStore(),
        arm=ArmRouter(),
        settings=Settings(),
        providers=Registry(),
        files=FakeFiles(),
        runtime=FakeRuntime(),
        tokens=FakeAuth(),
    )
    install(built)
    return built


@pytest.fixture
def arm(cloud: LocalCloud) -> Harness:
    return Harness(cloud)


@pytest.fixture
def runtime(cloud: LocalCloud) -> FakeRuntime:
    assert isinstance(cloud.runtime, FakeRuntime)
    return cloud.runtime


@pytest.fixture
def files(cloud: LocalCloud) -> FakeFiles:
    assert isinstance(cloud.files, FakeFiles)
    return cloud.files


async def _route(cloud: LocalCloud, method: str, url: str, body: bytes) -> web.StreamResponse:
    path = url.split("?", 1)[0]
    found = cloud.arm.match(method, path)
    assert found is not None, f"no route for {method} {path}"
    handler, match = found
    loop = asyncio.get_running_loop()
    payload = StreamReader(BaseProtocol(loop), 2**16, loop=loop)
    payload.feed_data(body)
    payload.feed_eof()
    request = make_mocked_request(method, url, payload=payload)
    return await handler(request, match)


@pytest.fixture
def call(cloud: LocalCloud) -> Any:
    """`call(method, path, body=None) -> (status, json)`: a request through `cloud.arm`'s
    routes as the server dispatches it (no sockets); api-version is added."""

    def run(method: str, path: str, body: Any = None) -> tuple[int, Any]:
        raw = json.dumps(body).encode() if body is not None else b""
        url = path + "?api-version=2024-03-01"
        response = asyncio.run(_route(cloud, method, url, raw))
        assert isinstance(response, web.Response)
        return response.status, json.loads(response.body) if response.body else None

    return run
