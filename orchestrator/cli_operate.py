"""Operating the provisioned resources: `destroy`, and the `--skip-quota-check` option of
provision and plan."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from orchestrator.cliopts import ask_text, common_options, run
from orchestrator.options import Seconds

if TYPE_CHECKING:
    from collections.abc import Callable

    from orchestrator.app import App
    from orchestrator.invocation import Invocation
    from orchestrator.result import CommandResult

F = TypeVar("F", bound="Callable[..., None]")
DESTROY_TIMEOUT = 1800.0


def skip_quota_option(func: F) -> F:
    return click.option(
        "--skip-quota-check",
        is_flag=True,
        help="Do not check GPU quota and region support before deploying.",
    )(func)


@click.command()
@common_options
@click.option("--finetune", is_flag=True, help="The fine-tuning job instead of the app.")
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Also the environment, Log Analytics and the storage account with the file share "
    "(the fine-tuned models).",
)
@click.option(
    "--purge", is_flag=True, help="With --all: force-delete Log Analytics (its name is free)."
)
@click.option("--yes", "-y", is_flag=True, help="Do not ask.")
@click.option("--dry-run", is_flag=True, help="Show what would be deleted; delete nothing.")
@click.option(
    "--timeout",
    type=Seconds(),
    default=DESTROY_TIMEOUT,
    show_default=True,
    help="Seconds to wait for each deletion.",
)
def destroy(
    workspace: Path | None,
    as_json: bool,
    debug: bool,
    cloud: str | None,
    finetune: bool,
    everything: bool,
    purge: bool,
    yes: bool,
    dry_run: bool,
    timeout: float,
) -> None:
    """Delete the app (or job) this workspace provisioned; --all also the shared resources.

    The resource group is never deleted. Resources already gone are skipped, so running it
    again finishes an interrupted destroy.
    """

    def call(inv: Invocation, app: App) -> CommandResult:
        from orchestrator.commands import destroy as command

        options = command.DestroyOptions(finetune, everything, purge, yes, dry_run, timeout)
        return command.run(inv, app, options, ask_text)

    run("destroy", workspace, as_json=as_json, cloud=cloud, debug=debug, call=call)
