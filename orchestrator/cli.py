"""Command-line parsing only: each command parses its typed options and calls
`orchestrator.commands.<name>.run(inv, app, ...)`, which returns a CommandResult that
`render` prints.

Imports of anything heavy (the Azure SDK, jsonschema, jinja2, rich) happen inside the
commands, so `orchestrator --help` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import click

from orchestrator import __version__
from orchestrator.settings import DEPLOY_TIMEOUT, PROVISION_TIMEOUT

EPILOG = f"""\b
Exit codes: 0 done; 1 Azure refused or failed (the cause is printed); 2 bad input (a
flag, a file, the config: fix it and run again); 3 unexpected (a crash log is
written); 4 `plan --exit-code` found changes; 130 interrupted (Ctrl-C).

\b
Timeouts (seconds): provision --timeout {PROVISION_TIMEOUT:g} (watching the deployment);
deploy --timeout {DEPLOY_TIMEOUT:g} (a ready replica, then the endpoint).

\b
Shell completion (add to your shell's start-up file):
  bash: eval "$(_ORCHESTRATOR_COMPLETE=bash_source orchestrator)"
  zsh:  eval "$(_ORCHESTRATOR_COMPLETE=zsh_source orchestrator)"
  fish: _ORCHESTRATOR_COMPLETE=fish_source orchestrator | source
"""


def _provision_commands() -> Sequence[click.Command]:
    from orchestrator import cli_provision as c

    return (c.validate, c.provision, c.plan, c.attach, c.status, c.outputs, c.manual)


def _deploy_commands() -> Sequence[click.Command]:
    from orchestrator import cli_deploy as c

    return (c.deploy, c.logs)


def _ops_commands() -> Sequence[click.Command]:
    from orchestrator import cli_ops as c

    return (c.bicep, c.ci)


def _operate_commands() -> Sequence[click.Command]:
    from orchestrator import cli_operate as c

    return (c.destroy,)


def _finetune_commands() -> Sequence[click.Command]:
    from orchestrator import cli_finetune as c

    return (c.finetune,)


# Each command, and where it is defined: a module is imported only when one of its commands
# is looked up (`orchestrator deploy` does not import the fine-tuning command line).
SOURCES: dict[str, Callable[[], Sequence[click.Command]]] = {
    "validate": _provision_commands,
    "provision": _provision_commands,
    "plan": _provision_commands,
    "attach": _provision_commands,
    "status": _provision_commands,
    "outputs": _provision_commands,
    "manual": _provision_commands,
    "deploy": _deploy_commands,
    "logs": _deploy_commands,
    "bicep": _ops_commands,
    "ci": _ops_commands,
    "destroy": _operate_commands,
    "finetune": _finetune_commands,
}


class LazyGroup(click.Group):
    """The top-level group over `SOURCES`: help and completion list every command; running
    one imports only its own module."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SOURCES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        load = SOURCES.get(cmd_name)
        found = [command for command in load() if command.name == cmd_name] if load else []
        return found[0] if found else None


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=EPILOG,
)
@click.version_option(__version__, prog_name="orchestrator")
@click.option("--debug", is_flag=True, help="Show the Azure SDK's log lines (any command).")
def cli(debug: bool) -> None:
    """Provision and deploy AI Toolkit inference on Azure Container Apps.

    The terminal version of the AI Toolkit's "Provision Azure Container Apps for inference"
    and "Deploy for inference". `--cloud local` (or ORCHESTRATOR_CLOUD=local) runs
    everything against localcloud, the embedded stand-in for Azure.
    """


def main(argv: list[str] | None = None) -> int:
    try:
        returned = cli.main(args=argv, prog_name="orchestrator", standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    except click.ClickException as exc:  # a bad flag or value: exit 2 before anything runs
        return usage_error(exc, json_requested(argv))
    except click.Abort:
        click.echo("Aborted!", err=True)
        return 1
    return returned if isinstance(returned, int) else 0


def json_requested(argv: list[str] | None) -> bool:
    import sys

    args = sys.argv[1:] if argv is None else argv
    return "--json" in args[: args.index("--")] if "--" in args else "--json" in args


def usage_error(exc: click.ClickException, as_json: bool) -> int:
    """click's usage message; with --json, as every other failure: one NDJSON `error` record
    on stderr and one JSON document on stdout."""
    if not as_json:
        exc.show()
        return exc.exit_code
    import json
    import sys

    ctx = getattr(exc, "ctx", None)
    path = ctx.command_path if isinstance(ctx, click.Context) else "orchestrator"
    command = path.removeprefix("orchestrator").strip() or "orchestrator"
    error = {"kind": "UsageError", "message": exc.format_message(), "hint": None}
    if isinstance(ctx, click.Context):
        listed = "commands" if isinstance(ctx.command, click.Group) else "options"
        error["hint"] = f"`{path} --help` lists the {listed}"
    sys.stderr.write(json.dumps({"event": "error", **error}, separators=(",", ":")) + "\n")
    document = {"command": command, "exit_code": exc.exit_code, "error": error}
    sys.stdout.write(json.dumps(document, indent=2) + "\n")
    sys.stdout.flush()
    return exc.exit_code
