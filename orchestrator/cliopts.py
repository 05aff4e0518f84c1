"""What every command line shares: the common, target and parameter options, and `run`,
which reads the settings, builds the invocation and the services, calls the command and
renders its result (imports of anything heavy happen inside `run`)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

if TYPE_CHECKING:
    from orchestrator.app import App
    from orchestrator.invocation import Invocation
    from orchestrator.result import CommandResult

F = TypeVar("F", bound=Callable[..., None])
Call = Callable[["Invocation", "App"], "CommandResult"]

CLOUDS = click.Choice(["azure", "local"], case_sensitive=False)
# One instance of each path type for every option: making a click.Path looks its name up in
# gettext's catalogues on disk, and the options of every command are made at import.
FOLDER = click.Path(file_okay=False, path_type=Path)
FILE = click.Path(dir_okay=False, path_type=Path)


def common_options(func: F) -> F:
    func = click.option(
        "-w",
        "--workspace",
        type=FOLDER,
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


def target_options(func: F) -> F:
    func = click.option("--subscription", "-s", default=None, help="Subscription ID.")(func)
    func = click.option("--resource-group", "-g", default=None, help="Resource group name.")(func)
    func = click.option("--location", "-l", default=None, help="Azure region.")(func)
    return func


def template_options(name: str) -> Callable[[F], F]:
    """--param, --parameters and --template of the workspace's `name` template
    (`inference`, `finetuning`)."""

    def decorate(func: F) -> F:
        func = click.option(
            "--param",
            "-p",
            "params",
            multiple=True,
            metavar="NAME=VALUE",
            help="Override a parameter (VALUE parsed as JSON when it parses); repeatable, "
            "later wins.",
        )(func)
        func = click.option(
            "--parameters",
            "parameters_file",
            type=FILE,
            default=None,
            help=f"Parameters file (default: infra/provision/{name}.parameters.json; "
            f"{name}.localcloud.parameters.json beside it runs on localcloud).",
        )(func)
        func = click.option(
            "--template",
            type=FILE,
            default=None,
            help="Template: .bicep (compiled) or ARM .json (default: "
            f"infra/provision/{name}.bicep).",
        )(func)
        return func

    return decorate


parameter_options = template_options("inference")


def _bicep_version(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--bicep-version held to the release pattern when given, also when no install follows."""
    if value is None:
        return None
    from orchestrator.bicep.settings import check_version
    from orchestrator.errors import InputError

    try:
        return check_version(value, "--bicep-version")
    except InputError as exc:
        raise click.BadParameter(exc.message.removeprefix("--bicep-version: ")) from None


def bicep_option(func: F) -> F:
    """--bicep-version, on the commands that compile a .bicep file."""
    return click.option(
        "--bicep-version",
        default=None,
        callback=_bicep_version,
        metavar="vX.Y.Z",
        help="Bicep CLI version to install when none is found (default: the pinned one; "
        "also ORCHESTRATOR_BICEP_VERSION).",
    )(func)


def ask_text(question: str) -> str:
    """What the user types on the terminal, the question on stderr. Ctrl-C raises
    KeyboardInterrupt and end of input EOFError, as `input` does (click.prompt turns both into
    one `Abort`, which a command cannot tell apart)."""
    sys.stderr.write(f"{question}: ")
    sys.stderr.flush()
    try:
        line = sys.stdin.readline()
    except KeyboardInterrupt:
        sys.stderr.write("\n")  # what follows starts on a line of its own
        raise
    if not line:
        raise EOFError
    return line.rstrip("\r\n")


def ask_hidden(question: str) -> str:
    """A value typed without echo (the question on stderr); Ctrl-C and end of input as in
    `ask_text`."""
    import getpass

    try:
        return getpass.getpass(f"{question}: ", stream=sys.stderr)
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        raise


def run(
    command: str,
    workspace: Path | None,
    *,
    as_json: bool,
    cloud: str | None,
    debug: bool,
    call: Call,
    start_localcloud: bool = True,
    bicep_version: str | None = None,
    assume_yes: bool = False,
) -> None:
    """Read the settings, build the invocation and the services, run, render, exit."""
    import os

    from orchestrator.app import App, configure_logging
    from orchestrator.errors import error_handler
    from orchestrator.invocation import make_invocation
    from orchestrator.render import render
    from orchestrator.schemacache import save_run
    from orchestrator.settings import read_settings

    root = click.get_current_context().find_root().params
    debug = debug or bool(root.get("debug"))
    configure_logging(debug, sys.stderr)
    with error_handler(json_command=command if as_json else "") as code:
        interactive = sys.stdin.isatty() and sys.stdout.isatty() and not as_json
        settings = read_settings(
            os.environ,
            cloud=cloud,
            debug=debug,
            interactive=interactive,
            bicep_version=bicep_version,
            assume_yes=assume_yes,
        )
        configure_logging(settings.debug, sys.stderr)
        inv = make_invocation(workspace, settings, as_json=as_json)
        app = App(
            settings, stderr=sys.stderr, as_json=as_json, may_start_localcloud=start_localcloud
        )
        try:
            result = call(inv, app)
        except click.Abort:  # Ctrl-C or end of input at a click prompt: interrupted
            raise KeyboardInterrupt from None
        code[0] = render(result, as_json=as_json, out=sys.stdout)
        if code[0] == 0:
            save_run()  # a refused or failed command changes no file
    sys.exit(code[0])
