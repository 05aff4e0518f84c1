"""infra/provision/inference.json must stay the compile of infra/provision/inference.bicep.

The Bicep is parsed with pycep-parser and compiled here, by the rules Azure/bicep's emitter
follows (`src/Bicep.Core/Emit/ExpressionConverter.cs` and the baselines under
`src/Bicep.Core.Samples/Files/baselines/`) for the constructs this template uses (parameter
and variable references, `${}` interpolation, `parent:`, `.name`/`.id`/`.properties`,
`listKeys()`, implicit dependencies),
into the ARM JSON that `bicep build` emits. That expected template must equal inference.json
exactly - key order included - except `metadata` (its hash cannot be reproduced offline) and
the order inside `dependsOn` (culture-sensitive in Bicep: compared as a set). A construct this
small compiler does not know fails the test rather than being skipped, and the drift tests at
the end prove that a change on either side is caught.

The fine-tuning templates - infra/provision/finetuning.bicep and those of the test workspaces
of the three template families under tests/fixtures/workspaces/ - are held to the same rule
and to the facts of the toolkit's templates (the section at the end).

With BICEP set to a Bicep CLI, a real compile is compared too.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pycep import BicepParser

from orchestrator.compile import recorded_source_sha256, source_sha256

INFRA = Path(__file__).resolve().parents[2] / "infra" / "provision"
BICEP_FILE = INFRA / "inference.bicep"
ARM_TEXT = (INFRA / "inference.json").read_text()
ARM: dict[str, Any] = json.loads(ARM_TEXT)
BICEP_TEXT = BICEP_FILE.read_text()
RG_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"

# pycep names functions in snake_case; ARM spells them in camelCase.
FUNCTIONS = {
    "resource_group": "resourceGroup",
    "subscription": "subscription",
    "substring": "substring",
    "unique_string": "uniqueString",
    "join": "join",
    "format": "format",
    "concat": "concat",
    "to_lower": "toLower",
    "empty": "empty",
}
INTERPOLATION = re.compile(r"\$\{(\w+)\}")


class Unsupported(AssertionError):
    """A Bicep construct this test's compiler does not know: extend it, do not skip."""


@dataclass(frozen=True)
class Resource:
    symbol: str
    type: str
    api_version: str
    config: Mapping[str, Any]

    @property
    def parent(self) -> str | None:
        parent = self.config.get("parent")
        return parent if isinstance(parent, str) else None


