"""The deploy-side commands' options: deploy, logs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from orchestrator.cliopts import common_options, run
from orchestrator.options import Seconds
from orchestrator.settings import DEPLOY_TIMEOUT

if TYPE_CHECKING:
    from orchestrator.app import App
    from orchestrator.invocation import Invocation
    from orchestrator.result import CommandResult


@click.command()
@common_options
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

    run("deploy", workspace, as_json=as_json, cloud=cloud, debug=debug, call=call)


@click.command()
@common_options
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

    run("logs", workspace, as_json=as_json, cloud=cloud, debug=debug, call=call)
