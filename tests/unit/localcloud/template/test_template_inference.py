"""End to end: the AI Toolkit inference template (a compact fixture, and the repo's compile)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tmpl_support import GROUP_ID, SUBSCRIPTION, FakeResolver, make_scope

from localcloud.template import Prepared, prepare

HERE = Path(__file__).parent
REPO_TEMPLATE = HERE.parents[3] / "infra" / "provision" / "inference.json"
TEMPLATES = [
    pytest.param(HERE / "inference_fixture.json", id="fixture"),
    pytest.param(
        REPO_TEMPLATE,
        id="repo",
        marks=pytest.mark.skipif(not REPO_TEMPLATE.exists(), reason="no compiled template"),
    ),
]
PARAMETERS = {
    "defaultCommands": {"value": ["cd /mount", "python3 ./app.py"]},
    "maximumInstanceCount": {"value": 2},
    "location": {"value": None},
    "storageAccountName": {"value": None},
}


def _id(rtype: str, *names: str) -> str:
    ns, *types = rtype.split("/")
    tail = "/".join(f"{t}/{n}" for t, n in zip(types, names, strict=True))
    return f"{GROUP_ID}/providers/{ns}/{tail}"


SA = _id("Microsoft.Storage/storageAccounts", "aistoragejs26o")
FILES = _id("Microsoft.Storage/storageAccounts/fileServices", "aistoragejs26o", "default")
SHARE = _id(
    "Microsoft.Storage/storageAccounts/fileServices/shares",
    "aistoragejs26o",
    "default",
    "aifilesharejs26o",
)
LOG = _id("Microsoft.OperationalInsights/workspaces", "ailogjs26o")
ENV = _id("Microsoft.App/managedEnvironments", "aienvjs26o")
ENV_STORAGE = _id("Microsoft.App/managedEnvironments/storages", "aienvjs26o", "aienvstoragejs26o")
APP = _id("Microsoft.App/containerApps", "aiacaappjs26o")


def _prepare(path: Path) -> Prepared:
    return prepare(json.loads(path.read_text()), PARAMETERS, make_scope())


def _resolver() -> FakeResolver:
    return FakeResolver(
        {
            SA: {"properties": {}},
            LOG: {"properties": {"customerId": "cust-1"}},
            APP: {"properties": {"configuration": {"ingress": {"fqdn": "aiacaappjs26o.local"}}}},
        },
        {"listKeys": {"keys": [{"value": "storage-key"}], "primarySharedKey": "log-key"}},
    )


@pytest.mark.parametrize("path", TEMPLATES)
def test_default_names_use_the_js26o_suffix(path: Path) -> None:
    values = {k: v["value"] for k, v in _prepare(path).parameters.items()}
    assert values["resourceSuffix"] == "js26o"
    assert values["location"] == "eastus"
    assert [
        values[k]
        for k in (
            "storageAccountName",
            "fileShareName",
            "acaEnvironmentName",
            "acaEnvironmentStorageName",
            "acaAppName",
            "acaLogAnalyticsName",
        )
    ] == [
        "aistoragejs26o",
        "aifilesharejs26o",
        "aienvjs26o",
        "aienvstoragejs26o",
        "aiacaappjs26o",
        "ailogjs26o",
    ]


@pytest.mark.parametrize("path", TEMPLATES)
def test_seven_resources_with_ids_and_dependencies(path: Path) -> None:
    plans = _prepare(path).resources
    assert [(p.resource_id, set(p.depends_on)) for p in plans] == [
        (SA, set()),
        (FILES, {SA.lower()}),
        (SHARE, {FILES.lower()}),
        (LOG, set()),
        (ENV, {LOG.lower()}),
        (ENV_STORAGE, {ENV.lower(), SHARE.lower(), SA.lower()}),
        (APP, {ENV.lower(), ENV_STORAGE.lower()}),
    ]
    assert [p.index for p in plans] == list(range(7))
    assert all(p.condition and not p.existing and not p.is_deployment for p in plans)


@pytest.mark.parametrize("path", TEMPLATES)
def test_resource_bodies_resolve_references_and_keys(path: Path) -> None:
    plans = _prepare(path).resources
    resolver = _resolver()
    env = plans[4].evaluate(resolver)
    assert env["properties"]["appLogsConfiguration"]["logAnalyticsConfiguration"] == {
        "customerId": "cust-1",
        "sharedKey": "log-key",
    }
    assert env["properties"]["workloadProfiles"][1]["maximumCount"] == 2
    storage = plans[5].evaluate(resolver)["properties"]["azureFile"]
    assert storage == {
        "accountName": "aistoragejs26o",
        "accountKey": "storage-key",
        "shareName": "aifilesharejs26o",
        "accessMode": "ReadWrite",
    }
    app = plans[6].evaluate(resolver)
    container = app["properties"]["template"]["containers"][0]
    assert container["command"] == ["/bin/bash", "-c", "cd /mount; python3 ./app.py"]
    assert container["volumeMounts"][0]["volumeName"] == "aifilesharejs26ovolume"
    assert app["properties"]["environmentId"] == ENV
    assert app["location"] == "eastus"


@pytest.mark.parametrize("path", TEMPLATES)
def test_outputs(path: Path) -> None:
    outputs: dict[str, Any] = _prepare(path).evaluate_outputs(_resolver())
    assert {k: v["value"] for k, v in outputs.items()} == {
        "SUBSCRIPTION_ID": SUBSCRIPTION,
        "RESOURCE_GROUP_NAME": "myRg",
        "STORAGE_ACCOUNT_NAME": "aistoragejs26o",
        "FILE_SHARE_NAME": "aifilesharejs26o",
        "ACA_APP_NAME": "aiacaappjs26o",
        "ACA_APP_ENDPOINT": "aiacaappjs26o.local",
    }


@pytest.mark.parametrize("path", TEMPLATES)
def test_what_if_before_anything_exists_keeps_runtime_expressions(path: Path) -> None:
    plans = _prepare(path).resources
    env = plans[4].evaluate(FakeResolver(), lenient=True)
    config = env["properties"]["appLogsConfiguration"]["logAnalyticsConfiguration"]
    assert config["customerId"].startswith("[reference(resourceId('Microsoft.OperationalInsights")
    assert config["sharedKey"].startswith("[listKeys(")
