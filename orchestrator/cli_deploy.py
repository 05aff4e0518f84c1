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


def url_path(value: str | None) -> str | None:
    """--health-path: a URL path (`/health`), printable ASCII without spaces or a query."""
    if value is None:
        return None
    if not value or any(c.isspace() or not c.isprintable() or ord(c) > 126 for c in value):
        raise click.BadParameter(f"{value!r} is not a URL path")
    if "://" in value or "?" in value or "#" in value:
        raise click.BadParameter(f"{value!r}: give only the path, e.g. /health")
    return "/" + value.lstrip("/")


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
@click.option(
    "--restart/--no-restart",
    default=None,
    help="Restart the app even when nothing was uploaded / never restart it "
    "(default: restart when the sync changed the share).",
)
@click.option(
    "--health-path",
    default=None,
    metavar="PATH",
    callback=lambda _ctx, _param, value: url_path(value),
    help="Path that answers when the app is ready (default: the app's readiness probe "
    "path, else /).",
)
@click.option("-v", "--verbose", is_flag=True, help="One line per uploaded file.")
@click.option(
    "--timeout",
    type=Seconds(),
    default=DEPLOY_TIMEOUT,
    show_default=True,
    help="Seconds to wait for a ready replica and the endpoint.",
)
def deploy(
    workspace: Path | None,
    as_json: bool,
    debug: bool,
    cloud: str | None,
    sources: tuple[str, ...],
    delete: bool,
    dry_run: bool,
    restart: bool | None,
    health_path: str | None,
    verbose: bool,
    timeout: float,
) -> None:
    """Sync the inference code to the file share, restart, wait until the endpoint answers.

    A .deployignore file at the workspace root (.gitignore syntax) leaves files off the
    share; a line git would reject is exit 2 naming .deployignore:LINE. The share's
    model-cache/, models/, cache/ and dataset/ are never written or deleted.
    """

    def call(inv: Invocation, app: App) -> CommandResult:
        from orchestrator.commands import deploy as command
        from orchestrator.deploy import pipeline

        when = {
            None: pipeline.RESTART_IF_CHANGED,
            True: pipeline.RESTART_ALWAYS,
            False: pipeline.RESTART_NEVER,
        }[restart]
        options = pipeline.Options(
            sources, delete, dry_run, when, timeout, health_path=health_path, verbose=verbose
        )
        return command.run(inv, app, options)

    run("deploy", workspace, as_json=as_json, cloud=cloud, debug=debug, call=call)


@click.command()
@common_options
@click.option("--follow", "-f", is_flag=True, help="Keep streaming new lines.")
@click.option(
    "--tail",
    type=click.IntRange(min=0, max=300),
    default=100,
    help="Lines of history to show first (0-300, as the log stream API and az allow).",
)
def logs(
    workspace: Path | None, as_json: bool, debug: bool, cloud: str | None, follow: bool, tail: int
) -> None:
    """Stream the inference app's console output.

    Without --follow the last --tail lines; with it, new lines until Ctrl-C (exit 130, as
    any interrupted command)."""

    def call(inv: Invocation, app: App) -> CommandResult:
        from orchestrator.commands import logs as command

        return command.run(inv, app, follow=follow, tail=tail)

    run("logs", workspace, as_json=as_json, cloud=cloud, debug=debug, call=call)
