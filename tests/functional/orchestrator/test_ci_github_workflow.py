"""`orchestrator ci github` as a real process in a git repository, and every workflow it writes
checked offline: GitHub's workflow JSON schema (check-jsonschema's vendored copy, the file
parsed as YAML 1.2 with ruamel), `zizmor --offline` with its strictest persona, and our own
rules (OIDC permissions, the sign-in step, pinned actions, timeouts, exact commands).
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from orchestrator.ci.spec import FINETUNE_SLACK_MINUTES
from orchestrator.settings import DEPLOY_TIMEOUT, PROVISION_TIMEOUT

REPO = Path(__file__).resolve().parents[3]
ZIZMOR = Path(sys.executable).with_name("zizmor")
SHA = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    environment: str  # "" = none
    finetune: bool
    subfolder: str = ""  # the workspace inside the repository
    replica_timeout: int = 21600


CASES = {
    "default": Case((), "production", False),
    "finetune": Case(("--finetune",), "production", True),
    "branch-subject": Case(("--environment", "", "--branch", "release/1.0"), "", False),
    "subfolder": Case(
        ("--finetune", "--name", "phi-silica", "--environment", "staging", "--runs-on", "gpu"),
        "staging",
        True,
        subfolder="models/phi",
        replica_timeout=10800,
    ),
}


def git_repository(tmp_path: Path, case: Case) -> tuple[Path, Path]:
    """A repository with an origin on github.com; the workspace (maybe in a subfolder)."""
    root = tmp_path / "repo"
    ws = root / case.subfolder if case.subfolder else root
    shutil.copytree(REPO / "infra", ws / "infra")
    parameters = ws / "infra/provision/finetuning.parameters.json"
    timeout = {"timeout": {"value": case.replica_timeout}}
    parameters.write_text(json.dumps({"parameters": timeout}))
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    origin = "git@github.com:contoso/toolkit.git"
    subprocess.run(["git", "-C", str(root), "remote", "add", "origin", origin], check=True)
    return root, ws


def generate(ws: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "orchestrator", "ci", "github", "-w", str(ws), *args],
        cwd=ws,
        env={"HOME": str(ws), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def load_yaml_12(path: Path) -> Any:
    """As GitHub reads it: YAML 1.2 (`on` stays a string key)."""
    yaml = YAML(typ="safe", pure=True)
    yaml.version = (1, 2)
    return yaml.load(path.read_text())


def schema_errors(document: Any) -> list[str]:
    vendor = resources.files("check_jsonschema.builtin_schemas.vendor")
    schema = json.loads((vendor / "github-workflows.json").read_text())
    validator = jsonschema.Draft7Validator(schema)
    return [error.message for error in validator.iter_errors(document)]


def zizmor_findings(path: Path) -> list[Any]:
    done = subprocess.run(
        [
            str(ZIZMOR),
            "--offline",
            "--persona",
            "auditor",
            "--no-ignores",
            "--format=json",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode in (0, 10, 11, 12, 13, 14), done.stderr  # 1x: findings exist
    findings: list[Any] = json.loads(done.stdout or "[]")
    return findings


def our_rule_violations(workflow: Any, case: Case) -> list[str]:
    """The project's own rules for a generated workflow."""
    problems: list[str] = []
    if "id-token" in (workflow.get("permissions") or {}):
        problems.append("id-token granted to the whole workflow")
    for job_id, job in workflow["jobs"].items():
        if job.get("permissions") != {"contents": "read", "id-token": "write"}:
            problems.append(f"{job_id}: permissions are not exactly contents read + id-token")
        if (job.get("environment") or "") != case.environment:
            problems.append(f"{job_id}: environment {job.get('environment')!r}")
        concurrency = job.get("concurrency") or {}
        if not concurrency.get("group") or concurrency.get("cancel-in-progress") is not False:
            problems.append(f"{job_id}: no concurrency group that queues")
        steps = job["steps"]
        for step in steps:
            uses = step.get("uses")
            if uses and not SHA.match(uses):
                problems.append(f"{job_id}: {uses} is not pinned to a commit")
            if "${{" in str(step.get("run", "")):
                problems.append(f"{job_id}: an expression in a run step")
            keeps = (step.get("with") or {}).get("persist-credentials") is not False
            if uses and uses.startswith("actions/checkout@") and keeps:
                problems.append(f"{job_id}: checkout keeps credentials")
        logins = [s for s in steps if str(s.get("uses", "")).startswith("azure/login@")]
        inputs = (logins[0].get("with") or {}) if len(logins) == 1 else {}
        for name in ("client-id", "tenant-id", "subscription-id"):
            if not str(inputs.get(name, "")).startswith("${{ vars."):
                problems.append(f"{job_id}: azure/login without {name}")
        if job_id == "finetune":
            least = case.replica_timeout / 60 + FINETUNE_SLACK_MINUTES
        else:
            least = (PROVISION_TIMEOUT + DEPLOY_TIMEOUT) / 60
        if job.get("timeout-minutes", 0) < least:
            problems.append(f"{job_id}: timeout-minutes {job.get('timeout-minutes')} < {least}")
    return problems


def runs(workflow: Any, job: str) -> list[str]:
    return [step["run"] for step in workflow["jobs"][job]["steps"] if "run" in step]


