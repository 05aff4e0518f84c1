"""`localcloud` command line: option parsing only; the work is in server.py and daemon.py."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import click

from localcloud import __version__
from localcloud.config import StateDirError, StatePaths, resolve_state_dir
from localcloud.daemon import Result
from localcloud.shaping import Shaping

STATE_DIR = click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="State directory (default: $LOCALCLOUD_STATE_DIR, else ~/.localcloud).",
)
PORT = click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    help="Port (0: the last run's port when free, else any free one).",
)
LATENCY = click.option(
    "--latency-ms",
    type=click.FloatRange(0, 60_000),
    default=0.0,
    help="Network shaping: delay added to every request (one round trip), ms. 0: off.",
)
BANDWIDTH = click.option(
    "--bandwidth-kbps",
    type=click.FloatRange(0),
    default=0.0,
    help="Network shaping: cap per connection and direction, kilobits/s. 0: off.",
)
HEADER_TIMEOUT = click.option(
    "--header-timeout",
    type=click.FloatRange(0.1, 3600),
    default=15.0,
    show_default=True,
    help="Seconds a client has to send a request head (also the keep-alive idle time); "
    "a small body must arrive within twice that.",
)


def _paths(state_dir: Path | None) -> StatePaths:
    """The state directory's paths; an unsafe directory is one line on stderr, exit 1."""
    paths = StatePaths(resolve_state_dir(state_dir, os.environ))
    try:
        paths.check()
    except StateDirError as err:
        click.echo(f"localcloud: {err}", err=True)
        sys.exit(1)
    return paths


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
@LATENCY
@BANDWIDTH
@HEADER_TIMEOUT
@click.option("--quiet", is_flag=True, help="Do not log each request.")
def serve(
    state_dir: Path | None,
    port: int,
    latency_ms: float,
    bandwidth_kbps: float,
    header_timeout: float,
    quiet: bool,
) -> None:
    """Run in the foreground until Ctrl-C."""
    from localcloud.daemon import running_server
    from localcloud.dispatch import Limits
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
    options = ServeOptions(
        state_dir=paths.root,
        port=port,
        latency_ms=latency_ms,
        bandwidth_kbps=bandwidth_kbps,
        limits=Limits(header_timeout_s=header_timeout, body_timeout_s=2 * header_timeout),
    )
    sys.exit(run(options))


@cli.command()
@STATE_DIR
@PORT
@LATENCY
@BANDWIDTH
@click.option("--json", "as_json", is_flag=True, help="Print the status object.")
def start(
    state_dir: Path | None, port: int, latency_ms: float, bandwidth_kbps: float, as_json: bool
) -> None:
    """Start in the background (no-op when already running)."""
    from localcloud import daemon

    _render(daemon.start(_paths(state_dir), port, Shaping(latency_ms, bandwidth_kbps)), as_json)


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
