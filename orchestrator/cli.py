"""Command-line parsing only: each command parses its typed options and calls
`orchestrator.commands.<name>.run(inv, app, ...)`, which returns a CommandResult that
`render` prints.

Imports of anything heavy (the Azure SDK, jsonschema, jinja2, rich) happen inside the
commands, so `orchestrator --help` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from orchestrator import __version__
from orchestrator.options import DeploymentName, Seconds
from orchestrator.settings import DEPLOY_TIMEOUT, PROVISION_TIMEOUT

if TYPE_CHECKING:
    from orchestrator.app import App
    from orchestrator.invocation import Invocation
    from orchestrator.result import CommandResult

F = TypeVar("F", bound=Callable[..., None])
Call = Callable[["Invocation", "App"], "CommandResult"]

CLOUDS = click.Choice(["azure", "local"], case_sensitive=False)


def _common(func: F) -> F:
    func = click.option(
        "-w",
        "--workspace",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Workspace root (default: the nearest folder above with infra/).",
    )(func)
    func = click.option(
        "--json", "as_json", is_flag=True, help="One JSON document on stdout; NDJSON on stderr."
    )(func)
    func = click.option("--debug", is_flag=True, help="Show the Azure SDK's log lines.")(func)
    func = click.option(
        "--cloud", type=CLOUDS, default=None, help="azure (default) or local (localcloud)."
    )(func)
    return func


def _target(func: F) -> F:
    func = click.option("--subscription", "-s", default=None, help="Subscription ID.")(func)
    func = click.option("--resource-group", "-g", default=None, help="Resource group name.")(func)
    func = click.option("--location", "-l", default=None, help="Azure region.")(func)
    return func


def _parameters(func: F) -> F:
    func = click.option(
        "--param",
        "-p",
        "params",
        multiple=True,
        metavar="NAME=VALUE",
        help="Override a parameter (VALUE parsed as JSON when it parses); repeatable, later wins.",
    )(func)
    func = click.option(
        "--parameters",
        "parameters_file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Parameters file (default: infra/provision/inference.parameters.json).",
    )(func)
    func = click.option(
        "--template",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Template: .bicep (compiled) or ARM .json (default: infra/provision/inference.bicep).",
    )(func)
    return func


def _run(
    command: str,
    workspace: Path | None,
    *,
    as_json: bool,
    cloud: str | None,
    debug: bool,
    call: Call,
    start_localcloud: bool = True,
) -> None:
    """Read the settings, build the invocation and the services, run, render, exit."""
    import os

    from orchestrator.app import App, configure_logging
    from orchestrator.errors import error_handler
    from orchestrator.invocation import make_invocation
    from orchestrator.render import render
    from orchestrator.settings import read_settings

    root = click.get_current_context().find_root().params
    debug = debug or bool(root.get("debug"))
    configure_logging(debug, sys.stderr)
    with error_handler(json_command=command if as_json else "") as code:
        interactive = sys.stdin.isatty() and sys.stdout.isatty() and not as_json
        settings = read_settings(os.environ, cloud=cloud, debug=debug, interactive=interactive)
        configure_logging(settings.debug, sys.stderr)
        inv = make_invocation(workspace, settings, as_json=as_json)
        app = App(
            settings, stderr=sys.stderr, as_json=as_json, may_start_localcloud=start_localcloud
        )
        code[0] = render(call(inv, app), as_json=as_json, out=sys.stdout)
    sys.exit(code[0])


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="orchestrator")
@click.option("--debug", is_flag=True, help="Show the Azure SDK's log lines (any command).")
def cli(debug: bool) -> None:
    """Provision and deploy AI Toolkit inference on Azure Container Apps.

    The terminal version of the AI Toolkit's "Provision Azure Container Apps for inference"
    and "Deploy for inference". `--cloud local` (or ORCHESTRATOR_CLOUD=local) runs
    everything against localcloud, the embedded stand-in for Azure.
    """


@cli.command()
@_common
@_parameters
@click.option("--online", is_flag=True, help="Also check that the resources in the config exist.")
def validate(
    workspace: Path | None,
    as_json: bool,
    debug: bool,
    cloud: str | None,
    template: Path | None,
    parameters_file: Path | None,
    params: tuple[str, ...],
    online: bool,
) -> None:
    """Check the workspace's parameters, template and config files offline."""

    def call(inv: Invocation, app: App) -> CommandResult:
        from orchestrator.commands import validate as command

        return command.run(
            inv,
            app,
            template=template,
            parameters_file=parameters_file,
            params=params,
            online=online,
        )

    _run("validate", workspace, as_json=as_json, cloud=cloud, debug=debug, call=call)


