"""Target flags, variables and config values are held to Azure's naming rules before any
request: a bad one is exit 2 with one line naming where it came from, no traceback, no write
to ARM (none of the request log's entries) and no file of the workspace changed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from localcloud_fixture import LocalCloudHandle
from provision_support import Ran, is_write, make_workspace, requests_log, run_cli

pytestmark = pytest.mark.functional

SUB = "00000000-0000-0000-0000-000000000001"
CONFIG = "infra/inference.config.json"


@pytest.fixture
def lc_log(lc: LocalCloudHandle) -> LocalCloudHandle:
    """The worker's localcloud with an empty request log: what a test finds there, it sent."""
    lc.admin("DELETE", "requests")
    return lc


def tree_hash(root: Path) -> str:
    """Every file under `root` (names and contents), hashed: "nothing changed" is equality."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def error_lines(ran: Ran) -> list[str]:
    return [line for line in ran.stderr.splitlines() if line.startswith("error:")]


def assert_refused(ran: Ran, lc: LocalCloudHandle, *expected: str) -> None:
    assert ran.code == 2, ran.output
    assert "Traceback" not in ran.output
    lines = error_lines(ran)
    assert len(lines) == 1, ran.stderr
    for text in expected:
        assert text in lines[0], lines[0]
    assert [e for e in requests_log(lc) if is_write(e)] == []


def set_config(workspace: Path, **values: str) -> None:
    path = workspace / CONFIG
    doc = json.loads(path.read_text())
    doc.update(values)
    path.write_text(json.dumps(doc, indent=2) + "\n")


CASES = [
    (("-s", "not-a-guid", "-g", "rg"), {}, ["--subscription: 'not-a-guid' is not a"]),
    (("-g", "a" * 91), {}, ["--resource-group:", "is 91 characters long"]),
    (("-g", "rg/other"), {}, ["--resource-group: 'rg/other'", "'/'"]),
    (("-g", "rg\u202eevil"), {}, ["--resource-group:", "'\\u202e'"]),
    (("-g", "rg."), {}, ["--resource-group: 'rg.'", "ends with '.'"]),
    (("-g", "rg", "-l", "east us;$(id)"), {}, ["--location: 'east us;$(id)' is not a location"]),
    ((), {"AZURE_RESOURCE_GROUP": "rg\nid"}, ["AZURE_RESOURCE_GROUP: 'rg\\nid'"]),
    (("-g", "rg"), {"AZURE_SUBSCRIPTION_ID": SUB + "x"}, ["AZURE_SUBSCRIPTION_ID:"]),
    (("-g", "rg"), {"AZURE_LOCATION": "$(id)"}, ["AZURE_LOCATION: '$(id)' is not a location"]),
]  # fmt: skip


@pytest.mark.parametrize("command", ["provision", "plan"])
@pytest.mark.parametrize(("args", "env", "expected"), CASES)
def test_a_bad_target_is_refused_before_any_request(
    command: str,
    args: tuple[str, ...],
    env: dict[str, str],
    expected: list[str],
    tmp_path: Path,
    lc_log: LocalCloudHandle,
) -> None:
    workspace = make_workspace(tmp_path / "ws")
    before = tree_hash(workspace)
    flags = args if "-s" in args or "AZURE_SUBSCRIPTION_ID" in env else ("-s", SUB, *args)
    extra = ("--create-resource-group",) if command == "provision" else ()
    ran = run_cli(workspace, lc_log, command, *extra, *flags, timeout=120, **env)
    assert_refused(ran, lc_log, *expected)
    assert tree_hash(workspace) == before


@pytest.mark.parametrize(
    ("key", "value", "said"),
    [
        ("RESOURCE_GROUP_NAME", "rg\u202egnp", "'\\u202e'"),
        ("RESOURCE_GROUP_NAME", "a" * 91, "is 91 characters long"),
        ("SUBSCRIPTION_ID", SUB + "\n", "has the wrong form"),
    ],
)
def test_a_bad_target_in_the_config_names_file_line_and_column(
    key: str, value: str, said: str, tmp_path: Path, lc_log: LocalCloudHandle
) -> None:
    workspace = make_workspace(tmp_path / "ws")
    set_config(workspace, **{"RESOURCE_GROUP_NAME": "rg", key: value})
    before = tree_hash(workspace)
    ran = run_cli(workspace, lc_log, "provision")
    assert ran.code == 2, ran.output
    assert "Traceback" not in ran.output
    lines = (workspace / CONFIG).read_text().splitlines()
    row = next(i for i, text in enumerate(lines, 1) if f'"{key}"' in text)
    column = lines[row - 1].index('": ') + 4  # where the value's opening quote is
    lines = [line.removeprefix("error: ") for line in ran.stderr.splitlines()]
    assert any(
        line.startswith(f"{CONFIG}:{row}:{column}") and key in line and said in line
        for line in lines
    ), ran.stderr
    assert [e for e in requests_log(lc_log) if is_write(e)] == []
    assert tree_hash(workspace) == before


@pytest.mark.parametrize("command", ["outputs", "attach"])
def test_a_bad_deployment_name_is_a_usage_error(
    command: str, tmp_path: Path, lc_log: LocalCloudHandle
) -> None:
    workspace = make_workspace(tmp_path / "ws")
    ran = run_cli(workspace, lc_log, command, "-s", SUB, "-g", "rg", "--deployment", "x/../../y")
    assert ran.code == 2
    assert "Invalid value for '--deployment': 'x/../../y' is not a valid deployment name" in (
        ran.stderr
    )
    assert [e for e in requests_log(lc_log) if is_write(e)] == []


def test_east_us_is_read_as_eastus(tmp_path: Path, lc: LocalCloudHandle) -> None:
    workspace = make_workspace(tmp_path / "ws")
    ran = run_cli(workspace, lc, "manual", "-s", SUB, "-g", "rg", "-l", "East US")
    assert ran.code == 0, ran.output
    assert "--location eastus" in ran.stdout


@pytest.mark.parametrize(
    ("args", "env"), [(("-l", ""), {}), (("-l", "  "), {}), ((), {"AZURE_LOCATION": ""})]
)
def test_an_empty_location_creates_no_group(
    args: tuple[str, ...], env: dict[str, str], tmp_path: Path, lc_log: LocalCloudHandle
) -> None:
    workspace = make_workspace(tmp_path / "ws")
    before = tree_hash(workspace)
    ran = run_cli(
        workspace,
        lc_log,
        "provision",
        "-g",
        "rg-never-made",
        "--create-resource-group",
        *args,
        **env,
    )
    assert_refused(ran, lc_log, "needs a location")
    assert tree_hash(workspace) == before


def test_a_bad_group_in_the_finetuning_config_names_line_and_column(
    tmp_path: Path, lc_log: LocalCloudHandle
) -> None:
    workspace = make_workspace(tmp_path / "ws")
    finetuning = workspace / "infra/finetuning.config.json"
    finetuning.write_text('{\n  "SUBSCRIPTION_ID": null,\n  "RESOURCE_GROUP_NAME": "ft/rg"\n}\n')
    before = tree_hash(workspace)
    ran = run_cli(workspace, lc_log, "provision")
    assert_refused(ran, lc_log, "infra/finetuning.config.json:3:26 RESOURCE_GROUP_NAME: 'ft/rg'")
    assert tree_hash(workspace) == before
