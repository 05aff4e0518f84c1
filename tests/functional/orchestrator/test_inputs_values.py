"""Values in files and flags, through the real CLI: hostile `{{ }}` rendering, secrets in the
environment, line:column of bad values, integers beyond int64, trailing newlines, timeouts,
unusable workspaces. Each is exit 2 with one error line, no traceback, no write request to
localcloud and no file changed."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from localcloud_fixture import LocalCloudHandle
from provision_support import Ran, is_write, make_workspace, requests_log, run_cli

pytestmark = pytest.mark.functional

SUB = "00000000-0000-0000-0000-000000000001"
PARAMS = "infra/provision/inference.parameters.json"
SECRET = "hunter2-s3cr3t-value"


@pytest.fixture
def lc_log(lc: LocalCloudHandle) -> LocalCloudHandle:
    lc.admin("DELETE", "requests")
    return lc


def tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def set_param(workspace: Path, name: str, value: object) -> None:
    path = workspace / PARAMS
    doc = json.loads(path.read_text())
    doc["parameters"][name] = {"value": value}
    path.write_text(json.dumps(doc, indent=2) + "\n")


def refused(ran: Ran, lc: LocalCloudHandle) -> None:
    assert ran.code == 2, ran.output
    assert "Traceback" not in ran.output
    assert [e for e in requests_log(lc) if is_write(e)] == []


HOSTILE = [
    ("{{ 'x'.ljust(30000000) }}", "the argument 30000000 is over 100,000"),
    ("{{ 'x'|center(30000000) }}", "the argument 30000000 is over 100,000"),
    (
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "rendering took",
    ),
    ("{{ '{:>999999999}'.format(1) }}", "a format width over 100,000"),
]


@pytest.mark.parametrize("command", ["validate", "provision"])
@pytest.mark.parametrize(("text", "said"), HOSTILE)
def test_hostile_rendering_is_a_problem_line_within_seconds(
    command: str, text: str, said: str, tmp_path: Path, lc_log: LocalCloudHandle
) -> None:
    workspace = make_workspace(tmp_path / "ws")
    set_param(workspace, "acaAppName", text)
    before = tree_hash(workspace)
    started = time.monotonic()
    ran = (
        run_cli(workspace, lc_log, command, "-s", SUB, "-g", "rg")
        if command == "provision"
        else (run_cli(workspace, lc_log, command))
    )
    assert time.monotonic() - started < 30
    refused(ran, lc_log)
    problems = [line for line in ran.stderr.splitlines() if "template error" in line]
    assert len(problems) == 1 and said in problems[0], ran.stderr
    assert problems[0].startswith(f"{PARAMS}:")  # FILE:LINE:COLUMN
    assert tree_hash(workspace) == before


@pytest.mark.parametrize(
    "text", ["{{ env }}", "{{ env|string }}", "{{ env[env.MY_API_KEY] }}", "{{ env.MY_API_KEY }}_X"]
)
def test_a_secret_of_the_environment_is_never_printed(
    text: str, tmp_path: Path, lc_log: LocalCloudHandle
) -> None:
    workspace = make_workspace(tmp_path / "ws")
    set_param(workspace, "acaAppName", text)
    ran = run_cli(workspace, lc_log, "provision", "-s", SUB, "-g", "rg", MY_API_KEY=SECRET)
    refused(ran, lc_log)  # not a valid app name, or an undefined key: exit 2 either way
    assert SECRET not in ran.output
    if "MY_API_KEY" in text:
        assert "***" in ran.stderr  # where the secret would have been quoted


def test_validate_masks_a_secret_in_the_values_it_lists(
    tmp_path: Path, lc: LocalCloudHandle
) -> None:
    workspace = make_workspace(tmp_path / "ws")
    set_param(workspace, "defaultCommands", ["echo {{ env.DB_PASSWORD }}"])
    ran = run_cli(workspace, lc, "validate", DB_PASSWORD=SECRET)
    assert ran.code == 0, ran.output
    assert SECRET not in ran.output and "echo ***" in ran.stdout


def test_a_bad_value_names_file_line_and_column(tmp_path: Path, lc_log: LocalCloudHandle) -> None:
    workspace = make_workspace(tmp_path / "ws")
    set_param(workspace, "acaAppName", "Bad_Name")
    set_param(workspace, "maximumInstanceCount", 2**63)
    lines = (workspace / PARAMS).read_text().splitlines()
    before = tree_hash(workspace)
    ran = run_cli(workspace, lc_log, "provision", "-s", SUB, "-g", "rg")
    refused(ran, lc_log)
    for name, value in (("acaAppName", '"Bad_Name"'), ("maximumInstanceCount", str(2**63))):
        row = next(i for i, text in enumerate(lines, 1) if f'"{name}"' in text) + 1
        column = lines[row - 1].index(value) + 1
        expected = f"{PARAMS}:{row}:{column}: parameters.{name}.value: "
        assert any(line.startswith(expected) for line in ran.stderr.splitlines()), ran.stderr
    assert tree_hash(workspace) == before


def test_a_config_value_with_a_trailing_newline_is_refused(
    tmp_path: Path, lc_log: LocalCloudHandle
) -> None:
    workspace = make_workspace(tmp_path / "ws")
    path = workspace / "infra/inference.config.json"
    config = json.loads(path.read_text())
    config.update(SUBSCRIPTION_ID=SUB + "\n", RESOURCE_GROUP_NAME="rg")
    path.write_text(json.dumps(config, indent=2) + "\n")
    ran = run_cli(workspace, lc_log, "validate")
    refused(ran, lc_log)
    assert "infra/inference.config.json:3:22: SUBSCRIPTION_ID: " in ran.stderr


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "-inf", "1e999", "soon"])
@pytest.mark.parametrize("command", ["provision", "deploy"])
def test_a_bad_timeout_is_a_usage_error(
    command: str, value: str, tmp_path: Path, lc_log: LocalCloudHandle
) -> None:
    workspace = make_workspace(tmp_path / "ws")
    ran = run_cli(workspace, lc_log, command, "--timeout", value)
    refused(ran, lc_log)
    assert "Invalid value for '--timeout'" in ran.stderr
    assert requests_log(lc_log) == []


def run_bare(cwd: Path, *args: str, home: Path | None = None) -> Ran:
    env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", "HOME": str(home or cwd)}
    done = subprocess.run(
        [sys.executable, "-m", "orchestrator", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return Ran(done.returncode, done.stdout, done.stderr)


def test_validate_and_deploy_outside_a_workspace_say_the_same(tmp_path: Path) -> None:
    said = {command: run_bare(tmp_path, command) for command in ("validate", "deploy")}
    for ran in said.values():
        assert ran.code == 2 and "Traceback" not in ran.output
        assert ran.stderr.splitlines()[0] == (
            f"error: {tmp_path}: not an AI Toolkit workspace (there is no infra/ folder)"
        )
    assert said["validate"].stderr == said["deploy"].stderr


@pytest.mark.parametrize("command", ["validate", "deploy", "provision"])
def test_a_workspace_name_too_long_is_one_line(command: str, tmp_path: Path) -> None:
    ran = run_bare(tmp_path, command, "-w", str(tmp_path / ("a" * 300) / "b"))
    assert ran.code == 2 and "Traceback" not in ran.output
    assert ran.stderr.startswith("error: ") and len(ran.stderr.splitlines()) == 1
    assert "cannot use the workspace folder (File name too long)" in ran.stderr


def without_read_override() -> tuple[str, ...]:
    """Root reads any folder: drop the capabilities that allow it (still root otherwise)."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot make a folder untraversable")
    return (setpriv, "--bounding-set=-dac_override,-dac_read_search")


def with_untraversable_home(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a fresh workspace with a $HOME it may not enter."""
    prefix = without_read_override()
    root = Path(tempfile.mkdtemp(prefix="orchestrator-home-"))  # tmp_path is not world-readable
    try:
        root.chmod(0o755)
        workspace = make_workspace(root / "ws")
        home = root / "home"
        home.mkdir(mode=0o000)
        return subprocess.run(
            [*prefix, sys.executable, "-m", "orchestrator", *args],
            cwd=workspace,
            env={"PATH": os.environ["PATH"], "LANG": "C.UTF-8", "HOME": str(home)},
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        (root / "home").chmod(0o755)
        shutil.rmtree(root, ignore_errors=True)


def test_an_untraversable_home_does_not_stop_validate() -> None:
    done = with_untraversable_home("validate")
    assert done.returncode == 0, done.stderr  # no Bicep CLI can be there: the checked-in JSON
    assert "Traceback" not in done.stderr


def test_an_untraversable_home_is_one_line_against_localcloud() -> None:
    done = with_untraversable_home("provision", "--cloud", "local", "-s", SUB, "-g", "rg")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert (
        len(errors) == 1
        and "cannot read localcloud's client file (Permission denied)" in (errors[0])
    )
