"""`orchestrator ci github` decisions: value rules, the spec, the render, the replace decision,
the federated credential and the git remote (no I/O)."""

from __future__ import annotations

import dataclasses
import json
import shlex
from collections.abc import Sequence
from typing import Any

import pytest

from orchestrator.ci.federation import (
    AUDIENCE,
    ISSUER,
    Repository,
    Scope,
    credential_parameters,
    setup_commands,
    subject,
)
from orchestrator.ci.gitremote import origin_repository, parse_remote, repository_root
from orchestrator.ci.names import (
    check_branch,
    check_environment,
    check_relative_dir,
    check_repository,
    check_requirement,
    check_runner_label,
    check_workflow_name,
)
from orchestrator.ci.render import Existing, body, classify, document, jobs
from orchestrator.ci.spec import WorkflowSpec, replica_timeout_of
from orchestrator.errors import InputError

REPO = Repository("contoso", "toolkit")


BASE = WorkflowSpec(
    name="inference",
    branch="main",
    environment="production",
    finetune=False,
    working_directory="",
    provision_timeout=7200,
    deploy_timeout=1500,
    replica_timeout=10800,
)


def spec(**changes: Any) -> WorkflowSpec:
    return dataclasses.replace(BASE, **changes)


@pytest.mark.parametrize("value", ["main", "release/1.0", "feature/x_y-z", "v1.2"])
def test_plain_branch_names_pass(value: str) -> None:
    assert check_branch(value, "--branch") == value


@pytest.mark.parametrize(
    "value",
    [
        "",
        "main*",
        "feat/**",
        "a..b",
        "a b",
        "x.lock",
        "/main",
        "main/",
        "a//b",
        ".hidden",
        "a/.b",
        "-x",
        "main\n",
        "it's",
        "${{ github.actor }}",
        'a"b',
        "a:b",
    ],
)
def test_branch_names_that_could_change_the_workflow_are_refused(value: str) -> None:
    with pytest.raises(InputError, match=r"--branch: .* is not a usable branch name"):
        check_branch(value, "--branch")


@pytest.mark.parametrize("value", ["", "a b", "x.yml", "-x", "a/b", "a" * 64, "${{x}}"])
def test_workflow_names_are_plain(value: str) -> None:
    with pytest.raises(InputError, match="--name"):
        check_workflow_name(value, "--name")


@pytest.mark.parametrize("value", ["prod:1", "a b", "'x'", "-x", "a/b", "e" * 65])
def test_environment_names_that_would_change_the_subject_are_refused(value: str) -> None:
    with pytest.raises(InputError, match="--environment"):
        check_environment(value, "--environment")


@pytest.mark.parametrize("value", ["contoso", "contoso/", "/repo", "a--b/x", "-a/x", "o/r/x"])
def test_repositories_are_owner_slash_name(value: str) -> None:
    with pytest.raises(InputError, match="--repo"):
        check_repository(value, "--repo")


def test_a_relative_workspace_folder_becomes_the_working_directory() -> None:
    assert check_relative_dir("models/phi", "w") == "models/phi"
    assert check_relative_dir(".", "w") == ""
    with pytest.raises(InputError):
        check_relative_dir("my models/phi", "w")


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        ("https://github.com/contoso/toolkit.git", "contoso/toolkit"),
        ("https://github.com/contoso/toolkit", "contoso/toolkit"),
        ("https://token@github.com/contoso/toolkit/", "contoso/toolkit"),
        ("git@github.com:contoso/toolkit.git", "contoso/toolkit"),
        ("ssh://git@github.com/contoso/tool.kit.git", "contoso/tool.kit"),
    ],
)
def test_github_remotes_name_owner_and_repository(url: str, slug: str) -> None:
    found = parse_remote(url)
    assert found is not None and found.slug == slug


@pytest.mark.parametrize(
    "url", ["https://gitlab.com/a/b.git", "git@example.com:a/b.git", "https://github.com/a"]
)
def test_other_remotes_are_unknown(url: str) -> None:
    assert parse_remote(url) is None


def test_git_answers_are_read_through_the_given_runner() -> None:
    answers = {
        ("rev-parse", "--show-toplevel"): "/src/repo",
        ("remote", "get-url", "origin"): "git@github.com:contoso/toolkit.git",
    }

    def git(args: Sequence[str]) -> str | None:
        return answers.get(tuple(args))

    assert str(repository_root(git)) == "/src/repo"
    assert origin_repository(git) == REPO
    assert origin_repository(lambda args: None) is None