class Compiler:
    """Bicep (as pycep parses it) -> classic ARM JSON, for the constructs of our template."""

    def __init__(self, parsed: Mapping[str, Any]) -> None:
        self.params: Mapping[str, Any] = parsed["parameters"]
        self.variables: Mapping[str, Any] = parsed.get("variables", {})
        self.outputs: Mapping[str, Any] = parsed["outputs"]
        self.resources = {
            symbol: Resource(symbol, r["type"], r["api_version"], r["config"])
            for symbol, r in parsed["resources"].items()
        }
        for symbol, r in parsed["resources"].items():
            if r.get("existing") or r.get("decorators"):
                raise Unsupported(f"{symbol}: existing resources / decorators")

    # ---------------------------------------------------------------- template

    def template(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "$schema": RG_SCHEMA,
            "contentVersion": "1.0.0.0",
            "parameters": {n: self.parameter(p) for n, p in self.params.items()},
            "variables": {n: self.value(v["value"]) for n, v in self.variables.items()},
            "resources": [self.resource(r) for r in self.resources.values()],
            "outputs": {
                n: {"type": o["type"], "value": self.value(o["value"])}
                for n, o in self.outputs.items()
            },
        }
        if not self.variables:
            del out["variables"]  # bicep emits the section only when there is one
        return out

    def parameter(self, declared: Mapping[str, Any]) -> dict[str, Any]:
        if declared.get("decorators"):
            raise Unsupported("parameter decorators")
        out: dict[str, Any] = {"type": declared["type"]}
        if declared["default"] is not None:
            out["defaultValue"] = self.value(declared["default"])
        return out

    def resource(self, res: Resource) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": res.type,
            "apiVersion": res.api_version,
            "name": self.full_name(res),
        }
        for key, node in res.config.items():
            if key not in ("name", "parent", "dependsOn", "scope"):
                out[key] = self.value(node)
        depends = sorted(self.depends_on(res))
        if depends:
            out["dependsOn"] = [f"[{self.resource_id(self.resources[s])}]" for s in depends]
        return out

    # ---------------------------------------------------------------- names and ids

    def chain(self, res: Resource) -> list[Resource]:
        """The resource and its parents, outermost first."""
        parent = self.resources[res.parent] if res.parent else None
        return [*(self.chain(parent) if parent else []), res]

    def own_name(self, res: Resource) -> str:
        """The expression of the resource's own name segment (what `res.name` compiles to)."""
        return self.expr(res.config["name"])

    def full_name(self, res: Resource) -> str:
        segments = [self.own_name(r) for r in self.chain(res)]
        if len(segments) == 1:
            return str(self.value(res.config["name"]))
        fmt = "/".join(f"{{{i}}}" for i in range(len(segments)))
        return f"[format('{fmt}', {', '.join(segments)})]"

    def resource_id(self, res: Resource) -> str:
        names = ", ".join(self.own_name(r) for r in self.chain(res))
        return f"resourceId('{res.type}', {names})"

    def depends_on(self, res: Resource) -> set[str]:
        """`parent` and every other resource symbol the body references."""
        body = {k: v for k, v in res.config.items() if k not in ("name", "parent")}
        found = {s for s in symbols(body) if s in self.resources}
        found |= {res.parent} if res.parent else set()
        return found - {res.symbol}

    # ---------------------------------------------------------------- values and expressions

    def value(self, node: Any) -> Any:
        """A JSON value: literals stay literal, everything else becomes "[expression]"."""
        if isinstance(node, Mapping) and not is_expression(node):
            return {k: self.value(v) for k, v in node.items()}
        if isinstance(node, list):
            return [self.value(v) for v in node]
        if isinstance(node, str) and not self.is_reference(node) and not INTERPOLATION.search(node):
            return node
        if node is None or isinstance(node, (bool, int, float)):
            return node
        return f"[{self.expr(node)}]"

    def is_reference(self, text: str) -> bool:
        # pycep gives identifiers and string literals alike as str: a declared name wins.
        return text in self.params or text in self.variables or text in self.resources

    def expr(self, node: Any) -> str:
        if node is None:
            return "null()"
        if isinstance(node, bool):
            return "true()" if node else "false()"
        if isinstance(node, int):
            return str(node)
        if isinstance(node, str):
            return self.string_expr(node)
        if isinstance(node, Mapping) and "function" in node:
            return self.call(node["function"])
        if isinstance(node, Mapping) and "operator" in node:
            return self.operator(node["operator"])
        raise Unsupported(f"expression {node!r}")

    def string_expr(self, text: str) -> str:
        if text in self.params:
            return f"parameters('{text}')"
        if text in self.variables:
            return f"variables('{text}')"
        if text in self.resources:
            raise Unsupported(f"bare resource symbol {text}")
        names = INTERPOLATION.findall(text)
        if not names:
            return "'" + text.replace("'", "''") + "'"
        fmt = text
        for i, name in enumerate(names):
            fmt = fmt.replace("${" + name + "}", "{" + str(i) + "}", 1)
        args = ", ".join(self.string_expr(n) for n in names)
        return f"format('{fmt}', {args})"

    def call(self, function: Mapping[str, Any]) -> str:
        name = FUNCTIONS.get(function["type"])
        if name is None:
            raise Unsupported(f"function {function['type']}")
        args = [self.expr(v) for v in function["parameters"].values() if v is not None]
        return f"{name}({', '.join(args)})"

    def operator(self, op: Mapping[str, Any]) -> str:
        if op["type"] == "conditional":  # `c ? a : b` compiles to if(c, a, b)
            parts = op["operands"]
            branches = (parts["condition"], parts["true_value"], parts["false_value"])
            return f"if({', '.join(self.expr(p) for p in branches)})"
        if op["type"] != "property_accessor":
            raise Unsupported(f"operator {op['type']}")
        base, steps = accessor_chain(op)
        if isinstance(base, str) and base in self.resources:
            return self.resource_access(self.resources[base], steps)
        if is_list_call(base) and base["operator"]["operands"]["operand_1"] in self.resources:
            res = self.resources[base["operator"]["operands"]["operand_1"]]
            func = base["operator"]["operands"]["func_name"]
            return f"{func}({self.resource_id(res)}, '{res.api_version}')" + path_text(steps)
        return self.expr(base) + path_text(steps)

    def resource_access(self, res: Resource, steps: list[Any]) -> str:
        first, rest = steps[0], steps[1:]
        if first == "name" and not rest:
            return self.own_name(res)
        if first == "id" and not rest:
            return self.resource_id(res)
        if first == "properties":
            return f"reference({self.resource_id(res)}, '{res.api_version}')" + path_text(rest)
        if isinstance(first, str):
            full = f"reference({self.resource_id(res)}, '{res.api_version}', 'full')"
            return full + path_text(steps)
        raise Unsupported(f"{res.symbol} access {steps!r}")


