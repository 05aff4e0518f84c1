"""`orchestrator ci github`: write `.github/workflows/<name>.yml` that provisions and deploys on a
push to the branch (and, with `--finetune`, fine-tunes when run by hand), signing in with
OpenID Connect; print the one-time commands that create the matching federated credential.

The workflow lands in the repository's root (`git rev-parse --show-toplevel`; the workspace
when it is not in a git repository); a workspace in a subfolder becomes the jobs'
working directory. Owner and repository come from `--repo`, else the `origin` remote.
A file changed since it was written is kept unless `--force` (see `orchestrator.ci.render`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from orchestrator import jsonio
from orchestrator.ci import render
from orchestrator.ci.federation import (
    AUDIENCE,
    ISSUER,
    PLACEHOLDER_GROUP,
    UNKNOWN,
    Repository,
    Scope,
    setup_commands,
    subject,
)
from orchestrator.ci.gitremote import Git, origin_repository, repository_root, run_git
from orchestrator.ci.names import (
    check_branch,
    check_environment,
    check_relative_dir,
    check_repository,
    check_requirement,
    check_runner_label,
    check_workflow_name,
)
from orchestrator.ci.spec import (
    DEFAULT_REPLICA_TIMEOUT,
    PACKAGE,
    WorkflowSpec,
    replica_timeout_of,
)
from orchestrator.errors import InputError
from orchestrator.invocation import Invocation
from orchestrator.result import CommandResult, Message
from orchestrator.settings import DEPLOY_TIMEOUT, PROVISION_TIMEOUT
from orchestrator.workspace import Workspace

FINETUNING_PARAMETERS = "finetuning.parameters.json"


def run(
    inv: Invocation,
    *,
    name: str = "inference",
    environment: str = "production",
    branch: str = "main",
    finetune: bool = False,
    repo: str | None = None,
    install: str | None = None,
    runs_on: str = "ubuntu-latest",
    force: bool = False,
    git: Git | None = None,
) -> CommandResult:
    ws = inv.workspace
    git = git or run_git(ws.root)
    root = repository_root(git) or ws.root
    replica_timeout, timeout_note = _replica_timeout(ws) if finetune else (0, "")
    spec = WorkflowSpec(
        name=check_workflow_name(name, "--name"),
        branch=check_branch(branch, "--branch"),
        environment=check_environment(environment, "--environment") if environment else "",
        finetune=finetune,
        working_directory=_inside(ws.root, root),
        provision_timeout=int(PROVISION_TIMEOUT),
        deploy_timeout=int(DEPLOY_TIMEOUT),
        replica_timeout=replica_timeout,
        package=check_requirement(install, "--install") if install else PACKAGE,
        runs_on=check_runner_label(runs_on, "--runs-on"),
    )
    repository = _repository(repo, git)
    path = root / ".github" / "workflows" / spec.filename
    status = _write(path, render.document(spec), force)
    notes = [timeout_note] if timeout_note else []
    return _result(spec, repository, _scope(ws), path, status, notes)


def _inside(workspace: Path, root: Path) -> str:
    try:
        relative = workspace.resolve().relative_to(root.resolve())
    except ValueError:
        return ""
    return check_relative_dir(relative.as_posix(), "the workspace folder")


def _repository(repo: str | None, git: Git) -> Repository:
    if repo:
        return Repository(*check_repository(repo, "--repo"))
    return origin_repository(git) or UNKNOWN


def _replica_timeout(ws: Workspace) -> tuple[int, str]:
    """The fine-tuning job's replicaTimeout from its parameters file, else the default."""
    path = ws.provision_dir / FINETUNING_PARAMETERS
    shown = ws.shown(path)
    try:
        found = replica_timeout_of(jsonio.load_json(path, shown)) if path.is_file() else None
    except InputError:
        found = None
    if found is not None:
        return found, ""
    return DEFAULT_REPLICA_TIMEOUT, (
        f"no `timeout` in {shown}: the fine-tune job's timeout assumes a replicaTimeout of "
        f"{DEFAULT_REPLICA_TIMEOUT} s"
    )


def _scope(ws: Workspace) -> Scope:
    """Subscription and group from the inference config, when it names them."""
    try:
        config = jsonio.load_json(ws.config) if ws.config.is_file() else {}
    except InputError:
        config = {}
    if not isinstance(config, Mapping):
        return Scope()
    return Scope(_text(config, "SUBSCRIPTION_ID"), _text(config, "RESOURCE_GROUP_NAME"))


def _text(config: Mapping[str, Any], key: str) -> str:
    value = config.get(key)
    return value.strip() if isinstance(value, str) else ""


def _write(path: Path, new: str, force: bool) -> str:
    """Write `new` unless a changed file is in the way; what happened."""
    _check_folders(path)
    try:
        current = path.read_text(encoding="utf-8") if path.exists() else None
    except UnicodeDecodeError:
        raise InputError(
            f"{path}: cannot read the existing workflow (not UTF-8 text); kept as is"
        ) from None
    except OSError as exc:
        reason = "a folder" if path.is_dir() else exc.strerror
        raise InputError(f"{path}: cannot read the existing workflow ({reason})") from None
    state = render.classify(current, new)
    if state is render.Existing.SAME:
        return str(state.value)
    if state is render.Existing.CHANGED and not force:
        raise InputError(
            f"{path}: changed since it was written (or not written by this tool); kept as is",
            hint="compare it with the new workflow, then run again with --force to replace it",
        )
    try:
        jsonio.write_atomic(path, new)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the workflow ({exc.strerror})") from None
    return "replaced" if state is render.Existing.CHANGED else str(state.value)


def _check_folders(path: Path) -> None:
    """Exit 2 naming the first of the workflow's folders that is a file."""
    for folder in reversed(path.parents):
        if folder.exists() and not folder.is_dir():
            raise InputError(
                f"{folder}: is a file, where the workflow's folder should be; kept as is",
                hint="move it away, or run in another workspace",
            )


def _result(
    spec: WorkflowSpec,
    repository: Repository,
    scope: Scope,
    path: Path,
    status: str,
    notes: list[str],
) -> CommandResult:
    the_subject = subject(repository, spec)
    commands = setup_commands(repository, spec, scope)
    messages = [Message(f"{status}: {path}", "success")]
    messages += [Message(note, "warning") for note in [*notes, *spec.warnings()]]
    if not scope.resource_group:
        messages.append(
            Message(
                f"no resource group in the inference config yet: set RESOURCE_GROUP below "
                f"(it reads {PLACEHOLDER_GROUP})",
                "warning",
            )
        )
    if not repository.known:
        messages.append(
            Message(
                "the git remote `origin` does not name a github.com repository: replace "
                "OWNER/REPO below, or run again with --repo OWNER/REPO",
                "warning",
            )
        )
    messages.append(Message(f"federated credential subject: {the_subject}"))
    messages.append(Message("one-time set-up (az login and gh auth login first):"))
    messages += [Message(command, "detail") for command in commands]
    data = {
        "path": str(path),
        "status": status,
        "repository": repository.slug if repository.known else None,
        "federatedCredential": {"issuer": ISSUER, "subject": the_subject, "audience": AUDIENCE},
        "jobs": {job.id: {"timeoutMinutes": job.minutes} for job in render.jobs(spec)},
        "setupCommands": commands,
    }
    return CommandResult("ci github", data=data, messages=tuple(messages))