def test_the_subject_names_the_environment_else_the_branch() -> None:
    assert subject(REPO, spec()) == "repo:contoso/toolkit:environment:production"
    no_env = spec(environment="", branch="release/2")
    assert subject(REPO, no_env) == "repo:contoso/toolkit:ref:refs/heads/release/2"


def test_the_federated_credential_has_githubs_issuer_and_entras_audience() -> None:
    parameters = credential_parameters(REPO, spec(environment="", branch="release/2"))
    assert parameters["issuer"] == ISSUER == "https://token.actions.githubusercontent.com"
    assert parameters["audiences"] == [AUDIENCE] == ["api://AzureADTokenExchange"]
    assert parameters["name"] == "github-contoso-toolkit-release-2"


def test_the_setup_commands_create_the_credential_with_those_parameters() -> None:
    commands = setup_commands(REPO, spec(), Scope("0000-sub", "rg-ai"))
    create = next(c for c in commands if "federated-credential create" in c)
    words = shlex.split(create)
    assert json.loads(words[words.index("--parameters") + 1]) == credential_parameters(REPO, spec())
    assert commands[:2] == ["SUBSCRIPTION_ID=0000-sub", "RESOURCE_GROUP=rg-ai"]
    variables = [c for c in commands if c.startswith("gh variable set")]
    assert len(variables) == 4
    assert all("--repo contoso/toolkit --env production" in c for c in variables)


def test_deploy_timeout_covers_provision_and_deploy() -> None:
    assert spec().deploy_minutes >= (7200 + 1500) / 60


def test_finetune_timeout_covers_the_replica_timeout_with_slack() -> None:
    assert spec(finetune=True).finetune_minutes >= 10800 / 60 + 30
    assert spec(finetune=True).warnings() == []
    assert "GitHub-hosted runners" in spec(finetune=True, replica_timeout=21600).warnings()[0]
    own_runner = spec(finetune=True, replica_timeout=21600, runs_on="gpu-runner")
    assert own_runner.warnings() == []


def test_replica_timeout_is_read_from_a_parameters_document() -> None:
    assert replica_timeout_of({"parameters": {"timeout": {"value": 10800}}}) == 10800
    assert replica_timeout_of({"parameters": {"timeout": {"value": "10800"}}}) is None
    assert replica_timeout_of({"parameters": {"timeout": {"value": True}}}) is None
    assert replica_timeout_of({}) is None


def test_finetune_adds_a_job_run_by_hand_only() -> None:
    ids = [(job.id, job.condition) for job in jobs(spec(finetune=True))]
    assert ids == [
        ("deploy", "github.event_name == 'push' || inputs.run == 'deploy'"),
        ("finetune", "github.event_name == 'workflow_dispatch' && inputs.run == 'finetune'"),
    ]
    assert [job.id for job in jobs(spec())] == ["deploy"]
    assert [job.condition for job in jobs(spec())] == [""]


def test_run_steps_carry_no_expressions() -> None:
    text = body(spec(finetune=True, working_directory="models/phi"))
    run_lines = [line for line in text.splitlines() if line.strip().startswith("run:")]
    assert run_lines and not any("${{" in line for line in run_lines)


def test_an_unchanged_generated_file_may_be_replaced_and_an_edited_one_not() -> None:
    written = document(spec())
    assert classify(None, written) is Existing.NONE
    assert classify(written, written) is Existing.SAME
    assert classify(written, document(spec(finetune=True))) is Existing.OURS
    edited = written.replace("ubuntu-latest", "self-hosted")
    assert edited != written
    assert classify(edited, written) is Existing.CHANGED
    assert classify("name: mine\n", written) is Existing.CHANGED


@pytest.mark.parametrize(
    "value",
    [
        "aca-inference-orchestrator==0.1.0",
        "git+https://github.com/contoso/orchestrator@0123abcd#egg=aca-inference-orchestrator",
        "aca-inference-orchestrator[azcli]>=0.1,<0.2",
    ],
)
def test_pip_requirements_and_urls_may_be_installed(value: str) -> None:
    assert check_requirement(value, "--install") == value


@pytest.mark.parametrize(
    "value", ["", "a b", "x; curl evil", "$(id)", "${{ github.head_ref }}", "a'b", "-e .", "x\n"]
)
def test_anything_a_shell_would_read_differently_is_not_installed(value: str) -> None:
    with pytest.raises(InputError, match="--install"):
        check_requirement(value, "--install")


@pytest.mark.parametrize("value", ["", "a b", "${{ matrix.os }}", "[self-hosted]", "x\n"])
def test_a_runner_is_one_plain_label(value: str) -> None:
    with pytest.raises(InputError, match="--runs-on"):
        check_runner_label(value, "--runs-on")
