"""The template lint remembered like the schema checks, as real processes: the offline half of
`provision` (`prepare`) over unchanged files does not import `orchestrator.provision.lint` a
second time; changed files, changed lint code, or a template with problems run the lint."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from deploy_support import provision
from fresh_support import run_fresh
from localcloud_fixture import LocalCloudHandle
from provision_support import cli_env

REPO = Path(__file__).resolve().parents[3]
TEMPLATE = "infra/provision/inference.json"
PARAMS = "infra/provision/inference.parameters.json"
CACHE = ".orchestrator/schema-checks.json"
LINT = "orchestrator.provision.lint"
LINT_AND_ITS_CODE = [LINT, "orchestrator.provision.gpuneeds", "orchestrator.provision.armexpr"]
BICEP_OFFER = [
    "orchestrator.bicep.offer",
    "orchestrator.bicep.download",
    "orchestrator.bicep.platforms",
    "orchestrator.bicep.releases",
]
SERVERLESS_COUNT = (
    "minimumCount is not supported on the serverless profile type Consumption "
    "(Azure: WorkloadProfilePropertyNotSupported)"
)
PREPARE_AND_SAY_WHAT_WAS_IMPORTED = """
import json, sys
from pathlib import Path
import orchestrator
from orchestrator.errors import ValidationFailed
from orchestrator.provision.prepare import Request, prepare
from orchestrator.provision.target import no_default
from orchestrator.schemacache import save_run
from orchestrator.settings import read_settings
from orchestrator.workspace import Workspace

root = Path(sys.argv[1])
env = {
    "HOME": str(root),
    "PATH": "",
    "AZURE_SUBSCRIPTION_ID": "00000000-0000-0000-0000-000000000000",
    "AZURE_RESOURCE_GROUP": "rg-lint",
}
try:
    prepare(Workspace(root), read_settings(env), Request(), cloud_default=no_default)
    save_run()
    problems = []
except ValidationFailed as failed:
    problems = [str(problem) for problem in failed.problems]
print("RESULT " + json.dumps({
    "problems": problems,
    "imported": sorted(name for name in sys.modules if name.startswith("orchestrator.")),
    "package": orchestrator.__file__,
}))
"""


def make_workspace(root: Path) -> Path:
    """The repository's templates and parameters; the checked-in JSON serves (no Bicep CLI)."""
    shutil.copytree(REPO / "infra", root / "infra")
    shutil.rmtree(root / "infra" / ".orchestrator", ignore_errors=True)
    (root / "infra" / "inference.config.json").unlink(missing_ok=True)
    return root


def prepared(ws: Path, python_path: Path | None = None) -> dict[str, Any]:
    """`prepare` in a fresh interpreter (the passes saved when it succeeds): the problems it
    found, the `orchestrator.*` modules it imported and where the package came from."""
    env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8", "PYTHONUTF8": "1"}
    if python_path is not None:
        env["PYTHONPATH"] = str(python_path)
    done = subprocess.run(
        [sys.executable, "-c", PREPARE_AND_SAY_WHAT_WAS_IMPORTED, str(ws)],
        cwd=ws,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    said = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert done.returncode == 0 and said, done.stdout + done.stderr
    result: dict[str, Any] = json.loads(said[-1].removeprefix("RESULT "))
    return result


def linted(ws: Path, python_path: Path | None = None) -> bool:
    """Whether a passing `prepare` ran the lint (imported it)."""
    result = prepared(ws, python_path)
    assert result["problems"] == []
    return LINT in result["imported"]


def edit_json(path: Path, change: Any) -> None:
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc, indent=2) + "\n")


def environment_profiles(template: dict[str, Any]) -> list[dict[str, Any]]:
    kind = "Microsoft.App/managedEnvironments"
    env = next(r for r in template["resources"] if r["type"] == kind)
    profiles: list[dict[str, Any]] = env["properties"]["workloadProfiles"]
    return profiles


def test_a_lint_pass_is_remembered_and_a_second_run_does_not_import_lint(
    tmp_path: Path,
) -> None:
    ws = make_workspace(tmp_path)
    first = prepared(ws)
    assert first["problems"] == [] and LINT in first["imported"]
    assert (ws / CACHE).is_file()
    second = prepared(ws)
    assert second["problems"] == []
    assert not set(second["imported"]) & set(LINT_AND_ITS_CODE + BICEP_OFFER), second


def test_a_changed_template_or_changed_values_runs_the_lint_again(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    assert linted(ws)
    assert not linted(ws)
    edit_json(ws / TEMPLATE, lambda doc: doc["metadata"].update(note="edited"))
    assert linted(ws)
    assert not linted(ws)
    edit_json(ws / PARAMS, lambda doc: doc["parameters"]["maximumInstanceCount"].update(value=3))
    assert linted(ws)
    assert not linted(ws)


def test_a_template_with_lint_problems_reports_them_on_every_run(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    assert linted(ws)  # a pass remembered first: problems found later are still reported
    remembered = (ws / CACHE).read_text()
    edit_json(ws / TEMPLATE, lambda doc: environment_profiles(doc)[0].update(minimumCount=0))
    runs = [prepared(ws) for _ in range(2)]
    for run in runs:
        assert LINT in run["imported"]
        assert any(SERVERLESS_COUNT in line for line in run["problems"]), run["problems"]
    assert runs[0]["problems"] == runs[1]["problems"]
    assert (ws / CACHE).read_text() == remembered  # a failed run keeps nothing


def test_a_changed_lint_code_file_runs_the_lint_again(tmp_path: Path) -> None:
    code = tmp_path / "code"
    shutil.copytree(REPO / "orchestrator", code / "orchestrator")  # pyc files kept (copy2)
    ws = make_workspace(tmp_path / "ws")
    first = prepared(ws, code)
    assert first["package"] == str(code / "orchestrator" / "__init__.py")
    assert LINT in first["imported"]
    assert not linted(ws, code)
    armexpr = code / "orchestrator" / "provision" / "armexpr.py"
    with armexpr.open("a") as file:
        file.write("# edited\n")  # another size and time
    assert linted(ws, code)
    assert not linted(ws, code)


def test_a_second_no_change_provision_imports_neither_the_lint_nor_the_bicep_offer(
    tmp_path: Path, localcloud: LocalCloudHandle
) -> None:
    provisioned = provision(tmp_path / "ws", localcloud)
    ws = provisioned.workspace
    for _ in range(2):  # the first run sees the files as the provision step keeps them
        ran = run_fresh(
            ["provision", "-g", provisioned.group, "-w", str(ws)], cwd=ws, env=cli_env(localcloud)
        )
    assert ran.code == 0, ran.stderr
    assert "skipped" in ran.stdout + ran.stderr
    assert not ran.ours() & set(LINT_AND_ITS_CODE + BICEP_OFFER), ran.ours()