@cli.command()
@_common
@_target
@_parameters
@click.option("--create-resource-group", is_flag=True, help="Create the group if missing.")
@click.option("--force", is_flag=True, help="Deploy even when nothing changed.")
@click.option("--preview", is_flag=True, help="Show the what-if plan and ask before deploying.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask; answer yes.")
@click.option("--no-wait", is_flag=True, help="Return after creating the deployment.")
@click.option(
    "--on-interrupt",
    type=click.Choice(["ask", "leave", "cancel"]),
    default="ask",
    help="On Ctrl-C: ask (terminal), leave the deployment running, or cancel it.",
)
@click.option(
    "--timeout",
    type=Seconds(),
    default=PROVISION_TIMEOUT,
    show_default=True,
    help="Seconds to watch before giving up.",
)
def provision(
    workspace: Path | None,
    as_json: bool,
    debug: bool,
    cloud: str | None,
    subscription: str | None,
    resource_group: str | None,
    location: str | None,
    template: Path | None,
    parameters_file: Path | None,
    params: tuple[str, ...],
    create_resource_group: bool,
    force: bool,
    preview: bool,
    yes: bool,
    no_wait: bool,
    on_interrupt: str,
    timeout: float,
) -> None:
    """Deploy infra/provision/inference.bicep and write the outputs into the config."""

    def call(inv: Invocation, app: App) -> CommandResult:
        from orchestrator.commands import provision as command
        from orchestrator.provision.pipeline import Options
        from orchestrator.provision.prepare import Request
        from orchestrator.provision.target import TargetFlags

        flags = TargetFlags(subscription, resource_group, location)
        request = Request(flags, template, parameters_file, params)
        options = Options(
            create_resource_group, force, preview, yes, no_wait, on_interrupt, timeout
        )
        return command.run(inv, app, request, options)

    _run("provision", workspace, as_json=as_json, cloud=cloud, debug=debug, call=call)


@cli.command()
@_common
@_target
@_parameters
@click.option("--exit-code", is_flag=True, help="Exit 4 when the plan has changes.")
def plan(
    workspace: Path | None,
    as_json: bool,
    debug: bool,
    cloud: str | None,
    subscription: str | None,
    resource_group: str | None,
    location: str | None,
    template: Path | None,
    parameters_file: Path | None,
    params: tuple[str, ...],
    exit_code: bool,
) -> None:
    """Show what a provision would change (ARM what-if)."""

    def call(inv: Invocation, app: App) -> CommandResult:
        from orchestrator.commands import plan as command
        from orchestrator.provision.prepare import Request
        from orchestrator.provision.target import TargetFlags

        flags = TargetFlags(subscription, resource_group, location)
        request = Request(flags, template, parameters_file, params)
        return command.run(inv, app, request, exit_code=exit_code)

    _run("plan", workspace, as_json=as_json, cloud=cloud, debug=debug, call=call)


@cli.command()
@_common
@_target
@click.option(
    "--deployment",
    type=DeploymentName(),
    default=None,
    help="Deployment name (default: the recorded one).",
)
def attach(
    workspace: Path | None,
    as_json: bool,
    debug: bool,
    cloud: str | None,
    subscription: str | None,
    resource_group: str | None,
    location: str | None,
    deployment: str | None,
) -> None:
    """Resume watching an in-flight deployment and record its outputs."""

    def call(inv: Invocation, app: App) -> CommandResult:
        from orchestrator.commands import attach as command
        from orchestrator.provision.target import TargetFlags

        flags = TargetFlags(subscription, resource_group, location)
        return command.run(inv, app, flags, deployment=deployment)

    _run("attach", workspace, as_json=as_json, cloud=cloud, debug=debug, call=call)


