"""Command-line parsing only: each command parses its options and calls
`orchestrator.commands.<name>.run`, which returns a CommandResult that `render` prints.

Imports of anything heavy (the Azure SDK, jsonschema, jinja2, rich) happen inside the
commands, so `orchestrator --help` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from orchestrator import __version__

F = TypeVar("F", bound=Callable[..., Any])

CLOUDS = click.Choice(["azure", "local"], case_sensitive=False)


def _common(func: F) -> F:
    func = click.option(
        "-w",
        "--workspace",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Workspace root (default: the nearest folder above with infra/).",
    )(func)
    func = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")(func)
    return func


def _target(func: F) -> F:
    func = click.option(
        "--cloud", type=CLOUDS, default=None, help="azure (default) or local (localcloud)."
    )(func)
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


def _run(command: str, workspace: Path | None, as_json: bool, cloud: str | None, **kw: Any) -> None:
    """Build the invocation, run the command module, render, exit."""
    from importlib import import_module

    from orchestrator.errors import error_handler
    from orchestrator.invocation import make_invocation
    from orchestrator.render import render

    with error_handler(json_command=command if as_json else "") as code:
        inv = make_invocation(workspace, as_json=as_json, cloud=cloud)
        module = import_module(f"orchestrator.commands.{command}")
        result = module.run(inv, **kw)
        code[0] = render(result, as_json=as_json, out=sys.stdout)
    sys.exit(code[0])


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="orchestrator")
def cli() -> None:
    """Provision and deploy AI Toolkit inference on Azure Container Apps.

    The terminal version of the AI Toolkit's "Provision Azure Container Apps for inference"
    and "Deploy for inference". `--cloud local` (or ORCHESTRATOR_CLOUD=local) runs
    everything against localcloud, the embedded stand-in for Azure.
    """


@cli.command()
@_common
@_parameters
@click.option("--online", is_flag=True, help="Also check that the resources in the config exist.")
@click.option("--cloud", type=CLOUDS, default=None, help="With --online: azure or local.")
def validate(workspace: Path | None, as_json: bool, cloud: str | None, **kw: Any) -> None:
    """Check the workspace's parameters, template and config files offline."""
    _run("validate", workspace, as_json, cloud, **kw)


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
@click.option("--timeout", type=float, default=7200.0, help="Seconds to watch before giving up.")
def provision(workspace: Path | None, as_json: bool, cloud: str | None, **kw: Any) -> None:
    """Deploy infra/provision/inference.bicep and write the outputs into the config."""
    _run("provision", workspace, as_json, cloud, **kw)


@cli.command()
@_common
@_target
@_parameters
@click.option("--exit-code", is_flag=True, help="Exit 4 when the plan has changes.")
def plan(workspace: Path | None, as_json: bool, cloud: str | None, **kw: Any) -> None:
    """Show what a provision would change (ARM what-if)."""
    _run("plan", workspace, as_json, cloud, **kw)


@cli.command()
@_common
@_target
@click.option("--deployment", default=None, help="Deployment name (default: the recorded one).")
def attach(workspace: Path | None, as_json: bool, cloud: str | None, **kw: Any) -> None:
    """Resume watching an in-flight deployment and record its outputs."""
    _run("attach", workspace, as_json, cloud, **kw)


@cli.command()
@_common
@_target
def status(workspace: Path | None, as_json: bool, cloud: str | None, **kw: Any) -> None:
    """Show the target, the last deployment, the app's health and the endpoint."""
    _run("status", workspace, as_json, cloud, **kw)


@cli.command()
@_common
@_target
@click.option("--deployment", default=None, help="Deployment name (default: the latest).")
@click.option("--write", is_flag=True, help="Write the outputs into infra/inference.config.json.")
def outputs(workspace: Path | None, as_json: bool, cloud: str | None, **kw: Any) -> None:
    """Print (or write) the outputs of a deployment - also one made by hand."""
    _run("outputs", workspace, as_json, cloud, **kw)


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
def manual(workspace: Path | None, as_json: bool, cloud: str | None, **kw: Any) -> None:
    """The manual fallback: the exact `az deployment group create` to run yourself."""
    _run("manual", workspace, as_json, cloud, **kw)


@cli.command()
@_common
@click.option("--cloud", type=CLOUDS, default=None, help="azure (default) or local.")
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
@click.option("--timeout", type=float, default=1500.0, help="Seconds to wait for the endpoint.")
def deploy(workspace: Path | None, as_json: bool, cloud: str | None, **kw: Any) -> None:
    """Sync the inference code to the file share, restart, wait until the endpoint answers."""
    _run("deploy", workspace, as_json, cloud, **kw)


@cli.command()
@_common
@click.option("--cloud", type=CLOUDS, default=None, help="azure (default) or local.")
@click.option("--follow", "-f", is_flag=True, help="Keep streaming new lines.")
@click.option("--tail", type=int, default=100, help="Lines of history to show first.")
def logs(workspace: Path | None, as_json: bool, cloud: str | None, **kw: Any) -> None:
    """Stream the inference app's console output."""
    _run("logs", workspace, as_json, cloud, **kw)


def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, prog_name="orchestrator", standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0
