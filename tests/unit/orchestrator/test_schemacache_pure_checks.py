"""Pure checks other than schemas remembered in the workspace (`SchemaChecks.pure_problems`),
and the template lint of `provision` remembered through it (`prepare.lint_problems`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from orchestrator.compile import CompiledTemplate
from orchestrator.errors import Problem
from orchestrator.parameters import FinalParameters
from orchestrator.provision import armexpr, gpuneeds, lint
from orchestrator.provision.prepare import LINT_CODE, lint_problems
from orchestrator.schemacache import (
    CACHE_FILE,
    EVERY_TIME,
    SchemaChecks,
    check_key,
    code_identity,
)
from orchestrator.workspace import Workspace

INPUTS = ({"n": 3}, ["a", None])
PROBLEM = Problem("f.json", "n", "is 3", "less")
ENV_TYPE = "Microsoft.App/managedEnvironments"


def counting(found: list[Problem]) -> tuple[Callable[[], list[Problem]], list[int]]:
    """A check that answers `found`, and the list its runs are counted in."""
    runs: list[int] = []

    def run() -> list[Problem]:
        runs.append(1)
        return list(found)

    return run, runs


def code_file(tmp_path: Path) -> list[str]:
    path = tmp_path / "check.py"
    path.write_text("RULE = 1\n")
    return [str(path)]


def checked_and_saved(
    workspace: Workspace, code: list[str], run: Callable[[], list[Problem]], inputs: Any = INPUTS
) -> list[Problem]:
    checks = SchemaChecks(workspace)
    found = checks.pure_problems("check", code, inputs, run)
    checks.save()
    return found


def test_a_pure_check_pass_is_kept_and_the_check_not_run_again(tmp_path: Path) -> None:
    workspace, code = Workspace(tmp_path / "ws"), code_file(tmp_path)
    run, runs = counting([])
    assert checked_and_saved(workspace, code, run) == []
    assert checked_and_saved(workspace, code, run) == []
    assert runs == [1]
    key = check_key(code_identity("check", code), *INPUTS)
    assert json.loads((workspace.state_dir / CACHE_FILE).read_text()) == {key: "passed"}


def test_other_inputs_or_another_check_name_run_it_again(tmp_path: Path) -> None:
    workspace, code = Workspace(tmp_path / "ws"), code_file(tmp_path)
    run, runs = counting([])
    checked_and_saved(workspace, code, run)
    checked_and_saved(workspace, code, run, ({"n": 4}, ["a", None]))
    checks = SchemaChecks(workspace)
    assert checks.pure_problems("another check", code, INPUTS, run) == []
    assert runs == [1, 1, 1]


def test_a_changed_code_file_runs_a_pure_check_again(tmp_path: Path) -> None:
    workspace, code = Workspace(tmp_path / "ws"), code_file(tmp_path)
    run, runs = counting([])
    checked_and_saved(workspace, code, run)
    Path(code[0]).write_text("RULE = 12\n")
    checked_and_saved(workspace, code, run)
    checked_and_saved(workspace, code, run)
    assert runs == [1, 1]


def test_a_pure_check_with_problems_runs_every_time_and_is_never_kept(tmp_path: Path) -> None:
    workspace, code = Workspace(tmp_path / "ws"), code_file(tmp_path)
    run, runs = counting([PROBLEM])
    assert checked_and_saved(workspace, code, run) == [PROBLEM]
    assert checked_and_saved(workspace, code, run) == [PROBLEM]
    assert runs == [1, 1]
    assert not (workspace.state_dir / CACHE_FILE).exists()


def test_inputs_that_are_not_plain_json_run_every_time(tmp_path: Path) -> None:
    workspace, code = Workspace(tmp_path / "ws"), code_file(tmp_path)
    run, runs = counting([])
    for _ in range(2):
        checked_and_saved(workspace, code, run, ({"n": (1, 2)},))
    assert runs == [1, 1]
    assert not (workspace.state_dir / CACHE_FILE).exists()


def test_checking_every_time_runs_a_pure_check_each_time(tmp_path: Path) -> None:
    code = code_file(tmp_path)
    run, runs = counting([])
    for _ in range(2):
        assert EVERY_TIME.pure_problems("check", code, INPUTS, run) == []
        EVERY_TIME.save()
    assert runs == [1, 1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["check.py"]


def test_the_lint_code_is_the_lint_module_and_the_modules_it_imports() -> None:
    assert list(LINT_CODE) == [lint.__file__, gpuneeds.__file__, armexpr.__file__]
    assert "absent" not in code_identity("template lint", LINT_CODE)


def serverless_with_counts(token_type: str = "string") -> CompiledTemplate:
    """A template whose serverless profile has a minimumCount (a lint problem)."""
    profile = {"name": "Consumption", "workloadProfileType": "Consumption", "minimumCount": 0}
    environment = {"type": ENV_TYPE, "name": "env", "properties": {"workloadProfiles": [profile]}}
    template = {"parameters": {"token": {"type": token_type}}, "resources": [environment]}
    return CompiledTemplate(template, "t.json", "ARM JSON given")


def lint_pass_recorded(workspace: Workspace, final: FinalParameters, t: CompiledTemplate) -> None:
    """A cache saying (wrongly) that the lint of `t` over `final` passed."""
    key = check_key(code_identity("template lint", LINT_CODE), t.template, final.values)
    assert key is not None
    workspace.ensure_state_dir()
    (workspace.state_dir / CACHE_FILE).write_text(json.dumps({key: "passed"}))


def test_a_remembered_lint_pass_is_believed_but_checking_every_time_lints(tmp_path: Path) -> None:
    workspace, template = Workspace(tmp_path), serverless_with_counts()
    final = FinalParameters(values={"token": "plain"}, source="p.json")
    lint_pass_recorded(workspace, final, template)
    assert lint_problems(final, template, SchemaChecks(workspace)) == []  # nothing was linted
    found = lint_problems(final, template)  # EVERY_TIME
    assert [p.path for p in found] == ["$.resources[0].properties.workloadProfiles[0].minimumCount"]


def test_values_holding_a_secret_are_linted_every_time_and_never_remembered(
    tmp_path: Path,
) -> None:
    workspace = Workspace(tmp_path)
    from_env = FinalParameters(
        values={"token": "a s3cr3t"}, source="p.json", secrets=frozenset({"s3cr3t"})
    )
    secure = FinalParameters(values={"token": "hunter2"}, source="p.json")
    for final, template in (
        (from_env, serverless_with_counts()),
        (secure, serverless_with_counts("securestring")),
    ):
        lint_pass_recorded(workspace, final, template)
        checks = SchemaChecks(workspace)
        assert lint_problems(final, template, checks) != []  # linted despite the record
        clean = CompiledTemplate({"parameters": template.template["parameters"]}, "t.json", "")
        assert lint_problems(final, clean, checks) == []
        (workspace.state_dir / CACHE_FILE).unlink()
        checks.save()
        assert not (workspace.state_dir / CACHE_FILE).exists()