@cli.command()
@_common
@_target
def status(
    workspace: Path | None,
    as_json: bool,
    debug: bool,
    cloud: str | None,
    subscription: str | None,
    resource_group: str | None,
    location: str | None,
) -> None:
    """Show the target, the last deployment, the app's health and the endpoint."""

    def call(inv: Invocation, app: App) -> CommandResult:
        from orchestrator.commands import status as command
        from orchestrator.provision.target import TargetFlags

        return command.run(inv, app, TargetFlags(subscription, resource_group, location))

    _run(
        "status",
        workspace,
        as_json=as_json,
        cloud=cloud,
        debug=debug,
        call=call,
        start_localcloud=False,
    )


@cli.command()
@_common
@_target
@click.option(
    "--deployment",
    type=DeploymentName(),
    default=None,
    help="Deployment name (default: the latest).",
)
@click.option("--write", is_flag=True, help="Write the outputs into infra/inference.config.json.")
def outputs(
    workspace: Path | None,
    as_json: bool,
    debug: bool,
    cloud: str | None,
    subscription: str | None,
    resource_group: str | None,
    location: str | None,
    deployment: str | None,
    write: bool,
) -> None:
    """Print (or write) the outputs of a deployment - also one made by hand."""

    def call(inv: Invocation, app: App) -> CommandResult:
        from orchestrator.commands import outputs as command
        from orchestrator.provision.target import TargetFlags

        flags = TargetFlags(subscription, resource_group, location)
        return command.run(inv, app, flags, deployment=deployment, write=write)

    _run("outputs", workspace, as_json=as_json, cloud=cloud, debug=debug, call=call)


@cli.command()
@_common
@_target
@_parameters
@click.option(
    "--script",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write a script.",
)
def manual(
    workspace: Path | None,
    as_json: bool,
    debug: bool,
    cloud: str | None,
    subscription: str | None,
    resource_group: str | None,
    location: str | None,
    template: Path | None,
    parameters_file: Path | None,
    params: tuple[str, ...],
    script: Path | None,
) -> None:
    """The manual fallback: the exact `az deployment group create` to run yourself."""

    def call(inv: Invocation, app: App) -> CommandResult:
        from orchestrator.commands import manual as command

        return command.run(
            inv,
            app,
            subscription=subscription,
            resource_group=resource_group,
            location=location,
            template=template,
            parameters_file=parameters_file,
            params=params,
            script=script,
        )

    _run("manual", workspace, as_json=as_json, cloud=cloud, debug=debug, call=call)


@cli.command()
@_common
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="FOLDER",
    help="Folder to sync (repeatable; default: inference and setup).",
)
@click.option("--delete", is_flag=True, help="Delete remote files that no longer exist locally.")
@click.option("--dry-run", is_flag=True, help="Print the sync plan; change nothing.")
@click.option("--no-restart", is_flag=True, help="Upload only; do not restart the replica.")
@click.option(
    "--timeout",
    type=Seconds(),
    default=DEPLOY_TIMEOUT,
    show_default=True,
    help="Seconds to wait for the endpoint.",
)
def deploy(
    workspace: Path | None,
    as_json: bool,
    debug: bool,
    cloud: str | None,
    sources: tuple[str, ...],
    delete: bool,
    dry_run: bool,
    no_restart: bool,
    timeout: float,
) -> None:
    """Sync the inference code to the file share, restart, wait until the endpoint answers."""

    def call(inv: Invocation, app: App) -> CommandResult:
        from orchestrator.commands import deploy as command
        from orchestrator.deploy.pipeline import Options

        options = Options(sources, delete, dry_run, not no_restart, timeout)
        return command.run(inv, app, options)

    _run("deploy", workspace, as_json=as_json, cloud=cloud, debug=debug, call=call)


@cli.command()
@_common
@click.option("--follow", "-f", is_flag=True, help="Keep streaming new lines.")
@click.option(
    "--tail",
    type=click.IntRange(min=0, clamp=True),
    default=100,
    help="Lines of history to show first.",
)
def logs(
    workspace: Path | None, as_json: bool, debug: bool, cloud: str | None, follow: bool, tail: int
) -> None:
    """Stream the inference app's console output."""

    def call(inv: Invocation, app: App) -> CommandResult:
        from orchestrator.commands import logs as command

        return command.run(inv, app, follow=follow, tail=tail)

    _run("logs", workspace, as_json=as_json, cloud=cloud, debug=debug, call=call)


@cli.group()
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


@cli.group()
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


def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, prog_name="orchestrator", standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0