@pytest.mark.parametrize("label", sorted(CASES))
def test_every_generated_workflow_passes_schema_zizmor_and_our_rules(
    tmp_path: Path, label: str
) -> None:
    case = CASES[label]
    root, ws = git_repository(tmp_path, case)
    done = generate(ws, *case.args)
    assert done.returncode == 0, done.stderr
    name = "phi-silica" if "phi-silica" in case.args else "inference"
    path = root / ".github" / "workflows" / f"{name}.yml"
    workflow = load_yaml_12(path)
    assert schema_errors(workflow) == []
    assert zizmor_findings(path) == []
    assert our_rule_violations(workflow, case) == []
    assert set(workflow["on"]) == {"push", "workflow_dispatch"}
    assert runs(workflow, "deploy")[1:] == [
        f"orchestrator provision --yes --timeout {int(PROVISION_TIMEOUT)}",
        f"orchestrator deploy --timeout {int(DEPLOY_TIMEOUT)}",
    ]
    if case.finetune:
        assert runs(workflow, "finetune")[1:] == ["orchestrator finetune run --wait"]
        assert math.isclose(
            workflow["jobs"]["finetune"]["timeout-minutes"],
            case.replica_timeout / 60 + FINETUNE_SLACK_MINUTES + 10,
        )
    else:
        assert set(workflow["jobs"]) == {"deploy"}
    prefix = f"{case.subfolder}/" if case.subfolder else ""
    assert workflow["on"]["push"]["paths"] == [
        f"{prefix}infra/**",
        f"{prefix}inference/**",
        f"{prefix}setup/**",
        f".github/workflows/{name}.yml",
    ]
    runner = "gpu" if "--runs-on" in case.args else "ubuntu-latest"
    assert {job["runs-on"] for job in workflow["jobs"].values()} == {runner}
    if case.subfolder:
        for job in workflow["jobs"].values():
            assert job["defaults"]["run"]["working-directory"] == case.subfolder


def test_the_checks_fail_on_a_broken_and_on_an_insecure_workflow(tmp_path: Path) -> None:
    # The checks above must be able to fail: the same tools on bad workflows.
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    broken, insecure = folder / "broken.yml", folder / "insecure.yml"
    broken.write_text(
        "on: push\npermissions:\n  id-token: read\njobs:\n  build:\n"
        "    runs_on: ubuntu-latest\n    steps:\n      - run: echo\n"
    )
    errors = schema_errors(load_yaml_12(broken))
    assert len(errors) == 2
    assert any("'runs_on'" in e for e in errors) and any("'id-token': 'read'" in e for e in errors)
    insecure.write_text(
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - run: echo ${{ github.event.head_commit.message }}\n"
    )
    assert schema_errors(load_yaml_12(insecure)) == []
    audits = {finding["ident"] for finding in zizmor_findings(insecure)}
    assert {"unpinned-uses", "artipacked", "template-injection"} <= audits
    ours = our_rule_violations(load_yaml_12(insecure), CASES["default"])
    assert "build: permissions are not exactly contents read + id-token" in ours
    assert "build: actions/checkout@v4 is not pinned to a commit" in ours
    assert "build: an expression in a run step" in ours
    assert "build: azure/login without client-id" in ours
    assert any(problem.startswith("build: timeout-minutes") for problem in ours)


def test_the_federated_credential_commands_match_the_workflows_subject(tmp_path: Path) -> None:
    case = CASES["branch-subject"]
    _, ws = git_repository(tmp_path, case)
    done = generate(ws, *case.args, "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["repository"] == "contoso/toolkit"
    assert data["federatedCredential"] == {
        "issuer": "https://token.actions.githubusercontent.com",
        "subject": "repo:contoso/toolkit:ref:refs/heads/release/1.0",
        "audience": "api://AzureADTokenExchange",
    }
    create = next(c for c in data["setupCommands"] if "federated-credential create" in c)
    assert '"subject":"repo:contoso/toolkit:ref:refs/heads/release/1.0"' in create


def test_a_changed_workflow_is_kept_unless_force(tmp_path: Path) -> None:
    root, ws = git_repository(tmp_path, CASES["default"])
    path = root / ".github/workflows/inference.yml"
    assert generate(ws).returncode == 0
    again = generate(ws)
    assert again.returncode == 0 and "unchanged:" in again.stdout
    regenerated = generate(ws, "--finetune")  # ours, unchanged since written: replaced
    assert regenerated.returncode == 0 and "updated:" in regenerated.stdout
    edited = path.read_text().replace("ubuntu-latest", "self-hosted")
    path.write_text(edited)
    refused = generate(ws)
    assert refused.returncode == 2
    assert "changed since it was written" in refused.stderr and "--force" in refused.stderr
    assert path.read_text() == edited
    forced = generate(ws, "--force")
    assert forced.returncode == 0 and "replaced:" in forced.stdout
    assert "self-hosted" not in path.read_text()


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("--branch", "main*"), "--branch"),
        (("--branch", "x\nname: evil"), "--branch"),
        (("--environment", "prod:1"), "--environment"),
        (("--name", "../escape"), "--name"),
        (("--repo", "contoso"), "--repo"),
        (("--install", "pkg; curl evil"), "--install"),
    ],
)
def test_unusable_values_are_refused_before_anything_is_written(
    tmp_path: Path, args: tuple[str, ...], named: str
) -> None:
    root, ws = git_repository(tmp_path, CASES["default"])
    done = generate(ws, *args)
    assert done.returncode == 2
    assert named in done.stderr
    assert not (root / ".github").exists()


def test_a_folder_outside_git_gets_placeholders_and_a_warning(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(REPO / "infra", ws / "infra")
    done = generate(ws, "--install", "git+https://github.com/contoso/orchestrator@0123abc")
    assert done.returncode == 0, done.stderr
    assert "does not name a github.com repository" in done.stdout
    assert "repo:OWNER/REPO:environment:production" in done.stdout
    workflow = load_yaml_12(ws / ".github/workflows/inference.yml")
    install = runs(workflow, "deploy")[0]
    assert install == "python -m pip install git+https://github.com/contoso/orchestrator@0123abc"
