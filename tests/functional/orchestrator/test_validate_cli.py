"""`orchestrator validate` on bad input, as a real process: each case breaks one thing in a copy
of this repository's workspace and expects exit 2, one line naming the exact file and JSON path
(or file:line:column), and no traceback."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
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


def make_dir(rel: str) -> Callable[[Path], None]:
    def mutate(ws: Path) -> None:
        (ws / rel).unlink()
        (ws / rel).mkdir()

    return mutate


def symlink_loop(rel: str) -> Callable[[Path], None]:
    def mutate(ws: Path) -> None:
        path = ws / rel
        path.unlink()
        path.symlink_to(path.name)  # points at itself

    return mutate


def fifo(rel: str) -> Callable[[Path], None]:
    def mutate(ws: Path) -> None:
        (ws / rel).unlink()
        os.mkfifo(ws / rel)

    return mutate


def no_infra(ws: Path) -> None:
    shutil.rmtree(ws / "infra")


def nothing(ws: Path) -> None:
    return None


@dataclass(frozen=True)
class Case:
    """One bad input. The expected stderr line is `FILE: PATH: MESSAGE...` (`FILE: MESSAGE...`
    when there is no JSON path, e.g. FILE:LINE:COL of a syntax error), prefixed by `error: `
    when the problem stops everything (`fatal`). `problems` is the number of problem lines."""

    id: str
    mutate: Callable[[Path], None]
    file: str
    path: str
    message: str  # the start of what follows FILE: PATH:
    args: tuple[str, ...] = ()
    fatal: bool = False
    problems: int = 1

    @property
    def line(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return ("error: " if self.fatal else "") + f"{where}: {self.message}"

    def pattern(self, ws: Path) -> re.Pattern[str]:
        """`line`, where a problem with a JSON path in a file also names the LINE:COLUMN of
        the value (`FILE:LINE:COLUMN: PATH: MESSAGE...`)."""
        file = re.escape(self.file.replace("{ws}", str(ws)))
        if self.path and self.file != "--param":
            file += r":[0-9]+:[0-9]+"
        where = f"{file}: {re.escape(self.path)}" if self.path else file
        return re.compile(("error: " if self.fatal else "") + f"{where}: {re.escape(self.message)}")


BAD_JSON = '{\n  "parameters": {\n    "a": {"value": 1}\n    "b": {"value": 2}\n  }\n}\n'
PP = "parameters"


def pp(name: str, *rest: str) -> str:
    """`parameters.NAME[.value...]`"""
    return ".".join([PP, name, *rest])


CASES = [
    # --- the parameters file cannot be read or is not JSON (FILE:LINE:COL, no JSON path)
    Case("malformed-json", write(PARAMS, BAD_JSON), f"{PARAMS}:4:5", "", "Expecting ','"),
    Case("empty-file", write(PARAMS, ""), f"{PARAMS}:1:1", "", "file is empty"),
    Case("whitespace-only", write(PARAMS, " \n\t\n"), f"{PARAMS}:1:1", "", "file is empty"),
    Case(
        "not-utf8",
        write(PARAMS, b'{"parameters": {"x\xff": 1}}'),
        f"{PARAMS}:1:19",
        "",
        "byte 0xff is not valid UTF-8",
    ),
    Case(
        "utf16-file",
        write(PARAMS, '{"parameters": {}}'.encode("utf-16")),
        f"{PARAMS}:1:1",
        "",
        "byte 0xff is not valid UTF-8",
    ),
    Case(
        "10-mb",
        write(PARAMS, " " * 10 * 1024 * 1024),
        PARAMS,
        "",
        "file is 10,485,760 bytes (expected at most 4,194,304",
    ),
    Case("truncated", write(PARAMS, '{"parameters": {"a": '), f"{PARAMS}:1:22", "", "Expecting"),
    Case(
        "duplicate-key",
        write(PARAMS, '{"parameters": {"a": {"value": 1}, "a": {"value": 2}}}'),
        f"{PARAMS}:1:36",
        "",
        'key "a" appears twice in one object',
    ),
    Case(
        "nan-value",
        write(PARAMS, '{"parameters": {"maximumInstanceCount": {"value": NaN}}}'),
        f"{PARAMS}:1:51",
        "",
        "NaN is not a JSON value",
    ),
    Case(
        "nested-too-deeply",
        set_param("location", json.loads("[" * 99 + "]" * 99)),
        PARAMS,
        "",
        "JSON nested too deeply (expected at most 100 levels)",
    ),
    Case("directory", make_dir(PARAMS), PARAMS, "", "is a directory (expected a JSON file)"),
    Case("fifo", fifo(PARAMS), PARAMS, "", "is not a regular file"),
    Case("symlink-loop", symlink_loop(PARAMS), PARAMS, "", "cannot read (symbolic link loop)"),
    Case("missing-file", nothing, "nope.json", "", "file not found", ("--parameters", "nope.json")),
    # --- the parameters file is JSON but not an ARM deploymentParameters document
    Case("root-array", write(PARAMS, "[]"), PARAMS, "$", "is an array"),
    Case("no-parameters", write(PARAMS, '{"contentVersion": "1.0.0.0"}'), PARAMS, PP, "is missing"),
    Case(
        "bad-content-version",
        write(PARAMS, '{"contentVersion": "1", "parameters": {}}'),
        PARAMS,
        "contentVersion",
        '"1" has the wrong form',
        problems=3,  # and the two required parameters are missing
    ),
    Case(
        "unknown-top-level-key",
        write(
            PARAMS,
            json.dumps(
                {
                    "parameters": {
                        "maximumInstanceCount": {"value": 1},
                        "defaultCommands": {"value": []},
                    },
                    "parametres": {},
                }
            ),
        ),
        PARAMS,
        "parametres",
        "unknown key",
    ),
    Case(
        "entry-without-value",
        set_entry("maximumInstanceCount", {"v": 1}),
        PARAMS,
        pp("maximumInstanceCount"),
        "needs exactly one of 'value' or 'reference'",
        problems=3,  # `v` is an unknown key, and the required parameter is therefore missing
    ),
    Case(
        "bad-keyvault-reference",
        set_entry("location", {"reference": {"keyVault": {}}}),
        PARAMS,
        pp("location", "reference.keyVault.id"),
        "is missing",
        problems=2,  # and secretName
    ),
    # --- values against the compiled template
    Case(
        "int-as-string",
        set_param("maximumInstanceCount", "two"),
        PARAMS,
        pp("maximumInstanceCount", "value"),
        "is a string (an integer (template type int), a 64-bit integer)",
    ),
    Case(
        "int-as-bool",
        set_param("maximumInstanceCount", True),
        PARAMS,
        pp("maximumInstanceCount", "value"),
        "is a boolean",
    ),
    Case(
        "int-as-decimal",
        set_param("maximumInstanceCount", 1.5),
        PARAMS,
        pp("maximumInstanceCount", "value"),
        "is a number",
    ),
    Case(
        "array-as-string",
        set_param("defaultCommands", "ls"),
        PARAMS,
        pp("defaultCommands", "value"),
        "is a string",
    ),
    Case(
        "command-not-string",
        set_param("defaultCommands", ["ls", 3]),
        PARAMS,
        pp("defaultCommands", "value[1]"),
        "is an integer",
    ),
    Case(
        "string-as-object",
        set_param("location", {"name": "eastus"}),
        PARAMS,
        pp("location", "value"),
        "is an object",
    ),
    Case(
        "unknown-parameter",
        set_param("acaAppNmae", "x"),
        PARAMS,
        pp("acaAppNmae"),
        "unknown parameter",
    ),
    Case(
        "missing-required",
        del_param("defaultCommands"),
        PARAMS,
        pp("defaultCommands"),
        "is missing (or null) and the template has no default",
    ),
    Case(
        "required-null",
        set_param("maximumInstanceCount", None),
        PARAMS,
        pp("maximumInstanceCount"),
        "is missing (or null)",
    ),
    Case(
        "allowed-values",
        allowed_locations,
        PARAMS,
        pp("location", "value"),
        '"mars" is not an allowed value',
        ("--template", "custom.json"),
    ),
    Case(
        "template-expression",
        set_param("location", "[resourceGroup().location]"),
        PARAMS,
        pp("location", "value"),
        "'[resourceGroup().location]' is a template expression",
    ),
    # --- Azure naming rules, one per rule broken
    Case(
        "storage-upper",
        set_param("storageAccountName", "AIStorage1"),
        PARAMS,
        pp("storageAccountName", "value"),
        "'AIStorage1' is not a valid storage account name: it has characters that are not "
        "allowed: 'A', 'I', 'S'",
    ),
    Case(
        "storage-hyphen",
        set_param("storageAccountName", "ai-storage"),
        PARAMS,
        pp("storageAccountName", "value"),
        "'ai-storage' is not a valid storage account name: it has characters that are not "
        "allowed: '-'",
    ),
    Case(
        "storage-long",
        set_param("storageAccountName", "a" * 25),
        PARAMS,
        pp("storageAccountName", "value"),
        f"'{'a' * 25}' is not a valid storage account name: it is 25 characters long",
    ),
    Case(
        "storage-short",
        set_param("storageAccountName", "ab"),
        PARAMS,
        pp("storageAccountName", "value"),
        "'ab' is not a valid storage account name: it is 2 characters long",
    ),
    Case(
        "share-double-hyphen",
        set_param("fileShareName", "ai--share"),
        PARAMS,
        pp("fileShareName", "value"),
        "'ai--share' is not a valid file share name: it contains '--'",
    ),
    Case(
        "share-upper",
        set_param("fileShareName", "AiShare"),
        PARAMS,
        pp("fileShareName", "value"),
        "'AiShare' is not a valid file share name",
    ),
    Case(
        "share-hyphen-first",
        set_param("fileShareName", "-share"),
        PARAMS,
        pp("fileShareName", "value"),
        "'-share' is not a valid file share name: it starts with '-'",
    ),
    Case(
        "share-long",
        set_param("fileShareName", "s" * 64),
        PARAMS,
        pp("fileShareName", "value"),
        f"'{'s' * 57}'... is not a valid file share name: it is 64 characters long",
    ),
    Case(
        "log-bad-chars",
        set_param("acaLogAnalyticsName", "my_log!"),
        PARAMS,
        pp("acaLogAnalyticsName", "value"),
        "'my_log!' is not a valid Log Analytics workspace name: it has characters that are not "
        "allowed: '_', '!'",
    ),
    Case(
        "log-short",
        set_param("acaLogAnalyticsName", "log"),
        PARAMS,
        pp("acaLogAnalyticsName", "value"),
        "'log' is not a valid Log Analytics workspace name: it is 3 characters long",
    ),
    Case(
        "env-digit-first",
        set_param("acaEnvironmentName", "1env"),
        PARAMS,
        pp("acaEnvironmentName", "value"),
        "'1env' is not a valid Container Apps environment name: it starts with '1'",
    ),
    Case(
        "env-hyphen-last",
        set_param("acaEnvironmentName", "env-"),
        PARAMS,
        pp("acaEnvironmentName", "value"),
        "'env-' is not a valid Container Apps environment name: it ends with '-'",
    ),
    Case(
        "env-long",
        set_param("acaEnvironmentName", "e" * 61),
        PARAMS,
        pp("acaEnvironmentName", "value"),
        f"'{'e' * 57}'... is not a valid Container Apps environment name: it is 61 characters long",
    ),
    Case(
        "env-storage-long",
        set_param("acaEnvironmentStorageName", "s" * 33),
        PARAMS,
        pp("acaEnvironmentStorageName", "value"),
        f"'{'s' * 33}' is not a valid environment storage name: it is 33 characters long",
    ),
    Case(
        "env-storage-double-hyphen",
        set_param("acaEnvironmentStorageName", "env--storage"),
        PARAMS,
        pp("acaEnvironmentStorageName", "value"),
        "'env--storage' is not a valid environment storage name: it contains '--'",
    ),
    Case(
        "app-double-hyphen",
        set_param("acaAppName", "my--app"),
        PARAMS,
        pp("acaAppName", "value"),
        "'my--app' is not a valid container app name: it contains '--'",
    ),
    Case(
        "app-long",
        set_param("acaAppName", "a" * 33),
        PARAMS,
        pp("acaAppName", "value"),
        f"'{'a' * 33}' is not a valid container app name: it is 33 characters long",
    ),
    Case(
        "app-upper",
        set_param("acaAppName", "MyApp"),
        PARAMS,
        pp("acaAppName", "value"),
        "'MyApp' is not a valid container app name: it has characters that are not allowed: "
        "'M', 'A'",
    ),
    Case(
        "suffix-breaks-default-names",
        set_param("resourceSuffix", "Dev"),
        PARAMS,
        pp("resourceSuffix", "value"),
        "makes the default storageAccountName 'aistorageDev' is not a valid storage account name",
        problems=5,  # every default name but the Log Analytics one (upper case is allowed)
    ),
    # --- {{ }} rendering
    Case(
        "jinja-syntax",
        set_param("location", "{{ env.HOME "),
        PARAMS,
        pp("location", "value"),
        "template error: unexpected end of template",
    ),
    Case(
        "jinja-undefined",
        set_param("location", "{{ region }}"),
        PARAMS,
        pp("location", "value"),
        "template error: 'region' is undefined",
    ),
    Case(
        "jinja-code-execution",
        set_param("location", "{{ ''.__class__.__mro__[1].__subclasses__() }}"),
        PARAMS,
        pp("location", "value"),
        "template error: access to attribute '__class__' of 'str' object is unsafe",
    ),
    Case(
        "jinja-in-array",
        set_param("defaultCommands", ["cd /mount", "{{ cycler.__init__ }}"]),
        PARAMS,
        pp("defaultCommands", "value[1]"),
        "template error: access to attribute '__init__'",
    ),
    Case(
        "jinja-mutates-config",
        set_param("location", "{{ config.clear() }}"),
        PARAMS,
        pp("location", "value"),
        "template error: access to attribute 'clear' of 'dict' object is unsafe",
    ),
    Case(
        "jinja-division-by-zero",
        set_param("location", "{{ 1 / 0 }}"),
        PARAMS,
        pp("location", "value"),
        "template error: ZeroDivisionError: division by zero",
    ),
    Case(
        "jinja-memory-bomb",
        set_param("location", "{{ 'x' * 10**9 }}"),
        PARAMS,
        pp("location", "value"),
        "template error: the result of '*' would exceed 100,000 items",
    ),
    # --- infra/inference.config.json (hand-filled) and infra/finetuning.config.json
    Case(
        "config-wrong-key",
        config(ACA_APP_ENDPOINTS="x.y"),
        CONFIG,
        "ACA_APP_ENDPOINTS",
        "unknown key; did you mean ACA_APP_ENDPOINT?",
    ),
    Case(
        "config-lower-case-key",
        write(CONFIG, json.dumps({**{k: None for k in GOOD_CONFIG}, "aca_app_name": "x"})),
        CONFIG,
        "aca_app_name",
        "unknown key; did you mean ACA_APP_NAME?",
    ),
    Case(
        "config-missing-key",
        write(CONFIG, json.dumps({k: v for k, v in GOOD_CONFIG.items() if k != "FILE_SHARE_NAME"})),
        CONFIG,
        "FILE_SHARE_NAME",
        "is missing",
    ),
    Case(
        "config-bad-guid",
        config(SUBSCRIPTION_ID="1234"),
        CONFIG,
        "SUBSCRIPTION_ID",
        '"1234" has the wrong form',
    ),
    Case(
        "config-https-endpoint",
        config(ACA_APP_ENDPOINT="https://a.b.azurecontainerapps.io"),
        CONFIG,
        "ACA_APP_ENDPOINT",
        "'https://a.b.azurecontainerapps.io' starts with a scheme (https://)",
    ),
    Case(
        "config-endpoint-with-path",
        config(ACA_APP_ENDPOINT="a.b.azurecontainerapps.io/v1"),
        CONFIG,
        "ACA_APP_ENDPOINT",
        "'a.b.azurecontainerapps.io/v1' is not a host name",
    ),
    Case(
        "config-bad-app-name",
        config(ACA_APP_NAME="App_1"),
        CONFIG,
        "ACA_APP_NAME",
        "'App_1' is not a valid container app name",
    ),
    Case(
        "config-number",
        config(RESOURCE_GROUP_NAME=5),
        CONFIG,
        "RESOURCE_GROUP_NAME",
        "is an integer",
    ),
    Case("config-not-object", write(CONFIG, "[1]"), CONFIG, "$", "is an array"),
    Case(
        "config-malformed",
        write(CONFIG, '{"SUBSCRIPTION_ID": nul}'),
        f"{CONFIG}:1:21",
        "",
        "Expecting value",
    ),
    Case("config-directory", make_dir(CONFIG), CONFIG, "", "is a directory"),
    Case(
        "config-symlink-loop", symlink_loop(CONFIG), CONFIG, "", "cannot read (symbolic link loop)"
    ),
    Case(
        "finetuning-commands-type",
        write(FINETUNING, '{"COMMANDS": "ls"}'),
        FINETUNING,
        "COMMANDS",
        "is a string",
    ),
    Case(
        "finetuning-misspelt",
        write(FINETUNING, '{"COMMAND": ["ls"]}'),
        FINETUNING,
        "COMMAND",
        "unknown key; did you mean COMMANDS?",
    ),
    Case(
        "finetuning-malformed",
        write(FINETUNING, '{"COMMANDS": ["ls",]}'),
        f"{FINETUNING}:1:20",
        "",
        "Expecting value",
    ),
    # --- the template
    Case(
        "bicep-directory",
        make_dir("infra/provision/inference.bicep"),
        "infra/provision/inference.bicep",
        "",
        "is a directory",
    ),
    Case(
        "bicep-symlink-loop",
        symlink_loop("infra/provision/inference.bicep"),
        "infra/provision/inference.bicep",
        "",
        "cannot read (symbolic link loop)",
    ),
    Case(
        "template-missing",
        nothing,
        "nope.json",
        "",
        "file not found",
        ("--template", "nope.json"),
    ),
    # --- the workspace and the command line
    Case(
        "workspace-without-infra",
        no_infra,
        "{ws}",
        "",
        "not an AI Toolkit workspace (there is no infra/ folder)",
        fatal=True,
        problems=0,
    ),
    Case(
        "param-syntax",
        nothing,
        "--param 'oops'",
        "",
        "expected NAME=VALUE",
        ("--param", "oops"),
        fatal=True,
        problems=0,
    ),
    Case(
        "param-empty-name",
        nothing,
        "--param '=3'",
        "",
        "expected NAME=VALUE",
        ("-p", "=3"),
        fatal=True,
        problems=0,
    ),
    Case(
        "param-wrong-type",
        nothing,
        "--param",
        pp("maximumInstanceCount", "value"),
        "is a string",
        ("-p", 'maximumInstanceCount="2"'),
    ),
    Case("param-unknown", nothing, "--param", pp("bogus"), "unknown parameter", ("-p", "bogus=1")),
    Case(
        "param-nested-too-deeply",
        nothing,
        "--param x",
        "",
        "JSON nested too deeply",
        ("-p", "x=" + "[" * 5000 + "]" * 5000),
        fatal=True,
        problems=0,
    ),
    Case(
        "param-bad-name-value",
        nothing,
        "--param",
        pp("acaAppName", "value"),
        "'ACA' is not a valid container app name",
        ("-p", "acaAppName=ACA"),
    ),
    Case(
        "param-null-required",
        nothing,
        PARAMS,
        pp("defaultCommands"),
        "is missing (or null)",
        ("-p", "defaultCommands=null"),
    ),
]


def problem_lines(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if not ln.startswith(("error:", "hint:"))]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_line_with_file_and_path(case: Case, tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    case.mutate(ws)
    done = run_validate(ws, *case.args)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stdout == ""  # nothing claims success
    expected = case.pattern(ws)
    assert any(expected.match(line) for line in done.stderr.splitlines()), done.stderr
    assert len(problem_lines(done.stderr)) == case.problems, done.stderr
    if case.problems:
        count = case.problems
        assert f"error: {count} problem{'s' if count != 1 else ''} found" in done.stderr


def test_there_are_at_least_thirty_bad_input_cases() -> None:
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)


def _without_read_override() -> tuple[str, ...]:
    """Root reads files whatever their mode: run it without the capabilities that allow that
    (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH). Still root, so the checkout stays readable
    wherever it lies (a CI clone in a 0700 temp folder included)."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot make a file unreadable")
    return (setpriv, "--bounding-set=-dac_override,-dac_read_search")


