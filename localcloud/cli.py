"""`localcloud` command line: option parsing only; the work is in server.py and daemon.py."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import click

from localcloud import __version__
from localcloud.config import StatePaths, resolve_state_dir
from localcloud.daemon import Result

STATE_DIR = click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="State directory (default: $LOCALCLOUD_STATE_DIR, else ~/.localcloud).",
)
PORT = click.option(
    "--port", type=click.IntRange(0, 65535), default=0, help="Port (0: pick a free one)."
)


def _paths(state_dir: Path | None) -> StatePaths:
    return StatePaths(resolve_state_dir(state_dir, os.environ))


def _render(result: Result, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(result.data, indent=2, sort_keys=True))
    else:
        click.echo(result.message)
    if result.exit_code:
        sys.exit(result.exit_code)


@click.group()
@click.version_option(__version__, prog_name="localcloud")
def cli() -> None:
    """An embedded Azure (ARM, Entra ID, Files, Container Apps) on https://127.0.0.1."""


@cli.command()
@STATE_DIR
@PORT
@click.option("--quiet", is_flag=True, help="Do not log each request.")
def serve(state_dir: Path | None, port: int, quiet: bool) -> None:
    """Run in the foreground until Ctrl-C."""
    from localcloud.daemon import running_server
    from localcloud.server import ServeOptions, run

    paths = _paths(state_dir)
    existing = running_server(paths)
    if existing is not None:
        click.echo(
            f"localcloud is already serving {paths.root} at {existing.base_url} "
            f"(pid {existing.pid}); stop it first (`localcloud stop`).",
            err=True,
        )
        sys.exit(1)
    logging.basicConfig(
        level=logging.WARNING if quiet else logging.INFO,
        format="%(asctime)s %(name)s %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    sys.exit(run(ServeOptions(state_dir=paths.root, port=port)))


@cli.command()
@STATE_DIR
@PORT
@click.option("--json", "as_json", is_flag=True, help="Print the status object.")
def start(state_dir: Path | None, port: int, as_json: bool) -> None:
    """Start in the background (no-op when already running)."""
    from localcloud import daemon

    _render(daemon.start(_paths(state_dir), port), as_json)


@cli.command()
@STATE_DIR
def stop(state_dir: Path | None) -> None:
    """Stop the background server."""
    from localcloud import daemon

    _render(daemon.stop(_paths(state_dir)), False)


@cli.command()
@STATE_DIR
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def status(state_dir: Path | None, as_json: bool) -> None:
    """Show endpoint, CA file and service principal; exit 3 when not running."""
    from localcloud import daemon

    _render(daemon.status(_paths(state_dir)), as_json)


@cli.command()
@STATE_DIR
def reset(state_dir: Path | None) -> None:
    """Stop the server and delete all its state (identity, CA, resources)."""
    from localcloud import daemon

    _render(daemon.reset(_paths(state_dir)), False)


def main() -> int:
    cli(prog_name="localcloud")
    return 0