def is_expression(node: Mapping[str, Any]) -> bool:
    return set(node) in ({"function"}, {"operator"})


def is_list_call(node: Any) -> bool:
    op = node.get("operator") if isinstance(node, Mapping) else None
    return (
        isinstance(op, Mapping)
        and op["type"] == "function_accessor"
        and str(op["operands"]["func_name"]).startswith("list")
    )


def accessor_chain(op: Mapping[str, Any]) -> tuple[Any, list[Any]]:
    """pycep nests `a.b.c` to the right: accessor(a, accessor(b, c)) -> (a, [b, c])."""
    base = op["operands"]["operand_1"]
    steps: list[Any] = []
    node = op["operands"]["operand_2"]
    while isinstance(node, Mapping) and node.get("operator", {}).get("type") == "property_accessor":
        steps.append(node["operator"]["operands"]["operand_1"])
        node = node["operator"]["operands"]["operand_2"]
    steps.append(node)
    return base, steps


def path_text(steps: list[Any]) -> str:
    out = ""
    for step in steps:
        if isinstance(step, str):
            out += f".{step}"
        elif isinstance(step, Mapping) and step.get("operator", {}).get("type") == "index_accessor":
            operands = step["operator"]["operands"]
            out += f".{operands['operand_1']}[{operands['operand_2']}]"
        else:
            raise Unsupported(f"accessor {step!r}")
    return out


