"""`orchestrator manual` as an attacker and as a new user meet it: every value that reaches the
script is validated and shell-quoted (a generated script, run by bash with `az` stubbed out,
passes each value as exactly one argument and runs nothing else), comments cannot be broken
out of, and the printed commands work from any folder and carry the cloud."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from localcloud_fixture import LocalCloudHandle
from provision_support import is_write, make_workspace, requests_log, run_cli

from orchestrator.commands.manual import ManualPlan, comment, render_script, script_context
from orchestrator.provision.target import Sourced, Target

pytestmark = pytest.mark.functional

SUB = "00000000-0000-0000-0000-000000000001"
# Stand-ins for the two programs the script runs: each call is written to $CALLS as its
# argument count and its arguments, NUL-separated, so the test sees exactly the argument vectors
# bash built, whatever bytes they hold.
STUBS = (
    'az() { printf "%s\\0" "$(($# + 1))" az "$@" >>"$CALLS"; }\n'
    'orchestrator() { printf "%s\\0" "$(($# + 1))" orchestrator "$@" >>"$CALLS"; }\n'
)


def tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def run_script(script: Path, cwd: Path) -> list[list[str]]:
    """Run `script` with bash, `az` and `orchestrator` stubbed; the argument vectors."""
    calls = cwd / "calls"
    calls.write_bytes(b"")
    stubbed = cwd / "stubbed.sh"
    stubbed.write_text(STUBS + f"source {shlex.quote(str(script))}\n")
    done = subprocess.run(
        ["bash", str(stubbed)],
        cwd=cwd,
        env={"PATH": os.environ["PATH"], "CALLS": str(calls)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    fields = calls.read_bytes().decode("utf-8", "surrogateescape").split("\0")[:-1]
    vectors: list[list[str]] = []
    while fields:
        count = int(fields[0])
        vectors.append(fields[1 : count + 1])
        fields = fields[count + 1 :]
    return vectors


def plan_for(tmp: Path, subscription: str, group: str, location: str, source: str) -> ManualPlan:
    target = Target(
        "azure", Sourced(subscription, "-s"), Sourced(group, "-g"), Sourced(location, "-l")
    )
    return ManualPlan(
        target=target,
        cloud="local",
        workspace=tmp,
        template=tmp / "infra" / "provision" / "inference.json",
        parameters_file=tmp / ".orchestrator" / "final.parameters.json",
        parameters_source=source,
        deployment="inference-20260101T000000Z",
        generated_at=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc).isoformat(),
    )


hostile = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
nasty = st.sampled_from(["x\nid", "$(id)", "`id`", "'; id; '", "a\rb", "\u2028id", "\\", "-rf"])


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sub=hostile | nasty, group=hostile | nasty, location=hostile | nasty, source=hostile | nasty)
def test_any_script_value_is_one_argument_and_comments_stay_comments(
    sub: str, group: str, location: str, source: str, tmp_path: Path
) -> None:
    """Even values that validation would refuse cannot escape their quotes or their comment."""
    if "\0" in sub + group + location:
        return  # no argv can hold a NUL; validation refuses them long before
    plan = plan_for(tmp_path, sub, group, location, source)
    script = tmp_path / "script.sh"
    script.write_text(render_script(script_context(plan)))
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0
    lines = script.read_text().split("\n")
    for prefix, value in (("#   resource group: ", group), ("# (from ", source)):
        shown = comment(value)
        assert shown.isprintable() and f"{prefix}{shown}" in "\n".join(lines)
        assert any(line.startswith(prefix + shown) for line in lines)  # still one comment line
    calls = run_script(script, tmp_path)
    assert calls == [
        ["az", "account", "set", "--subscription", sub],
        ["az", "group", "show", "--name", group],
        ["az", *plan.deploy()[1:]],
        ["orchestrator", *plan.import_outputs()[1:]],
    ]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("-s", SUB, "-g", "rg\nid"), "--resource-group: 'rg\\nid'"),
        (("-s", "$(id)", "-g", "rg"), "--subscription: '$(id)' is not a subscription ID"),
        (("-s", SUB, "-g", "rg", "-l", "east us;$(id)"), "--location: 'east us;$(id)'"),
        (("-s", SUB, "-g", "rg\u2028x"), "'\\u2028'"),
    ],
)
def test_a_bad_target_writes_no_script_and_changes_nothing(
    args: tuple[str, ...], said: str, tmp_path: Path, lc: LocalCloudHandle
) -> None:
    workspace = make_workspace(tmp_path / "ws")
    lc.admin("DELETE", "requests")
    before = tree_hash(workspace)
    ran = run_cli(workspace, lc, "manual", *args, "--script", "out.sh")
    assert ran.code == 2, ran.output
    assert "Traceback" not in ran.output
    errors = [line for line in ran.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and said in errors[0], ran.stderr
    assert not (workspace / "out.sh").exists()
    assert tree_hash(workspace) == before
    assert [e for e in requests_log(lc) if is_write(e)] == []


def test_commands_work_from_any_folder_and_carry_the_cloud(
    tmp_path: Path, lc: LocalCloudHandle
) -> None:
    workspace = make_workspace(tmp_path / "ws")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    home = tmp_path / "home"  # no Bicep CLI anywhere: the checked-in JSON is the template
    ran = run_cli(
        workspace,
        lc,
        "manual",
        "-s",
        SUB,
        "-g",
        "my-rg",
        "-l",
        "East US",
        "--script",
        str(elsewhere / "by-hand.sh"),
        HOME=str(home),
        PATH=os.path.dirname(sys.executable) + os.pathsep + "/usr/bin:/bin",
    )
    assert ran.code == 0, ran.output
    names = set(re.findall(r"--name (inference-\d{8}T\d{6}Z)", ran.stdout))
    names |= set(re.findall(r"--deployment (inference-\d{8}T\d{6}Z)", ran.stdout))
    assert len(names) == 1  # one deployment name in every printed command
    name = names.pop()
    calls = run_script(elsewhere / "by-hand.sh", elsewhere)
    deploy = next(c for c in calls if c[:4] == ["az", "deployment", "group", "create"])
    options = dict(zip(deploy[4::2], deploy[5::2], strict=True))
    assert options["--name"] == name  # and the same one in the script
    assert options["--template-file"] == str(workspace / "infra/provision/inference.json")
    assert Path(options["--template-file"]).is_file()
    assert options["--parameters"] == f"@{workspace / '.orchestrator/final.parameters.json'}"
    assert Path(options["--parameters"][1:]).is_file()
    assert ["az", "group", "show", "--name", "my-rg"] in calls
    importer = next(c for c in calls if c[0] == "orchestrator")
    assert importer == [
        *("orchestrator", "outputs", "--write", "--cloud", "local", "-w", str(workspace)),
        *("--subscription", SUB, "--resource-group", "my-rg", "--deployment", name),
    ]
    assert shlex.join(importer) in ran.stdout  # printed exactly as scripted
    assert "(from infra/provision/inference.parameters.json)" in ran.stdout


def test_the_hint_names_the_parameters_file_actually_used(
    tmp_path: Path, lc: LocalCloudHandle
) -> None:
    workspace = make_workspace(tmp_path / "ws")
    custom = workspace / "custom.parameters.json"
    custom.write_text((workspace / "infra/provision/inference.parameters.json").read_text())
    ran = run_cli(workspace, lc, "manual", "-s", SUB, "-g", "rg", "--parameters", str(custom))
    assert ran.code == 0, ran.output
    assert "(from custom.parameters.json)" in ran.stdout


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(group=hostile | nasty)
def test_any_group_through_the_cli_is_refused_or_quoted(
    group: str, tmp_path_factory: pytest.TempPathFactory, lc: LocalCloudHandle
) -> None:
    if "\0" in group or group.strip() != group or not group.strip():
        return  # argv cannot carry a NUL; surrounding blanks are trimmed as documented
    workspace = make_workspace(tmp_path_factory.mktemp("ws"))
    ran = run_cli(workspace, lc, "manual", "-s", SUB, "-g", group, "--script", "s.sh")
    assert "Traceback" not in ran.output
    if ran.code == 2:
        assert "--resource-group:" in ran.stderr and not (workspace / "s.sh").exists()
        return
    assert ran.code == 0, ran.output
    calls = run_script(workspace / "s.sh", workspace)
    deploy = next(c for c in calls if c[:2] == ["az", "deployment"])
    assert deploy[deploy.index("--resource-group") + 1] == group


def test_a_stale_checked_in_json_is_not_offered(tmp_path: Path, lc: LocalCloudHandle) -> None:
    workspace = make_workspace(tmp_path / "ws")
    bicep = workspace / "infra/provision/inference.bicep"
    bicep.write_text(bicep.read_text() + "\n// changed since inference.json was compiled\n")
    ran = run_cli(
        workspace,
        lc,
        "manual",
        "-s",
        SUB,
        "-g",
        "rg",
        HOME=str(tmp_path / "home"),
        PATH=os.path.dirname(sys.executable) + os.pathsep + "/usr/bin:/bin",
    )
    assert ran.code == 0, ran.output
    assert f"--template-file {bicep} " in ran.stdout
