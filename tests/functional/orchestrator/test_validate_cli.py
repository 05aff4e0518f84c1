"""`orchestrator validate` on bad input, as a real process: each case breaks one thing in a copy
of this repository's workspace and expects exit 2, one line naming the exact file and JSON path
(or file:line:column), and no traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]
PARAMS = "infra/provision/inference.parameters.json"
CONFIG = "infra/inference.config.json"
FINETUNING = "infra/finetuning.config.json"
GOOD_CONFIG = {
    "SUBSCRIPTION_ID": "00000000-0000-0000-0000-000000000000",
    "RESOURCE_GROUP_NAME": "myRg",
    "STORAGE_ACCOUNT_NAME": "aistoragejs26o",
    "FILE_SHARE_NAME": "aifilesharejs26o",
    "ACA_APP_NAME": "aiacaappjs26o",
    "ACA_APP_ENDPOINT": "aiacaappjs26o.happyocean-1234.eastus.azurecontainerapps.io",
}


def make_workspace(root: Path) -> Path:
    shutil.copytree(REPO / "infra", root / "infra")
    (root / "bin").mkdir()
    return root


def run_validate(
    ws: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {"HOME": str(ws), "PATH": str(ws / "bin"), "LANG": "C.UTF-8", "PYTHONUTF8": "1"}
    return subprocess.run(
        [sys.executable, "-m", "orchestrator", "validate", "-w", str(ws), *args],
        cwd=ws,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def set_entry(name: str, entry: Any) -> Callable[[Path], None]:
    def mutate(ws: Path) -> None:
        path = ws / PARAMS
        doc = json.loads(path.read_text())
        doc["parameters"][name] = entry
        path.write_text(json.dumps(doc, indent=2))

    return mutate


def set_param(name: str, value: Any) -> Callable[[Path], None]:
    return set_entry(name, {"value": value})


def del_param(name: str) -> Callable[[Path], None]:
    def mutate(ws: Path) -> None:
        path = ws / PARAMS
        doc = json.loads(path.read_text())
        del doc["parameters"][name]
        path.write_text(json.dumps(doc, indent=2))

    return mutate


def write(rel: str, content: str | bytes) -> Callable[[Path], None]:
    def mutate(ws: Path) -> None:
        path = ws / rel
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)

    return mutate


def config(**changes: Any) -> Callable[[Path], None]:
    return write(CONFIG, json.dumps({**GOOD_CONFIG, **changes}, indent=2))


def allowed_locations(ws: Path) -> None:
    template = json.loads((ws / "infra/provision/inference.json").read_text())
    template["parameters"]["location"]["allowedValues"] = ["eastus", "westus3"]
    (ws / "custom.json").write_text(json.dumps(template))
    set_param("location", "mars")(ws)


def params_dir(ws: Path) -> None:
    (ws / PARAMS).unlink()
    (ws / PARAMS).mkdir()


def nothing(ws: Path) -> None:
    return None


@dataclass(frozen=True)
class Case:
    id: str
    mutate: Callable[[Path], None]
    line: str  # the start of the expected stderr line
    args: tuple[str, ...] = ()


BAD_JSON = '{\n  "parameters": {\n    "a": {"value": 1}\n    "b": {"value": 2}\n  }\n}\n'
P = f"{PARAMS}: parameters"

CASES = [
    Case("malformed-json", write(PARAMS, BAD_JSON), f"error: {PARAMS}:4:5: Expecting ','"),
    Case("empty-file", write(PARAMS, ""), f"error: {PARAMS}:1:1: file is empty"),
    Case(
        "not-utf8",
        write(PARAMS, b'{"parameters": {"x\xff": 1}}'),
        f"error: {PARAMS}:1:19: byte 0xff",
    ),
    Case(
        "10-mb", write(PARAMS, " " * 10 * 1024 * 1024), f"error: {PARAMS}: file is 10,485,760 bytes"
    ),
    Case("directory", params_dir, f"error: {PARAMS}: is a directory"),
    Case(
        "missing-file", nothing, "error: nope.json: file not found", ("--parameters", "nope.json")
    ),
    Case("root-array", write(PARAMS, "[]"), f"{PARAMS}: $: is an array"),
    Case(
        "bad-content-version",
        write(PARAMS, '{"contentVersion": "1", "parameters": {}}'),
        f'{PARAMS}: contentVersion: "1" has the wrong form',
    ),
    Case(
        "entry-without-value",
        set_entry("maximumInstanceCount", {"v": 1}),
        f"{P}.maximumInstanceCount: needs exactly one of 'value' or 'reference'",
    ),
    Case(
        "int-as-string",
        set_param("maximumInstanceCount", "two"),
        f"{P}.maximumInstanceCount.value: is a string",
    ),
    Case(
        "int-as-bool",
        set_param("maximumInstanceCount", True),
        f"{P}.maximumInstanceCount.value: is a boolean",
    ),
    Case(
        "array-as-string",
        set_param("defaultCommands", "ls"),
        f"{P}.defaultCommands.value: is a string",
    ),
    Case(
        "command-not-string",
        set_param("defaultCommands", ["ls", 3]),
        f"{P}.defaultCommands.value[1]: is an integer",
    ),
    Case("unknown-parameter", set_param("acaAppNmae", "x"), f"{P}.acaAppNmae: unknown parameter"),
    Case("missing-required", del_param("defaultCommands"), f"{P}.defaultCommands: is missing"),
    Case(
        "required-null",
        set_param("maximumInstanceCount", None),
        f"{P}.maximumInstanceCount: is missing (or null)",
    ),
    Case(
        "allowed-values",
        allowed_locations,
        f'{P}.location.value: "mars" is not an allowed value',
        ("--template", "custom.json"),
    ),
    Case(
        "storage-upper",
        set_param("storageAccountName", "AIStorage1"),
        f"{P}.storageAccountName.value: 'AIStorage1' is not a valid storage account name",
    ),
    Case(
        "storage-long",
        set_param("storageAccountName", "a" * 25),
        f"{P}.storageAccountName.value: '{'a' * 25}' is not a valid storage account name: "
        "it is 25 characters long",
    ),
    Case(
        "storage-short",
        set_param("storageAccountName", "ab"),
        f"{P}.storageAccountName.value: 'ab' is not a valid storage account name: "
        "it is 2 characters long",
    ),
    Case(
        "share-double-hyphen",
        set_param("fileShareName", "ai--share"),
        f"{P}.fileShareName.value: 'ai--share' is not a valid file share name: it contains '--'",
    ),
    Case(
        "share-upper",
        set_param("fileShareName", "AiShare"),
        f"{P}.fileShareName.value: 'AiShare' is not a valid file share name",
    ),
    Case(
        "log-bad-chars",
        set_param("acaLogAnalyticsName", "my_log!"),
        f"{P}.acaLogAnalyticsName.value: 'my_log!' is not a valid Log Analytics workspace name",
    ),
    Case(
        "env-digit-first",
        set_param("acaEnvironmentName", "1env"),
        f"{P}.acaEnvironmentName.value: '1env' is not a valid Container Apps environment name: "
        "it starts with '1'",
    ),
    Case(
        "env-hyphen-last",
        set_param("acaEnvironmentName", "env-"),
        f"{P}.acaEnvironmentName.value: 'env-' is not a valid Container Apps environment name: "
        "it ends with '-'",
    ),
    Case(
        "env-storage-long",
        set_param("acaEnvironmentStorageName", "s" * 33),
        f"{P}.acaEnvironmentStorageName.value: '{'s' * 33}' is not a valid environment storage "
        "name: it is 33 characters long",
    ),
    Case(
        "app-double-hyphen",
        set_param("acaAppName", "my--app"),
        f"{P}.acaAppName.value: 'my--app' is not a valid container app name: it contains '--'",
    ),
    Case(
        "app-long",
        set_param("acaAppName", "a" * 33),
        f"{P}.acaAppName.value: '{'a' * 33}' is not a valid container app name: "
        "it is 33 characters long",
    ),
    Case(
        "suffix-breaks-default-names",
        set_param("resourceSuffix", "Dev"),
        f"{P}.resourceSuffix.value: makes the default storageAccountName 'aistorageDev' "
        "is not a valid storage account name",
    ),
    Case(
        "template-expression",
        set_param("location", "[resourceGroup().location]"),
        f"{P}.location.value: '[resourceGroup().location]' is a template expression",
    ),
    Case(
        "jinja-syntax",
        set_param("location", "{{ env.HOME "),
        f"{P}.location.value: template error: unexpected end of template",
    ),
    Case(
        "jinja-undefined",
        set_param("location", "{{ region }}"),
        f"{P}.location.value: template error: 'region' is undefined",
    ),
    Case(
        "jinja-code-execution",
        set_param("location", "{{ ''.__class__.__mro__[1].__subclasses__() }}"),
        f"{P}.location.value: template error: "
        "access to attribute '__class__' of 'str' object is unsafe",
    ),
    Case(
        "jinja-in-array",
        set_param("defaultCommands", ["cd /mount", "{{ cycler.__init__ }}"]),
        f"{P}.defaultCommands.value[1]: template error: access to attribute '__init__'",
    ),
    Case(
        "config-wrong-key",
        config(ACA_APP_ENDPOINTS="x.y"),
        f"{CONFIG}: ACA_APP_ENDPOINTS: unknown key; did you mean ACA_APP_ENDPOINT?",
    ),
    Case(
        "config-bad-guid",
        config(SUBSCRIPTION_ID="1234"),
        f'{CONFIG}: SUBSCRIPTION_ID: "1234" has the wrong form',
    ),
    Case(
        "config-https-endpoint",
        config(ACA_APP_ENDPOINT="https://a.b.azurecontainerapps.io"),
        f"{CONFIG}: ACA_APP_ENDPOINT: 'https://a.b.azurecontainerapps.io' starts with a scheme (https://)",
    ),
    Case(
        "config-bad-app-name",
        config(ACA_APP_NAME="App_1"),
        f"{CONFIG}: ACA_APP_NAME: 'App_1' is not a valid container app name",
    ),
    Case(
        "config-number",
        config(RESOURCE_GROUP_NAME=5),
        f"{CONFIG}: RESOURCE_GROUP_NAME: is an integer",
    ),
    Case("config-not-object", write(CONFIG, "[1]"), f"{CONFIG}: $: is an array"),
    Case(
        "config-malformed",
        write(CONFIG, '{"SUBSCRIPTION_ID": nul}'),
        f"error: {CONFIG}:1:21: Expecting value",
    ),
    Case(
        "finetuning-commands-type",
        write(FINETUNING, '{"COMMANDS": "ls"}'),
        f"{FINETUNING}: COMMANDS: is a string",
    ),
    Case(
        "finetuning-misspelt",
        write(FINETUNING, '{"COMMAND": ["ls"]}'),
        f"{FINETUNING}: COMMAND: unknown key; did you mean COMMANDS?",
    ),
    Case(
        "param-syntax", nothing, "error: --param 'oops': expected NAME=VALUE", ("--param", "oops")
    ),
    Case("param-empty-name", nothing, "error: --param '=3': expected NAME=VALUE", ("-p", "=3")),
    Case(
        "param-wrong-type",
        nothing,
        "--param: parameters.maximumInstanceCount.value: is a string",
        ("-p", 'maximumInstanceCount="2"'),
    ),
    Case(
        "param-unknown", nothing, "--param: parameters.bogus: unknown parameter", ("-p", "bogus=1")
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_line_with_file_and_path(case: Case, tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    case.mutate(ws)
    done = run_validate(ws, *case.args)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.splitlines()
    assert any(line.startswith(case.line) for line in lines), done.stderr


def test_shipped_workspace_passes(tmp_path: Path) -> None:
    done = run_validate(make_workspace(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "maximumInstanceCount = 2" in done.stdout
    assert "checked-in JSON (source hash matches)" in done.stdout
    assert done.stdout.rstrip().endswith("all checks passed")


def test_json_output_lists_final_values_and_checks(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    config(ACA_APP_ENDPOINT="localhost:45123")(ws)
    done = run_validate(ws, "--json", "-p", "maximumInstanceCount=1", "-p", "location=eastus")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["parameters"]["values"]["maximumInstanceCount"] == 1
    assert data["parameters"]["values"]["location"] == "eastus"
    assert "storageAccountName" not in data["parameters"]["values"]  # null dropped
    assert {c["status"] for c in data["checks"]} == {"passed", "skipped"}


def test_rendering_uses_env_and_config(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    config()(ws)
    set_param("acaAppName", "{{ config.ACA_APP_NAME }}x")(ws)
    set_param("location", "{{ env.MY_REGION }}")(ws)
    done = run_validate(ws, "--json", env={"MY_REGION": "westus3"})
    assert done.returncode == 0, done.stderr
    values = json.loads(done.stdout)["parameters"]["values"]
    assert (values["acaAppName"], values["location"]) == ("aiacaappjs26ox", "westus3")


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    set_param("storageAccountName", "BAD")(ws)
    set_param("maximumInstanceCount", "x")(ws)
    config(SUBSCRIPTION_ID="nope")(ws)
    write(FINETUNING, '{"COMMANDS": 1}')(ws)
    done = run_validate(ws)
    assert done.returncode == 2
    problem_lines = [
        ln for ln in done.stderr.splitlines() if not ln.startswith(("error:", "hint:"))
    ]
    assert len(problem_lines) == 4, done.stderr
    assert "error: 4 problems found" in done.stderr


@pytest.mark.skipif(find_spec("orchestrator.online") is not None, reason="online checks exist")
def test_online_without_the_online_module_is_a_clear_input_error(tmp_path: Path) -> None:
    done = run_validate(make_workspace(tmp_path), "--online")
    assert done.returncode == 2
    assert "error: online checks are unavailable" in done.stderr


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys\n"
        "from orchestrator.cli import main\n"
        "main(['--help'])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('jsonschema', 'jinja2', 'azure', 'rich', 'aiohttp'))\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**os.environ},
    )
    assert "HEAVY []" in done.stdout
