"""The operating commands' options: `bicep install`, `ci github`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from orchestrator.cliopts import common_options as _common
from orchestrator.cliopts import run as _run

if TYPE_CHECKING:
    from orchestrator.app import App
    from orchestrator.invocation import Invocation
    from orchestrator.result import CommandResult


@click.group()
def bicep() -> None:
    """The Bicep CLI that compiles infra/provision/*.bicep."""


@bicep.command("install")
@_common
@click.option(
    "--version",
    "version",
    default=None,
    metavar="vX.Y.Z",
    help="A release other than the pinned one (installed unverified).",
)
@click.option(
    "--platform",
    default=None,
    help="linux-x64, linux-arm64, linux-musl-x64, osx-x64, osx-arm64, win-x64 or win-arm64 "
    "(default: this machine's).",
)
@click.option("--yes", "-y", is_flag=True, help="Do not ask; answer yes.")
def bicep_install(
    workspace: Path | None,
    as_json: bool,
    debug: bool,
    cloud: str | None,
    version: str | None,
    platform: str | None,
    yes: bool,
) -> None:
    """Install the pinned, checksum-verified Bicep CLI where `az bicep install` puts it."""

    def call(inv: Invocation, app: App) -> CommandResult:
        from orchestrator.commands import bicep as command

        return command.run(inv, version=version, platform=platform, yes=yes)

    _run("bicep install", workspace, as_json=as_json, cloud=cloud, debug=debug, call=call)


@click.group()
def ci() -> None:
    """CI workflows that deploy, signed in with OpenID Connect."""


@ci.command("github")
@_common
@click.option("--name", default="inference", show_default=True, help="Workflow file NAME.yml.")
@click.option(
    "--environment",
    default="production",
    show_default=True,
    help="GitHub environment of the jobs (its protection rules; the OIDC subject). "
    "'' for none: the subject then names the branch.",
)
@click.option("--branch", default="main", show_default=True, help="Pushes to it deploy.")
@click.option("--finetune", is_flag=True, help="Add a fine-tuning job, run by hand.")
@click.option("--repo", default=None, metavar="OWNER/REPO", help="Default: the origin remote.")
@click.option(
    "--install",
    default=None,
    metavar="REQUIREMENT",
    help="What the jobs `pip install` (default: this version of the orchestrator).",
)
@click.option(
    "--runs-on",
    default="ubuntu-latest",
    show_default=True,
    metavar="LABEL",
    help="Runner label (a self-hosted runner for fine-tuning runs over 6 hours).",
)
@click.option("--force", is_flag=True, help="Replace a workflow file changed since written.")
def ci_github(
    workspace: Path | None,
    as_json: bool,
    debug: bool,
    cloud: str | None,
    name: str,
    environment: str,
    branch: str,
    finetune: bool,
    repo: str | None,
    install: str | None,
    runs_on: str,
    force: bool,
) -> None:
    """Write .github/workflows/NAME.yml (provision + deploy with OIDC) and print the set-up."""

    def call(inv: Invocation, app: App) -> CommandResult:
        from orchestrator.commands import ci as command

        return command.run(
            inv,
            name=name,
            environment=environment,
            branch=branch,
            finetune=finetune,
            repo=repo,
            install=install,
            runs_on=runs_on,
            force=force,
        )

    _run("ci github", workspace, as_json=as_json, cloud=cloud, debug=debug, call=call)
