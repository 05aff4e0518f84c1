"""Bad input met on a QA pass, each refused with exit 2 and one clear line, no traceback, no
file changed and no request to localcloud: `manual` holds the final parameters to the template
as `provision` does and never overwrites a file it did not write; `--execution`, `--tail` and
every other flag error under `--json` is one JSON document on stdout and NDJSON on stderr; a
config value with a trailing newline is not a host name."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from localcloud_fixture import LocalCloudHandle
from provision_support import make_workspace, run_cli

pytestmark = pytest.mark.functional

SUB = "00000000-0000-0000-0000-000000000001"
GROUP = "rg-cli-checks"


def tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws")


def test_manual_refuses_a_parameter_of_the_wrong_type_before_writing_anything(
    workspace: Path, localcloud: LocalCloudHandle
) -> None:
    before = tree_hash(workspace)
    ran = run_cli(
        workspace, localcloud, "manual", "-s", SUB, "-g", GROUP, "--script", "s.sh",
        "-p", "maximumInstanceCount=1\nrm -rf ~",
    )  # fmt: skip
    assert ran.code == 2, ran.output
    assert ran.stderr.splitlines()[0] == (
        "--param: parameters.maximumInstanceCount.value: is a string (an integer (template "
        "type int), a 64-bit integer)"
    )
    assert "Traceback" not in ran.output
    assert tree_hash(workspace) == before
    assert not (workspace / "s.sh").exists()
    assert not (workspace / ".orchestrator" / "final.parameters.json").exists()


def test_manual_script_keeps_a_file_it_did_not_write(
    workspace: Path, localcloud: LocalCloudHandle
) -> None:
    mine = workspace / "deploy.sh"
    mine.write_text("#!/bin/sh\necho my own script\n")
    before = tree_hash(workspace)
    ran = run_cli(workspace, localcloud, "manual", "-s", SUB, "-g", GROUP, "--script", "deploy.sh")
    assert ran.code == 2, ran.output
    assert ran.stderr.splitlines() == [
        "error: --script deploy.sh: the file exists and was not written by `orchestrator "
        "manual`; kept as is",
        "hint: choose another file name, or move the file away first",
    ]
    assert tree_hash(workspace) == before


def test_manual_script_replaces_its_own_earlier_script(
    workspace: Path, localcloud: LocalCloudHandle
) -> None:
    first = run_cli(workspace, localcloud, "manual", "-s", SUB, "-g", GROUP, "--script", "m.sh")
    assert first.code == 0, first.output
    again = run_cli(
        workspace, localcloud, "manual", "-s", SUB, "-g", "rg-other", "--script", "m.sh"
    )
    assert again.code == 0, again.output
    assert "rg-other" in (workspace / "m.sh").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("finetune", "logs", "--execution", "a/b?c"),
            "Invalid value for '--execution': 'a/b?c' is not an execution name: 1-63 "
            "letters, digits and '-', such as myjob-ab12cd3",
        ),
        (
            ("finetune", "stop", "--execution", "x\ny"),
            "Invalid value for '--execution': 'x\\ny' is not an execution name: 1-63 "
            "letters, digits and '-', such as myjob-ab12cd3",
        ),
        (("logs", "--tail", "-5"), "Invalid value for '--tail': -5 is not in the range 0<=x<=300."),
        (("deploy", "--timeout", "nan"), "Invalid value for '--timeout': 'nan' is not a finite"),
        (
            ("validate", "--bicep-version", "nope"),
            "Invalid value for '--bicep-version': 'nope' is not a Bicep release (expected "
            "vMAJOR.MINOR.PATCH, e.g. v0.33.13)",
        ),
    ],
)
def test_flag_errors_under_json_are_one_document_and_ndjson(
    workspace: Path, localcloud: LocalCloudHandle, args: tuple[str, ...], message: str
) -> None:
    before = tree_hash(workspace)
    ran = run_cli(workspace, localcloud, *args, "--json")
    assert ran.code == 2, ran.output
    doc = json.loads(ran.stdout)
    assert doc["exit_code"] == 2 and doc["error"]["kind"] == "UsageError"
    assert doc["command"] == " ".join(args[:2] if args[0] == "finetune" else args[:1])
    assert doc["error"]["message"].startswith(message)
    records = [json.loads(line) for line in ran.stderr.splitlines()]
    assert len(records) == 1 and records[0]["event"] == "error"
    assert records[0]["message"] == doc["error"]["message"]
    assert tree_hash(workspace) == before

    plain = run_cli(workspace, localcloud, *args)
    assert plain.code == 2, plain.output
    assert plain.stderr.splitlines()[-1].startswith(f"Error: {message}")
    assert "Traceback" not in plain.output


def test_an_endpoint_with_a_trailing_newline_is_not_a_host_name(
    workspace: Path, localcloud: LocalCloudHandle
) -> None:
    path = workspace / "infra" / "inference.config.json"
    config = json.loads(path.read_text())
    path.write_text(json.dumps(config | {"ACA_APP_ENDPOINT": "app.example.com\n"}, indent=2))
    before = tree_hash(workspace)
    ran = run_cli(workspace, localcloud, "validate")
    assert ran.code == 2, ran.output
    assert (
        "infra/inference.config.json:8:23: ACA_APP_ENDPOINT: 'app.example.com\\n' is not a "
        "host name" in ran.stderr
    )
    assert tree_hash(workspace) == before


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda ws: (ws / ".github").mkdir() or (ws / ".github" / "workflows").write_text("x"),
            "{ws}/.github/workflows: is a file, where the workflow's folder should be; kept as is",
        ),
        (
            lambda ws: (ws / ".github" / "workflows" / "inference.yml").mkdir(parents=True),
            "{ws}/.github/workflows/inference.yml: cannot read the existing workflow (a folder)",
        ),
        (
            lambda ws: (
                (ws / ".github" / "workflows").mkdir(parents=True)
                or (ws / ".github" / "workflows" / "inference.yml").write_bytes(b"name: \xe9\n")
            ),
            "{ws}/.github/workflows/inference.yml: cannot read the existing workflow (not UTF-8 "
            "text); kept as is",
        ),
    ],
)
def test_ci_github_names_what_is_in_the_workflows_way(
    workspace: Path, localcloud: LocalCloudHandle, make: Any, message: str
) -> None:
    make(workspace)
    before = tree_hash(workspace)
    ran = run_cli(workspace, localcloud, "ci", "github", "--repo", "me/repo")
    assert ran.code == 2, ran.output
    assert ran.stderr.splitlines()[0] == "error: " + message.format(ws=workspace.resolve())
    assert "Traceback" not in ran.output and "Errno" not in ran.output
    assert tree_hash(workspace) == before
