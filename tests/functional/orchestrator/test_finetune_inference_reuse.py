"""Inference provisioned after fine-tuning runs on the fine-tuning resources: with names that
are not the templates' defaults, `orchestrator provision` takes the storage account, share,
environment (and its storage link) and Log Analytics workspace from fine-tuning, so the
app mounts the share the job writes - on each template family, whose config sits in `infra/`
(2024) or `infra/provision/` (Phi Silica, Aion), where the inference target is read from."""

from __future__ import annotations

import json
import re
import shutil
import uuid
from pathlib import Path

import pytest
from localcloud_fixture import LocalCloudHandle, sdk_kwargs, unique_name
from provision_support import run_cli

pytestmark = [pytest.mark.functional, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[3]
CONFIG = {
    "legacy": "infra/finetuning.config.json",
    "phisilica": "infra/provision/finetuning.config.json",
    "aion": "infra/provision/finetuning.config.json",
}


@pytest.mark.parametrize("family", ["legacy", "phisilica", "aion"])
def test_inference_reuses_the_fine_tuning_storage_share_and_environment(
    tmp_path: Path, lc: LocalCloudHandle, family: str
) -> None:
    workspace = shutil.copytree(REPO / "tests/fixtures/workspaces" / family, tmp_path / "ws")
    tag = uuid.uuid4().hex[:8]
    names = {
        "storageAccountName": f"ftsa{tag}",
        "fileShareName": f"ftshare-{tag}",
        "acaEnvironmentName": f"ftenv-{tag}",
        "acaEnvironmentStorageName": f"ftenvstore-{tag}",
        "acaJobName": f"ftjob-{tag}",
        "acaLogAnalyticsName": f"ftlog-{tag}",
    }
    params = [arg for name, value in names.items() for arg in ("--param", f"{name}={value}")]
    group = unique_name("reuse")
    ran = run_cli(
        workspace, lc, "finetune", "provision", "-g", group, "-l", "eastus",
        "--create-resource-group", "--reset-commands",
        "--parameters", "infra/provision/finetuning.localcloud.parameters.json", *params,
    )  # fmt: skip
    assert ran.code == 0, ran.output
    provision = workspace / "infra" / "provision"
    for name in ("inference.bicep", "inference.json", "inference.localcloud.parameters.json"):
        shutil.copy2(REPO / "infra" / "provision" / name, provision / name)
    shutil.copy2(REPO / "infra" / "inference.config.json", workspace / "infra")
    shutil.copytree(REPO / "inference", workspace / "inference")

    # no -g: the group comes from the fine-tuning config, where the family keeps it
    ran = run_cli(
        workspace, lc, "provision", "--parameters",
        "infra/provision/inference.localcloud.parameters.json",
    )  # fmt: skip
    assert ran.code == 0, ran.output
    said = re.search(
        rf"resource group: {group} \(from {re.escape(CONFIG[family])}:\d+:\d+ ", ran.stderr
    )
    assert said, ran.stderr
    for name in ("storageAccountName", "acaEnvironmentName", "acaLogAnalyticsName"):
        assert f"{name} = {names[name]}" in ran.stderr
    config = json.loads((workspace / "infra" / "inference.config.json").read_text())
    assert config["RESOURCE_GROUP_NAME"] == group
    assert config["STORAGE_ACCOUNT_NAME"] == names["storageAccountName"]
    assert config["FILE_SHARE_NAME"] == names["fileShareName"]

    from azure.mgmt.appcontainers import ContainerAppsAPIClient

    client = ContainerAppsAPIClient(lc.credential(), lc.subscription_id, **sdk_kwargs(lc))
    app = client.container_apps.get(group, config["ACA_APP_NAME"]).as_dict()
    job = client.jobs.get(group, names["acaJobName"]).as_dict()
    assert app["properties"]["environmentId"] == job["properties"]["environmentId"]
    assert job["properties"]["environmentId"].endswith(f"/{names['acaEnvironmentName']}")
    app_volumes = app["properties"]["template"]["volumes"]
    assert [v["storageName"] for v in app_volumes] == [names["acaEnvironmentStorageName"]]
    environments = list(client.managed_environments.list_by_resource_group(group))
    assert [e.name for e in environments] == [names["acaEnvironmentName"]]