def symbols(node: Any) -> Iterator[str]:
    """Every identifier-like string in a pycep subtree (references are plain strings)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, Mapping):
        for value in node.values():
            yield from symbols(value)
    elif isinstance(node, list):
        for value in node:
            yield from symbols(value)


def expected_template(bicep_text: str) -> dict[str, Any]:
    return Compiler(BicepParser().parse(text=bicep_text)).template()


def comparable(template: Mapping[str, Any]) -> str:
    """Template as JSON text, key order kept, without metadata, with dependsOn sorted."""
    out = {k: copy.deepcopy(v) for k, v in template.items() if k != "metadata"}
    for resource in out.get("resources", []):
        if "dependsOn" in resource:
            resource["dependsOn"] = sorted(resource["dependsOn"])
    return json.dumps(out, indent=1)


# ---------------------------------------------------------------- the parity checks


def test_inference_json_is_the_compile_of_inference_bicep() -> None:
    assert comparable(ARM) == comparable(expected_template(BICEP_TEXT))


def test_recorded_source_hash_matches_the_bicep() -> None:
    assert recorded_source_sha256(ARM) == source_sha256(BICEP_FILE), (
        "inference.bicep changed: run `bicep build infra/provision/inference.bicep` and record "
        "its SHA-256 in metadata.orchestrator.sourceSha256 of inference.json"
    )


def test_looks_like_bicep_build_output() -> None:
    assert list(ARM) == [
        "$schema",
        "contentVersion",
        "metadata",
        "parameters",
        "variables",
        "resources",
        "outputs",
    ]
    generator = ARM["metadata"]["_generator"]
    assert list(generator) == ["name", "version", "templateHash"]
    assert generator["name"] == "bicep"
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", generator["version"])
    assert generator["templateHash"].isdigit()
    assert "languageVersion" not in ARM and isinstance(ARM["resources"], list)
    assert json.dumps(ARM, indent=2, ensure_ascii=False) + "\n" == ARM_TEXT  # 2-space indent


def test_marked_as_generated_with_the_source_hash() -> None:
    ours = ARM["metadata"]["orchestrator"]
    assert "do not edit" in ours["generated"] and "inference.bicep" in ours["generated"]
    assert re.fullmatch(r"[0-9a-f]{64}", ours["sourceSha256"])


# ---------------------------------------------------------------- facts from the references


def test_parameters_and_defaults_are_the_toolkits() -> None:
    defaults = {n: p.get("defaultValue") for n, p in ARM["parameters"].items()}
    suffix = "parameters('resourceSuffix')"
    assert defaults == {
        "defaultCommands": None,
        "maximumInstanceCount": None,
        "location": "[resourceGroup().location]",
        "resourceSuffix": "[substring(uniqueString(resourceGroup().id), 0, 5)]",
        "storageAccountName": f"[format('aistorage{{0}}', {suffix})]",
        "fileShareName": f"[format('aifileshare{{0}}', {suffix})]",
        "acaEnvironmentName": f"[format('aienv{{0}}', {suffix})]",
        "acaEnvironmentStorageName": f"[format('aienvstorage{{0}}', {suffix})]",
        "acaAppName": f"[format('aiacaapp{{0}}', {suffix})]",
        "acaLogAnalyticsName": f"[format('ailog{{0}}', {suffix})]",
    }
    assert ARM["parameters"]["defaultCommands"]["type"] == "array"
    assert ARM["parameters"]["maximumInstanceCount"]["type"] == "int"


def test_resource_types_and_api_versions_are_the_toolkits() -> None:
    assert [(r["type"], r["apiVersion"]) for r in ARM["resources"]] == [
        ("Microsoft.Storage/storageAccounts", "2023-01-01"),
        ("Microsoft.Storage/storageAccounts/fileServices", "2023-01-01"),
        ("Microsoft.Storage/storageAccounts/fileServices/shares", "2023-01-01"),
        ("Microsoft.OperationalInsights/workspaces", "2022-10-01"),
        ("Microsoft.App/managedEnvironments", "2023-11-02-preview"),
        ("Microsoft.App/managedEnvironments/storages", "2023-11-02-preview"),
        ("Microsoft.App/containerApps", "2023-11-02-preview"),
    ]


def test_outputs_are_the_six_config_keys_and_hold_no_secrets() -> None:
    outputs = ARM["outputs"]
    assert list(outputs) == [
        "SUBSCRIPTION_ID",
        "RESOURCE_GROUP_NAME",
        "STORAGE_ACCOUNT_NAME",
        "FILE_SHARE_NAME",
        "ACA_APP_NAME",
        "ACA_APP_ENDPOINT",
    ]
    assert {o["type"] for o in outputs.values()} == {"string"}
    assert outputs["ACA_APP_ENDPOINT"]["value"] == (
        "[reference(resourceId('Microsoft.App/containerApps', parameters('acaAppName')), "
        "'2023-11-02-preview').configuration.ingress.fqdn]"
    )  # the bare FQDN: no scheme added
    text = json.dumps(outputs).lower()
    assert "list" not in text and "secure" not in text and "key" not in text


def test_the_app_runs_the_commands_joined_and_mounts_the_share() -> None:
    app = ARM["resources"][6]["properties"]
    container = app["template"]["containers"][0]
    assert ARM["variables"]["defaultCommand"] == "[join(parameters('defaultCommands'), '; ')]"
    assert container["command"] == ["/bin/bash", "-c", "[variables('defaultCommand')]"]
    assert container["image"] == "docker.io/pytorch/pytorch:2.4.0-cuda12.4-cudnn9-runtime"
    assert container["volumeMounts"][0]["mountPath"] == "/mount"
    assert app["configuration"]["ingress"]["targetPort"] == 7860
    assert app["workloadProfileName"] == "GPU"


def test_shipped_parameters_and_config_files_are_the_toolkits() -> None:
    params = json.loads((INFRA / "inference.parameters.json").read_text())
    assert params["$schema"] == (
        "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#"
    )
    assert params["contentVersion"] == "1.0.0.0"
    values = {n: e["value"] for n, e in params["parameters"].items()}
    assert values.pop("maximumInstanceCount") == 2
    commands = values.pop("defaultCommands")
    assert commands[0] == "cd /mount" and commands[-2:] == [
        "cd /mount/inference",
        "python3 ./gradio_chat.py",
    ]
    assert values == dict.fromkeys(
        ["location", "storageAccountName", "fileShareName", "acaEnvironmentName",
         "acaEnvironmentStorageName", "acaAppName", "acaLogAnalyticsName"]
    )  # fmt: skip
    config = json.loads((INFRA.parent / "inference.config.json").read_text())
    assert config == dict.fromkeys(
        ["SUBSCRIPTION_ID", "RESOURCE_GROUP_NAME", "STORAGE_ACCOUNT_NAME", "FILE_SHARE_NAME",
         "ACA_APP_NAME", "ACA_APP_ENDPOINT"]
    )  # fmt: skip
    assert list(config) == list(ARM["outputs"])


# ---------------------------------------------------------------- the check has teeth

BICEP_DRIFTS = {
    "api-version": (
        "Microsoft.App/containerApps@2023-11-02-preview",
        "Microsoft.App/containerApps@2024-03-01",
    ),
    "default-name-prefix": ("'aistorage${resourceSuffix}'", "'aistore${resourceSuffix}'"),
    "suffix-length": ("resourceGroup().id), 0, 5)", "resourceGroup().id), 0, 6)"),
    "join-separator": ("join(defaultCommands, '; ')", "join(defaultCommands, ' && ')"),
    "literal-setting": ("targetPort: 7860", "targetPort: 8080"),
    "property-order": (
        "      external: true\n        targetPort: 7860",
        "      targetPort: 7860\n        external: true",
    ),
    "new-dependency": ("storageName: envStorage.name", "storageName: fileShare.name"),
    "reference-path": (
        "containerApp.properties.configuration.ingress.fqdn",
        "containerApp.properties.latestRevisionFqdn",
    ),
    "secret-output": (
        "output ACA_APP_ENDPOINT string",
        "output KEY string = storageAccount.listKeys().keys[0].value\n"
        "output ACA_APP_ENDPOINT string",
    ),
    "parameter-type": ("param maximumInstanceCount int", "param maximumInstanceCount string"),
}


@pytest.mark.parametrize("drift", list(BICEP_DRIFTS))
def test_a_changed_bicep_no_longer_matches(drift: str) -> None:
    old, new = BICEP_DRIFTS[drift]
    assert old in BICEP_TEXT, drift
    assert comparable(expected_template(BICEP_TEXT.replace(old, new, 1))) != comparable(ARM)


def _drop_dependency(template: dict[str, Any]) -> None:
    template["resources"][5]["dependsOn"].pop()


def _swap_keys(template: dict[str, Any]) -> None:
    storage = template["resources"][0]
    storage["kind"] = storage.pop("kind")  # same content, kind now last


def _change_api_version(template: dict[str, Any]) -> None:
    template["resources"][3]["apiVersion"] = "2023-09-01"


def _change_default(template: dict[str, Any]) -> None:
    template["parameters"]["location"]["defaultValue"] = "eastus"


def _change_output(template: dict[str, Any]) -> None:
    template["outputs"]["ACA_APP_ENDPOINT"]["value"] = (
        "[format('https://{0}', reference(resourceId('Microsoft.App/containerApps', "
        "parameters('acaAppName')), '2023-11-02-preview').configuration.ingress.fqdn)]"
    )


JSON_DRIFTS = {
    "dropped-dependency": _drop_dependency,
    "reordered-keys": _swap_keys,
    "api-version": _change_api_version,
    "default": _change_default,
    "endpoint-with-scheme": _change_output,
}


@pytest.mark.parametrize("drift", list(JSON_DRIFTS))
def test_an_edited_json_no_longer_matches(drift: str) -> None:
    edited = copy.deepcopy(ARM)
    JSON_DRIFTS[drift](edited)
    assert comparable(edited) != comparable(expected_template(BICEP_TEXT))


def test_dependson_order_does_not_matter() -> None:
    edited = copy.deepcopy(ARM)
    for resource in edited["resources"]:
        resource.get("dependsOn", []).reverse()
    assert comparable(edited) == comparable(expected_template(BICEP_TEXT))


def test_unknown_constructs_fail_instead_of_passing() -> None:
    with pytest.raises(Unsupported):
        expected_template(BICEP_TEXT + "\noutput X string = toUpper(resourceGroup().name)\n")


# ---------------------------------------------------------------- a real Bicep CLI


@pytest.mark.skipif(not os.environ.get("BICEP"), reason="set BICEP to a Bicep CLI to compile")
def test_real_compile_matches_ignoring_metadata() -> None:
    done = subprocess.run(
        [os.environ["BICEP"], "build", str(BICEP_FILE), "--stdout"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    assert comparable(json.loads(done.stdout)) == comparable(ARM)


# ---------------------------------------------------------------- the fine-tuning templates
# The workspace's own infra/provision/finetuning.bicep and the test workspaces of the three
# template families (tests/fixtures/workspaces/) are held to the same rule.

FIXTURES = INFRA.parents[1] / "tests" / "fixtures" / "workspaces"
FAMILIES = ("legacy", "phisilica", "aion")
FINETUNING = {
    "workspace": INFRA / "finetuning.bicep",
    **{f: FIXTURES / f / "infra" / "provision" / "finetuning.bicep" for f in FAMILIES},
}
IMAGE_FAMILIES = ("phisilica", "aion")


def compiled(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(FINETUNING[name].with_suffix(".json").read_text())
    return loaded


def job_of(template: Mapping[str, Any]) -> dict[str, Any]:
    (job,) = [r for r in template["resources"] if r["type"] == "Microsoft.App/jobs"]
    return dict(job)


def env_of(template: Mapping[str, Any]) -> dict[str, Any]:
    (env,) = [r for r in template["resources"] if r["type"] == "Microsoft.App/managedEnvironments"]
    return dict(env)


@pytest.mark.parametrize("name", list(FINETUNING))
def test_finetuning_json_is_the_compile_of_its_bicep(name: str) -> None:
    expected = expected_template(FINETUNING[name].read_text())
    assert comparable(compiled(name)) == comparable(expected)


@pytest.mark.parametrize("name", list(FINETUNING))
def test_finetuning_json_records_the_source_hash(name: str) -> None:
    assert recorded_source_sha256(compiled(name)) == source_sha256(FINETUNING[name]), (
        f"{FINETUNING[name]} changed: compile it again and record its SHA-256 in "
        "metadata.orchestrator.sourceSha256 of the .json beside it"
    )


@pytest.mark.parametrize("name", list(FINETUNING))
def test_finetuning_json_looks_like_bicep_build_output(name: str) -> None:
    template, text = compiled(name), FINETUNING[name].with_suffix(".json").read_text()
    keys = ["$schema", "contentVersion", "metadata", "parameters", "variables", "resources",
            "outputs"]  # fmt: skip
    assert list(template) == [k for k in keys if k in template]
    generator = template["metadata"]["_generator"]
    assert generator["name"] == "bicep" and generator["templateHash"].isdigit()
    assert "finetuning.bicep" in template["metadata"]["orchestrator"]["generated"]
    assert json.dumps(template, indent=2, ensure_ascii=False) + "\n" == text


@pytest.mark.parametrize("name", list(FINETUNING))
def test_the_jobs_workload_profile_exists_in_the_environment(name: str) -> None:
    template = compiled(name)
    profiles = [p["name"] for p in env_of(template)["properties"]["workloadProfiles"]]
    assert job_of(template)["properties"]["workloadProfileName"] in profiles


def test_fine_tuning_and_inference_declare_the_shared_resources_alike() -> None:
    ours = compiled("workspace")
    assert ours["resources"][:6] == ARM["resources"][:6]  # storage, share, logs, env, env storage
    shared = ["location", "resourceSuffix", "storageAccountName", "fileShareName",
              "acaEnvironmentName", "acaEnvironmentStorageName", "acaLogAnalyticsName"]  # fmt: skip
    for name in shared:
        assert ours["parameters"][name] == ARM["parameters"][name], name


def test_the_workspace_job_is_the_toolkits_2024_job() -> None:
    def without_nulls(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: without_nulls(v) for k, v in node.items() if v is not None}
        return [without_nulls(v) for v in node] if isinstance(node, list) else node

    ours, toolkit = compiled("workspace"), compiled("legacy")
    assert without_nulls(job_of(ours)) == without_nulls(job_of(toolkit))
    assert ours["outputs"] == toolkit["outputs"]
    container = job_of(ours)["properties"]["template"]["containers"][0]
    assert container["command"] == ["/bin/bash", "-c", "[variables('defaultCommand')]"]
    assert ours["variables"]["defaultCommand"] == "[join(parameters('defaultCommands'), '; ')]"
    assert container["volumeMounts"][0]["mountPath"] == "/mount"
    assert job_of(ours)["properties"]["configuration"]["replicaRetryLimit"] == 0


@pytest.mark.parametrize("name", IMAGE_FAMILIES)
def test_image_families_run_the_entrypoint_with_args(name: str) -> None:
    template = compiled(name)
    job = job_of(template)["properties"]
    container = job["template"]["containers"][0]
    assert container["command"] == (
        "[if(empty(parameters('jobCommand')), null(), parameters('jobCommand'))]"
    )
    assert template["parameters"]["jobCommand"] == {"type": "array", "defaultValue": []}
    assert container["image"].startswith("mcr.microsoft.com/foundrytoolkit/lora:")
    assert job["configuration"]["replicaRetryLimit"] == 3
    (gpu,) = env_of(template)["properties"]["workloadProfiles"]
    assert gpu == {"workloadProfileType": "Consumption-GPU-NC24-A100", "name": "GPU"}
    assert template["outputs"]["ARGS"]["value"] == ["mount/<run_id>/lora.yaml"]
    assert template["outputs"]["COMMANDS"]["value"] == []


@pytest.mark.parametrize("name", list(FINETUNING))
@pytest.mark.parametrize("kind", ["parameters", "localcloud.parameters"])
def test_finetuning_parameters_files_fit_their_template(name: str, kind: str) -> None:
    declared = compiled(name)["parameters"]
    path = FINETUNING[name].with_name(f"finetuning.{kind}.json")
    given = json.loads(path.read_text())["parameters"]
    assert set(given) <= set(declared), path
    required = {n for n, p in declared.items() if "defaultValue" not in p}
    assert required <= set(given), path


def test_the_workspace_parameters_keep_the_toolkits_commands_for_azure() -> None:
    values = {
        n: e["value"]
        for n, e in json.loads((INFRA / "finetuning.parameters.json").read_text())[
            "parameters"
        ].items()
    }
    toolkit = json.loads(FINETUNING["legacy"].with_name("finetuning.parameters.json").read_text())[
        "parameters"
    ]
    assert values["defaultCommands"] == toolkit["defaultCommands"]["value"]
    assert (values["maximumInstanceCount"], values["timeout"]) == (2, 10800)
    local = json.loads((INFRA / "finetuning.localcloud.parameters.json").read_text())
    commands = local["parameters"]["defaultCommands"]["value"]
    assert commands[0] == "cd /mount" and "finetuning/train.py" in commands[-1]


def test_the_workspace_config_has_the_2024_shape() -> None:
    config = json.loads((INFRA.parent / "finetuning.config.json").read_text())
    assert list(config) == list(compiled("workspace")["outputs"])
    assert config == {**dict.fromkeys(list(config)[:-1]), "COMMANDS": []}


FINETUNING_DRIFTS = {
    "args-output": ("output ARGS array = ['mount/<run_id>/lora.yaml']", "output ARGS array = []"),
    "entrypoint-kept": ("command: empty(jobCommand) ? null : jobCommand", "command: jobCommand"),
    "image": ("foundrytoolkit/lora:20260630.1", "foundrytoolkit/lora:20260630.2"),
    "retry-limit": ("replicaRetryLimit: 3", "replicaRetryLimit: 0"),
}


@pytest.mark.parametrize("drift", list(FINETUNING_DRIFTS))
def test_a_changed_finetuning_bicep_no_longer_matches(drift: str) -> None:
    old, new = FINETUNING_DRIFTS[drift]
    text = FINETUNING["phisilica"].read_text()
    assert old in text, drift
    changed = expected_template(text.replace(old, new, 1))
    assert comparable(changed) != comparable(compiled("phisilica"))


@pytest.mark.skipif(not os.environ.get("BICEP"), reason="set BICEP to a Bicep CLI to compile")
@pytest.mark.parametrize("name", list(FINETUNING))
def test_real_compile_of_finetuning_matches_ignoring_metadata(name: str) -> None:
    done = subprocess.run(
        [os.environ["BICEP"], "build", str(FINETUNING[name]), "--stdout"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    assert comparable(json.loads(done.stdout)) == comparable(compiled(name))


@pytest.mark.parametrize("kind", ["parameters", "localcloud.parameters"])
def test_shared_environment_settings_agree_between_the_two_parameter_files(kind: str) -> None:
    """Both templates declare the one environment; different values would change it back and
    forth on every provision of either."""
    inference = json.loads((INFRA / f"inference.{kind}.json").read_text())["parameters"]
    finetuning = json.loads((INFRA / f"finetuning.{kind}.json").read_text())["parameters"]
    shared = set(inference) & set(finetuning) - {"defaultCommands"}
    assert "maximumInstanceCount" in shared
    assert {n: inference[n] for n in shared} == {n: finetuning[n] for n in shared}
