"""`orchestrator finetune ...`: the fine-tuning half of the toolkit's remote workflow
(provision, secret set, run, logs, status, stop), each calling
`orchestrator.finetune.commands.<name>.run`."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from orchestrator.cli_operate import skip_quota_option
from orchestrator.cliopts import (
    ask_hidden,
    bicep_option,
    common_options,
    run,
    target_options,
    template_options,
)
from orchestrator.options import Seconds
from orchestrator.settings import PROVISION_TIMEOUT

if TYPE_CHECKING:
    from collections.abc import Callable

    from orchestrator.app import App
    from orchestrator.invocation import Invocation
    from orchestrator.result import CommandResult

F = TypeVar("F", bound="Callable[..., None]")

# A job execution is named `<job>-<suffix>`: the letters, digits and hyphens of a Container
# Apps resource name (the job's 2-32, plus the suffix Azure adds), never a path or a query.
_EXECUTION = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
EXECUTION_EXPECTED = "an execution name: 1-63 letters, digits and '-', such as myjob-ab12cd3"


class ExecutionName(click.ParamType[str, object]):
    """`--execution`, checked before any request."""

    name = "execution"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> str:
        text = value if isinstance(value, str) else str(value)
        if _EXECUTION.fullmatch(text) is None:
            from orchestrator.naming import quoted

            self.fail(f"{quoted(text)} is not {EXECUTION_EXPECTED}", param, ctx)
        return text

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "NAME"


execution_option = click.option(
    "--execution",
    type=ExecutionName(),
    default=None,
    help="Execution name (default: the last one `run` started).",
)


@click.group()
def finetune() -> None:
    """Fine-tune on Azure Container Apps jobs: provision, secrets, run, logs, status, stop.

    The terminal version of the AI Toolkit's "Provision Azure Container Apps job for
    fine-tuning", "Add Azure Container Apps Job secret", "Run fine-tuning" and "Show the
    running fine-tuning job streaming logs".
    """


@finetune.command()
@common_options
@target_options
@template_options("finetuning")
@bicep_option
@click.option("--create-resource-group", is_flag=True, help="Create the group if missing.")
@click.option("--force", is_flag=True, help="Deploy even when nothing changed.")
@click.option("--preview", is_flag=True, help="Show the what-if plan and ask before deploying.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask; answer yes.")
@click.option("--no-wait", is_flag=True, help="Return after creating the deployment.")
@click.option(
    "--reset-commands",
    is_flag=True,
    help="Replace COMMANDS / ARGS in the config with the template's outputs.",
)
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
    help="Seconds to watch before giving up (then `orchestrator attach` resumes).",
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
    reset_commands: bool,
    skip_quota_check: bool,
    on_interrupt: str,
    timeout: float,
) -> None:
    """Deploy infra/provision/finetuning.bicep and write finetuning.config.json."""

    def call(inv: Invocation, app: App) -> CommandResult:
        from orchestrator.finetune.commands import provision as command
        from orchestrator.provision.pipeline import Options
        from orchestrator.provision.prepare import Request
        from orchestrator.provision.target import TargetFlags

        flags = TargetFlags(subscription, resource_group, location)
        asked = command.FinetuneRequest(
            Request(flags, template, parameters_file, params), reset_commands
        )
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
        return command.run(inv, app, asked, options)

    run(
        "finetune provision",
        workspace,
        as_json=as_json,
        cloud=cloud,
        debug=debug,
        call=call,
        bicep_version=bicep_version,
        assume_yes=yes,
    )


@finetune.group()
def secret() -> None:
    """The job's secrets (set as environment variables in every container)."""


@secret.command("set")
@common_options
@click.argument("name")
@click.option(
    "--from-env",
    "from_env",
    default=None,
    metavar="VAR",
    help="Read the value from this environment variable (else a hidden prompt).",
)
def secret_set(
    workspace: Path | None,
    as_json: bool,
    debug: bool,
    cloud: str | None,
    name: str,
    from_env: str | None,
) -> None:
    """Store NAME as a job secret (HF_TOKEN → secret hf-token) and expose it as env NAME."""

    def call(inv: Invocation, app: App) -> CommandResult:
        from orchestrator.finetune.commands import secret as command

        ask = ask_hidden if sys.stdin.isatty() and not as_json else None
        return command.run(inv, app, name, from_env=from_env, ask=ask)

    run("finetune secret set", workspace, as_json=as_json, cloud=cloud, debug=debug, call=call)


@finetune.command("run")
@common_options
@click.option("--wait", is_flag=True, help="Stream the console and exit 0 only on success.")
@click.option("--run-id", default=None, help="Run id for <run_id> (Phi Silica / Aion).")
@click.option("--patch-job", is_flag=True, help="Patch the job's command, then start it.")
@click.option("--no-sync", is_flag=True, help="Start without syncing the workspace first.")
@click.option("-v", "--verbose", is_flag=True, help="One line per file uploaded.")
def run_command(
    workspace: Path | None,
    as_json: bool,
    debug: bool,
    cloud: str | None,
    wait: bool,
    run_id: str | None,
    patch_job: bool,
    no_sync: bool,
    verbose: bool,
) -> None:
    """Sync setup/, finetuning/, dataset/ and start an execution with the config's commands."""

    def call(inv: Invocation, app: App) -> CommandResult:
        from orchestrator.finetune.commands import run as command

        options = command.RunOptions(
            wait=wait, run_id=run_id, patch_job=patch_job, sync=not no_sync, verbose=verbose
        )
        return command.run(inv, app, options)

    run("finetune run", workspace, as_json=as_json, cloud=cloud, debug=debug, call=call)


@finetune.command()
@common_options
@click.option("--follow", "-f", is_flag=True, help="Stream until the execution ends.")
@execution_option
def logs(
    workspace: Path | None,
    as_json: bool,
    debug: bool,
    cloud: str | None,
    follow: bool,
    execution: str | None,
) -> None:
    """The execution's console: live while it runs, from Log Analytics once it ended.

    With --follow the exit code is the execution's: 0 only when it succeeded; Ctrl-C stops
    watching (exit 130) and leaves the execution running."""

    def call(inv: Invocation, app: App) -> CommandResult:
        from orchestrator.finetune.commands import logs as command

        return command.run(inv, app, follow=follow, execution=execution)

    run("finetune logs", workspace, as_json=as_json, cloud=cloud, debug=debug, call=call)


@finetune.command()
@common_options
def status(workspace: Path | None, as_json: bool, debug: bool, cloud: str | None) -> None:
    """The job and its recent executions (status, start, duration)."""

    def call(inv: Invocation, app: App) -> CommandResult:
        from orchestrator.finetune.commands import status as command

        return command.run(inv, app)

    run("finetune status", workspace, as_json=as_json, cloud=cloud, debug=debug, call=call)


@finetune.command()
@common_options
@execution_option
def stop(
    workspace: Path | None, as_json: bool, debug: bool, cloud: str | None, execution: str | None
) -> None:
    """Stop the running execution (default: the last one `run` started)."""

    def call(inv: Invocation, app: App) -> CommandResult:
        from orchestrator.finetune.commands import stop as command

        return command.run(inv, app, execution=execution)

    run("finetune stop", workspace, as_json=as_json, cloud=cloud, debug=debug, call=call)
