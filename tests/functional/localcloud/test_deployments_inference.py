"""The repository's inference template, deployed once through DeploymentsMgmtClient, then read
back the way clients read Azure: every deployed resource by id (ResourceManagementClient),
the outputs, and a what-if of a changed parameter with its property delta."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from azure.mgmt.resource.resources import ResourceManagementClient
from deployments_helpers import body, deployments_client, inference_parameters, inference_template
from localcloud_fixture import LocalCloudHandle, sdk_kwargs, unique_name

pytestmark = pytest.mark.functional

TOP_LEVEL = {
    "Microsoft.Storage/storageAccounts",
    "Microsoft.OperationalInsights/workspaces",
    "Microsoft.App/managedEnvironments",
    "Microsoft.App/containerApps",
}
AZURE_SPELLING = {
    "Microsoft.App/managedEnvironments/storages": "Microsoft.App/managedenvironments/storages",
}


@dataclass(frozen=True)
class Deployed:
    group: str
    result: Any
    resources: ResourceManagementClient
    api_versions: dict[str, str]  # lower-cased type -> the template's apiVersion


@pytest.fixture(scope="module")
def deployed(localcloud: LocalCloudHandle) -> Iterator[Deployed]:
    resources = ResourceManagementClient(
        localcloud.credential(), localcloud.subscription_id, **sdk_kwargs(localcloud)
    )
    group = unique_name("inf")
    resources.resource_groups.create_or_update(group, {"location": "eastus"})
    tmpl = inference_template()
    result = (
        deployments_client(localcloud)
        .deployments.begin_create_or_update(group, "inference", body(tmpl, inference_parameters()))
        .result()
    )
    versions = {r["type"].lower(): r["apiVersion"] for r in tmpl["resources"]}
    try:
        yield Deployed(group, result, resources, versions)
    finally:
        if localcloud.running:
            resources.resource_groups.begin_delete(group, polling=False)


def _type_of(resource_id: str) -> str:
    after = resource_id.split("/providers/", 1)[1].split("/")
    return "/".join([after[0], *after[1::2]])


def test_every_deployed_resource_reads_back_by_id_with_arm_shapes(
    localcloud: LocalCloudHandle, deployed: Deployed
) -> None:
    ids = [r.id for r in deployed.result.properties.output_resources]
    assert len(ids) == 7
    for rid in ids:
        full_type = _type_of(rid)
        api = deployed.api_versions[full_type.lower()]
        doc = deployed.resources.resources.get_by_id(rid, api_version=api)
        # Azure spells some ids its own way (.../containerapps/...): compare ignoring case.
        assert doc.id.lower() == rid.lower(), rid
        assert rid.startswith(
            f"/subscriptions/{localcloud.subscription_id}/resourceGroups/{deployed.group}/providers/"
        )
        assert doc.name == rid.rsplit("/", 1)[1]
        # as Azure spells each type back (an environment storage's is lower-case:
        # Azure/azure-cli recording containerapp/test_containerapp_env_storage.yaml)
        assert doc.type == AZURE_SPELLING.get(full_type, full_type)
        assert isinstance(doc.properties, dict) and doc.properties, rid
        if full_type in TOP_LEVEL:
            # Microsoft.App answers the display name (East US), the others the name.
            assert doc.location.replace(" ", "").lower() == "eastus", rid
    by_type = {_type_of(rid): rid for rid in ids}
    listed = {
        r.id.lower() for r in deployed.resources.resources.list_by_resource_group(deployed.group)
    }
    assert {by_type[t].lower() for t in TOP_LEVEL} <= listed


def test_outputs_name_the_created_resources(deployed: Deployed) -> None:
    outputs = {k: v["value"] for k, v in deployed.result.properties.outputs.items()}
    storage = deployed.resources.resources.get_by_id(
        next(
            r.id
            for r in deployed.result.properties.output_resources
            if r.id.endswith("/storageAccounts/" + outputs["storagE_ACCOUNT_NAME"])
        ),
        api_version="2023-01-01",
    )
    assert storage.kind == "StorageV2"
    assert outputs["resourcE_GROUP_NAME"] == deployed.group
    app_id = next(
        r.id for r in deployed.result.properties.output_resources if "/containerApps/" in r.id
    )
    app = deployed.resources.resources.get_by_id(app_id, api_version="2023-11-02-preview")
    assert outputs["acA_APP_NAME"] == app.name
    assert outputs["acA_APP_ENDPOINT"] == app.properties["configuration"]["ingress"]["fqdn"]
    assert app.properties["latestRevisionName"].startswith(app.name + "--")


def test_what_if_of_a_changed_parameter_modifies_only_the_app_with_a_delta(
    localcloud: LocalCloudHandle, deployed: Deployed
) -> None:
    params = inference_parameters()
    params["defaultCommands"] = {"value": ["sleep 900"]}
    client = deployments_client(localcloud)
    result = client.deployments.begin_what_if(
        deployed.group, "inference", body(inference_template(), params)
    ).result()
    assert result.status == "Succeeded"
    changes = {_type_of(c.resource_id): c for c in result.properties.changes}
    assert len(changes) == 7
    app = changes.pop("Microsoft.App/containerApps")
    assert app.change_type == "Modify"
    assert app.before["properties"]["template"]["containers"][0]["command"][2] == "sleep 600"
    assert app.after["properties"]["template"]["containers"][0]["command"][2] == "sleep 900"
    [containers] = app.delta
    assert (containers.path, containers.property_change_type) == (
        "properties.template.containers",
        "Array",
    )
    [first] = containers.children
    assert (first.path, first.property_change_type) == ("0", "Modify")
    [command] = first.children
    assert (command.path, command.property_change_type) == ("command", "Array")
    [arg] = command.children
    assert (arg.path, arg.property_change_type) == ("2", "Modify")
    assert (arg.before, arg.after) == ("sleep 600", "sleep 900")
    assert {c.change_type for c in changes.values()} == {"NoChange"}


def test_what_if_of_the_instance_count_modifies_the_gpu_workload_profile(
    localcloud: LocalCloudHandle, deployed: Deployed
) -> None:
    params = inference_parameters()
    count = params["maximumInstanceCount"]["value"]
    params["maximumInstanceCount"] = {"value": count + 3}
    result = (
        deployments_client(localcloud)
        .deployments.begin_what_if(deployed.group, "inference", body(inference_template(), params))
        .result()
    )
    changes = {_type_of(c.resource_id): c for c in result.properties.changes}
    env = changes.pop("Microsoft.App/managedEnvironments")
    assert env.change_type == "Modify"
    [profiles] = env.delta
    assert (profiles.path, profiles.property_change_type) == (
        "properties.workloadProfiles",
        "Array",
    )
    [gpu] = profiles.children
    assert gpu.property_change_type == "Modify"
    [maximum] = gpu.children
    assert (maximum.path, maximum.before, maximum.after) == ("maximumCount", count, count + 3)
    assert {c.change_type for c in changes.values()} == {"NoChange"}
