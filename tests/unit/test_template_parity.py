"""infra/provision/inference.json must stay the compile of infra/provision/inference.bicep.

The Bicep is read with pycep-parser and walked side by side with the ARM JSON: parameters
(types, which have defaults, default expressions), variables, resources (order, types, API
versions, names, every literal setting, dependsOn as a set), outputs. The JSON records the
SHA-256 of the Bicep it came from; with BICEP set to a Bicep CLI, a real compile is compared too.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pycep import BicepParser

from orchestrator.compile import recorded_source_sha256, source_sha256

INFRA = Path(__file__).resolve().parents[2] / "infra" / "provision"
BICEP_FILE = INFRA / "inference.bicep"
ARM = json.loads((INFRA / "inference.json").read_text())
BICEP = BicepParser().parse(text=BICEP_FILE.read_text())
RESOURCES: dict[str, Any] = BICEP["resources"]
SYMBOL_TYPES = {symbol: r["type"] for symbol, r in RESOURCES.items()}
ARM_TYPES = {"array": "array", "int": "int", "string": "string", "bool": "bool", "object": "object"}


def test_recorded_source_hash_matches_the_bicep() -> None:
    assert recorded_source_sha256(ARM) == source_sha256(BICEP_FILE), (
        "inference.bicep changed: run `bicep build infra/provision/inference.bicep` and record "
        "its SHA-256 in metadata.orchestrator.sourceSha256 of inference.json"
    )


def test_generated_marker_and_generator_metadata() -> None:
    assert ARM["metadata"]["_generator"]["name"] == "bicep"
    assert ARM["metadata"]["_generator"]["templateHash"].isdigit()
    assert "do not edit" in ARM["metadata"]["orchestrator"]["generated"]
    assert list(ARM) == [
        "$schema",
        "contentVersion",
        "metadata",
        "parameters",
        "variables",
        "resources",
        "outputs",
    ]


def test_parameters_have_the_same_types_and_defaults() -> None:
    assert list(ARM["parameters"]) == list(BICEP["parameters"])
    for name, declared in BICEP["parameters"].items():
        arm = ARM["parameters"][name]
        assert arm["type"] == ARM_TYPES[declared["type"]], name
        assert ("defaultValue" in arm) == (declared["default"] is not None), name
        if isinstance(declared["default"], str):
            assert arm["defaultValue"] == _interpolation(declared["default"]), name


def test_known_default_expressions() -> None:
    params = ARM["parameters"]
    assert params["location"]["defaultValue"] == "[resourceGroup().location]"
    assert params["resourceSuffix"]["defaultValue"] == (
        "[substring(uniqueString(resourceGroup().id), 0, 5)]"
    )


def test_variables_match() -> None:
    assert list(ARM["variables"]) == list(BICEP["variables"])
    assert ARM["variables"]["defaultCommand"] == "[join(parameters('defaultCommands'), '; ')]"


def test_resources_in_order_with_types_and_api_versions() -> None:
    pairs = [(r["type"], r["api_version"]) for r in RESOURCES.values()]
    assert [(r["type"], r["apiVersion"]) for r in ARM["resources"]] == pairs


def test_resource_names_use_the_name_parameters() -> None:
    for (symbol, resource), arm in zip(RESOURCES.items(), ARM["resources"], strict=True):
        name = resource["config"]["name"]
        wanted = f"parameters('{name}')" if name in BICEP["parameters"] else f"'{name}'"
        if "parent" in resource["config"]:
            assert arm["name"].startswith("[format('{0}/{1}"), symbol
            assert arm["name"].endswith(f", {wanted})]"), symbol
        else:
            assert arm["name"] == f"[{wanted}]", symbol


def test_resource_bodies_match_setting_by_setting() -> None:
    for (symbol, resource), arm in zip(RESOURCES.items(), ARM["resources"], strict=True):
        body = {k: v for k, v in resource["config"].items() if k not in ("name", "parent")}
        arm_body = {
            k: v for k, v in arm.items() if k not in ("type", "apiVersion", "name", "dependsOn")
        }
        _same(body, arm_body, symbol)


def test_depends_on_as_a_set() -> None:
    for (symbol, resource), arm in zip(RESOURCES.items(), ARM["resources"], strict=True):
        referenced = {SYMBOL_TYPES[s] for s in _symbols(resource["config"]) if s != symbol}
        arm_types = {
            re.match(r"\[resourceId\('([^']+)'", d).group(1) for d in arm.get("dependsOn", [])
        }  # type: ignore[union-attr]
        assert arm_types == referenced, symbol


def test_outputs_match_and_hold_no_secrets() -> None:
    assert {n: o["type"] for n, o in ARM["outputs"].items()} == {
        n: o["type"] for n, o in BICEP["outputs"].items()
    }
    values = {n: o["value"] for n, o in ARM["outputs"].items()}
    assert values["STORAGE_ACCOUNT_NAME"] == "[parameters('storageAccountName')]"
    assert values["FILE_SHARE_NAME"] == "[parameters('fileShareName')]"
    assert values["ACA_APP_NAME"] == "[parameters('acaAppName')]"
    assert values["ACA_APP_ENDPOINT"] == (
        "[reference(resourceId('Microsoft.App/containerApps', parameters('acaAppName')), "
        "'2023-11-02-preview').configuration.ingress.fqdn]"
    )
    assert not any("list" in v.lower() for v in values.values())


@pytest.mark.skipif(not os.environ.get("BICEP"), reason="set BICEP to a Bicep CLI to compile")
def test_real_compile_matches_ignoring_metadata() -> None:
    done = subprocess.run(
        [os.environ["BICEP"], "build", str(BICEP_FILE), "--stdout"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    assert _normalised(json.loads(done.stdout)) == _normalised(ARM)


def _normalised(template: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in template.items() if k != "metadata"}
    out["resources"] = [
        {**r, "dependsOn": sorted(r.get("dependsOn", []))} for r in template["resources"]
    ]
    return out


def _interpolation(text: str) -> str:
    """'aistorage${resourceSuffix}' -> "[format('aistorage{0}', parameters('resourceSuffix'))]"."""
    names = re.findall(r"\$\{(\w+)\}", text)
    if not names:
        return text
    fmt = text
    for i, name in enumerate(names):
        fmt = fmt.replace("${" + name + "}", "{" + str(i) + "}", 1)
    args = ", ".join(_reference(n) for n in names)
    return f"[format('{fmt}', {args})]"


def _reference(name: str) -> str:
    return f"variables('{name}')" if name in BICEP["variables"] else f"parameters('{name}')"


def _same(bicep: Any, arm: Any, where: str) -> None:
    if isinstance(bicep, dict) and ("operator" in bicep or "function" in bicep):
        assert isinstance(arm, str) and arm.startswith("[") and arm.endswith("]"), where
    elif isinstance(bicep, dict):
        assert isinstance(arm, dict) and list(arm) == list(bicep), where
        for key in bicep:
            _same(bicep[key], arm[key], f"{where}.{key}")
    elif isinstance(bicep, list):
        assert isinstance(arm, list) and len(arm) == len(bicep), where
        for i, (b, a) in enumerate(zip(bicep, arm, strict=True)):
            _same(b, a, f"{where}[{i}]")
    elif isinstance(bicep, str) and (bicep in BICEP["parameters"] or bicep in BICEP["variables"]):
        assert arm == f"[{_reference(bicep)}]", where
    elif isinstance(bicep, str):
        assert arm == _interpolation(bicep), where
    else:
        assert arm == bicep and type(arm) is type(bicep), where


def _symbols(node: Any) -> set[str]:
    if isinstance(node, str):
        return {node} if node in SYMBOL_TYPES else set()
    if isinstance(node, dict):
        return set().union(*(_symbols(v) for v in node.values())) if node else set()
    if isinstance(node, list):
        return set().union(*(_symbols(v) for v in node)) if node else set()
    return set()
