"""Shared helpers of the deployment functional tests: SDK clients and small templates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from localcloud_fixture import LocalCloudHandle

ROOT = Path(__file__).resolve().parents[3]
INFERENCE = ROOT / "infra" / "provision" / "inference.json"
INFERENCE_PARAMETERS = ROOT / "infra" / "provision" / "inference.parameters.json"
THING = "Test.Things/things"
SLOW = "Test.Slow/things"
BROKEN = "Test.Broken/things"
SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def deployments_client(handle: LocalCloudHandle, **kwargs: Any) -> Any:
    from azure.mgmt.resource.deployments import DeploymentsMgmtClient

    return DeploymentsMgmtClient(
        handle.credential(),
        handle.subscription_id,
        polling_interval=0.05,
        **handle.sdk_kwargs(),
        **kwargs,
    )


def inference_template() -> dict[str, Any]:
    return dict(json.loads(INFERENCE.read_text()))


def inference_parameters() -> dict[str, Any]:
    """The parameters file's values without nulls, and a container command that idles."""
    doc = json.loads(INFERENCE_PARAMETERS.read_text())["parameters"]
    params = {k: v for k, v in doc.items() if v.get("value") is not None}
    params["defaultCommands"] = {"value": ["sleep 600"]}
    return params


def thing(name: str, *deps: str, kind: str = THING, **props: Any) -> dict[str, Any]:
    res: dict[str, Any] = {
        "type": kind,
        "apiVersion": "2024-01-01",
        "name": name,
        "location": "eastus",
        "properties": props,
    }
    if deps:
        res["dependsOn"] = [f"[resourceId('{THING}', '{d}')]" for d in deps]
    return res


def template(*resources: dict[str, Any], outputs: dict[str, Any] | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": resources}
    if outputs:
        doc["outputs"] = outputs
    return doc


def body(tmpl: dict[str, Any], params: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"properties": {"mode": "Incremental", "template": tmpl, "parameters": params or {}}}


def group_path(handle: LocalCloudHandle, group: str) -> str:
    return f"/subscriptions/{handle.subscription_id}/resourcegroups/{group}"
