"""The top-level command line imports a command's module only when that command is used,
while help and completion still list every command."""

from __future__ import annotations

import subprocess
import sys

import click

from orchestrator.cli import SOURCES, cli

CLI_MODULES = (
    "orchestrator.cli_provision",
    "orchestrator.cli_deploy",
    "orchestrator.cli_ops",
    "orchestrator.cli_operate",
    "orchestrator.cli_finetune",
)


def test_every_listed_name_is_the_command_of_that_name() -> None:
    ctx = click.Context(cli)
    names = cli.list_commands(ctx)
    assert names == sorted(SOURCES)
    for name in names:
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name
    assert cli.get_command(ctx, "no-such-command") is None


def test_a_command_imports_only_its_own_command_line_module() -> None:
    code = (
        "import sys\n"
        "from orchestrator.cli import main\n"
        "main(['deploy', '--help'])\n"
        f"print('LOADED', sorted(m for m in {CLI_MODULES!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert "LOADED ['orchestrator.cli_deploy']" in done.stdout, done.stdout + done.stderr
