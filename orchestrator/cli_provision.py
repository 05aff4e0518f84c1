"""The provision-side commands' options: validate, provision, plan, attach, status, outputs,
manual (each calls `orchestrator.commands.<name>.run`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from orchestrator.cli_operate import skip_quota_option
from orchestrator.cliopts import (
    FILE,
    bicep_option,
    common_options,
    parameter_options,
    run,
    target_options,
)
from orchestrator.options import DeploymentName, Seconds
from orchestrator.settings import PROVISION_TIMEOUT

if TYPE_CHECKING:
    from orchestrator.app import App
    from orchestrator.invocation import Invocation
    from orchestrator.result import CommandResult


@click.command()
@common_options
@parameter_options
@bicep_option
@click.option("--online", is_flag=True, help="Also check that the resources in the config exist.")
def validate(
    workspace: Path | None,
    as_json: bool,
    debug: bool,
    cloud: str | None,
    template: Path | None,
    parameters_file: Path | None,
    params: tuple[str, ...],
    bicep_version: str | None,
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

    run(
        "validate",
        workspace,
        as_json=as_json,
        cloud=cloud,
        debug=debug,
        call=call,
        bicep_version=bicep_version,
    )


@click.command()
@common_options
@target_options
@parameter_options
@bicep_option
@click.option("--create-resource-group", is_flag=True, help="Create the group if missing.")
@click.option("--force", is_flag=True, help="Deploy even when nothing changed.")
@click.option("--preview", is_flag=True, help="Show the what-if plan and ask before deploying.")
@click.option(
    "--yes",
    "-y",
    is_flag=True,
    help="Do not ask; answer yes (to --preview, and to installing the Bicep CLI).",
)
@click.option("--no-wait", is_flag=True, help="Return after creating the deployment.")
@skip_quota_option
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
    bicep_version: str | None,
    create_resource_group: bool,
    force: bool,
    preview: bool,
    yes: bool,
    no_wait: bool,
    on_interrupt: str,
    timeout: float,
    skip_quota_check: bool,
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
            create_resource_group,
            force,
            preview,
            yes,
            no_wait,
            on_interrupt,
            timeout,
            skip_quota_check=skip_quota_check,
        )
        return command.run(inv, app, request, options)

    run(
        "provision",
        workspace,
        as_json=as_json,
        cloud=cloud,
        debug=debug,
        call=call,
        bicep_version=bicep_version,
        assume_yes=yes,
    )


@click.command()
@common_options
@target_options
@parameter_options
@bicep_option
@click.option("--exit-code", is_flag=True, help="Exit 4 when the plan has changes.")
@skip_quota_option
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
    bicep_version: str | None,
    exit_code: bool,
    skip_quota_check: bool,
) -> None:
    """Show what a provision would change (ARM what-if) and check the GPU quota."""

    def call(inv: Invocation, app: App) -> CommandResult:
        from orchestrator.commands import plan as command
        from orchestrator.provision.prepare import Request
        from orchestrator.provision.target import TargetFlags

        flags = TargetFlags(subscription, resource_group, location)
        request = Request(flags, template, parameters_file, params)
        return command.run(
            inv, app, request, exit_code=exit_code, skip_quota_check=skip_quota_check
        )

    run(
        "plan",
        workspace,
        as_json=as_json,
        cloud=cloud,
        debug=debug,
        call=call,
        bicep_version=bicep_version,
    )


@click.command()
@common_options
@target_options
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
    """Resume watching an in-flight deployment and record its outputs.

    Also a `finetune provision` left running: its outputs go to finetuning.config.json."""

    def call(inv: Invocation, app: App) -> CommandResult:
        from orchestrator.commands import attach as command
        from orchestrator.provision.target import TargetFlags

        flags = TargetFlags(subscription, resource_group, location)
        return command.run(inv, app, flags, deployment=deployment)

    run("attach", workspace, as_json=as_json, cloud=cloud, debug=debug, call=call)


@click.command()
@common_options
@target_options
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

    run(
        "status",
        workspace,
        as_json=as_json,
        cloud=cloud,
        debug=debug,
        call=call,
        start_localcloud=False,
    )


@click.command()
@common_options
@target_options
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

    run("outputs", workspace, as_json=as_json, cloud=cloud, debug=debug, call=call)


@click.command()
@common_options
@target_options
@parameter_options
@click.option(
    "--script",
    type=FILE,
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

    run("manual", workspace, as_json=as_json, cloud=cloud, debug=debug, call=call)