@pytest.mark.parametrize("rel", [PARAMS, CONFIG, FINETUNING])
def test_permission_denied_is_one_line(rel: str) -> None:
    prefix = _without_read_override()
    root = Path(tempfile.mkdtemp(prefix="orchestrator-perm-"))  # tmp_path is not world-readable
    try:
        root.chmod(0o755)
        ws = make_workspace(root)
        if rel == FINETUNING:
            (ws / rel).write_text("{}")
        (ws / rel).chmod(0o000)
        done = subprocess.run(
            [*prefix, sys.executable, "-m", "orchestrator", "validate", "-w", str(ws)],
            cwd="/",
            env={"HOME": str(ws), "PATH": str(ws / "bin"), "LANG": "C.UTF-8"},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert problem_lines(done.stderr) == [f"{rel}: cannot read (Permission denied)"]


def test_workspace_that_is_a_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "loop").symlink_to("loop")
    done = subprocess.run(
        [sys.executable, "-m", "orchestrator", "validate", "-w", "loop"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("error: loop: cannot resolve the workspace folder")


def test_shipped_workspace_passes(tmp_path: Path) -> None:
    done = run_validate(make_workspace(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "maximumInstanceCount = 2" in done.stdout
    assert "checked-in JSON (source hash matches)" in done.stdout
    assert done.stdout.rstrip().endswith("all checks passed")


def test_hand_filled_config_passes(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    config()(ws)
    done = run_validate(ws)
    assert done.returncode == 0, done.stderr
    assert f"ok   {CONFIG}" in done.stdout.splitlines()[-3]


PIP = "pip install torch==2.4.0 transformers==4.43.4 bitsandbytes==0.43.1 peft==0.10.0"
CUSTOM_NAMES = {
    "storageAccountName": "mystorage01",
    "fileShareName": "my-share",
    "acaEnvironmentName": "my-env",
    "acaEnvironmentStorageName": "my-env-storage",
    "acaAppName": "my-app",
    "acaLogAnalyticsName": "My-Log-Workspace",
    "location": "swedencentral",
}
OLD_COMMANDS = [
    "cd /mount",
    "pip install -r ./setup/requirements.txt",
    "cd ./inference",
    "pip install -r ./requirements.txt",
    "python3 ./gradio_chat.py",
]


def custom_names(ws: Path) -> None:
    """Names filled in by hand to target existing resources."""
    for name, value in CUSTOM_NAMES.items():
        set_param(name, value)(ws)


def windows_line_endings(ws: Path) -> None:
    """Written on Windows: CRLF everywhere (the .bicep too: its hash is LF-normalised), a BOM
    in the JSON files."""
    for rel in (PARAMS, CONFIG, "infra/provision/inference.bicep"):
        path = ws / rel
        bom = b"\xef\xbb\xbf" if path.suffix == ".json" else b""
        path.write_bytes(bom + path.read_bytes().replace(b"\n", b"\r\n"))


TOOLKIT_VARIANTS: dict[str, Callable[[Path], None]] = {
    "einops-twice": set_param("defaultCommands", ["cd /mount", f"{PIP} einops einops", "python3"]),
    "requirements-files": set_param("defaultCommands", OLD_COMMANDS),
    "no-location-entry": del_param("location"),  # files from before 2024-05-10
    "custom-names": custom_names,
    "windows-line-endings": windows_line_endings,
}


@pytest.mark.parametrize("variant", list(TOOLKIT_VARIANTS))
def test_toolkit_workspace_variants_pass_unchanged(variant: str, tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    TOOLKIT_VARIANTS[variant](ws)
    before = {p: p.read_bytes() for p in (ws / "infra").rglob("*") if p.is_file()}
    done = run_validate(ws)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("all checks passed")
    assert {p: p.read_bytes() for p in (ws / "infra").rglob("*") if p.is_file()} == before


def test_nan_and_infinity_overrides_stay_strings(tmp_path: Path) -> None:
    done = run_validate(make_workspace(tmp_path), "--json", "-p", "location=NaN")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["parameters"]["values"]["location"] == "NaN"


def test_json_output_lists_final_values_and_checks(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    config(ACA_APP_ENDPOINT="localhost:45123")(ws)
    done = run_validate(ws, "--json", "-p", "maximumInstanceCount=1", "-p", "location=eastus")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["parameters"]["values"]["maximumInstanceCount"] == 1
    assert data["parameters"]["values"]["location"] == "eastus"
    assert "storageAccountName" not in data["parameters"]["values"]  # null dropped
    assert {c["status"] for c in data["checks"]} <= {"passed", "skipped"}


def test_json_failure_is_one_document_on_stdout_with_every_problem(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    set_param("storageAccountName", "BAD")(ws)
    config(SUBSCRIPTION_ID="nope")(ws)
    done = run_validate(ws, "--json")
    assert done.returncode == 2, done.stderr
    doc = json.loads(done.stdout)
    assert doc["command"] == "validate" and doc["exit_code"] == 2
    assert doc["error"]["kind"] == "ValidationFailed"
    paths = sorted(p["path"] for p in doc["error"]["problems"])
    assert paths == ["SUBSCRIPTION_ID", "parameters.storageAccountName.value"], doc
    records = [json.loads(line) for line in done.stderr.splitlines()]  # stderr: pure NDJSON
    assert [r["event"] for r in records] == ["problem", "problem", "error"]
    assert sorted(r["path"] for r in records[:2]) == paths


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


def test_a_reader_that_goes_away_is_not_a_crash(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    set_param("defaultCommands", ["echo " + "a" * 1000] * 500)(ws)  # output > a pipe buffer
    proc = subprocess.Popen(
        [sys.executable, "-m", "orchestrator", "validate", "-w", str(ws), "--json"],
        cwd=ws,
        env={"HOME": str(ws), "PATH": str(ws / "bin")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `| head -0`
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert stderr == ""


def test_syntax_errors_are_reported_with_the_other_problems(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    set_param("acaAppName", "Bad_App")(ws)
    write(CONFIG, '{"SUBSCRIPTION_ID": nul}')(ws)
    write(FINETUNING, "")(ws)
    done = run_validate(ws)
    assert done.returncode == 2
    files = [ln.split(": ")[0] for ln in problem_lines(done.stderr)]
    assert re.fullmatch(rf"{re.escape(PARAMS)}:[0-9]+:16", files[0]), done.stderr
    assert files[1:] == [f"{CONFIG}:1:21", f"{FINETUNING}:1:1"], done.stderr
    assert "error: 3 problems found" in done.stderr


def test_validate_offline_loads_no_network_client(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    code = (
        "import sys\n"
        "from orchestrator.cli import main\n"
        f"rc = main(['validate', '-w', {str(ws)!r}])\n"
        "net = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('azure', 'requests', 'urllib3', 'aiohttp', 'http'))\n"
        "print('RESULT', rc, net)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert "RESULT 0 []" in done.stdout, done.stdout + done.stderr
