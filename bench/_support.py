"""Shared pieces of the benchmarks: a private localcloud, workspaces, the request log, tables.

The benchmarks are scripts, not tests: each starts its own `localcloud serve` in a temp state
dir (through tests/localcloud_fixture.py, the same way the functional tests do), drives it,
and prints a table of side-by-side figures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from localcloud_fixture import (  # noqa: E402
    LocalCloudHandle,
    sdk_kwargs,
    start_localcloud,
    unique_name,
)

from orchestrator.workspace import CONFIG_KEYS  # noqa: E402

__all__ = [
    "ROOT",
    "LocalCloudHandle",
    "Ran",
    "bench_arguments",
    "cli_env",
    "create_group",
    "exit_code",
    "is_write",
    "machine",
    "make_workspace",
    "median",
    "parse_timestamp",
    "private_localcloud",
    "provisioned_workspace",
    "request_log",
    "run_cli",
    "run_measured",
    "sdk_kwargs",
    "set_network",
    "table",
    "unique_name",
    "verdict_lines",
    "write_report",
]

WRITE_METHODS = ("PUT", "PATCH", "DELETE", "POST")


@contextlib.contextmanager
def private_localcloud(
    prefix: str, args: tuple[str, ...] = ()
) -> Iterator[tuple[LocalCloudHandle, Path]]:
    """A localcloud of the benchmark's own in a temp dir (`localcloud serve` options in
    `args`), and a scratch dir next to it."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        handle = start_localcloud(Path(tmp) / "state", args=args)
        try:
            yield handle, Path(tmp)
        finally:
            handle.stop()


def make_workspace(root: Path, *, idle_app: bool = True) -> Path:
    """A copy of the repo's workspace with the localcloud parameters; the app idles when
    `idle_app` (so no replica installs or serves anything while we measure)."""
    shutil.copytree(ROOT / "infra", root / "infra")
    shutil.copytree(ROOT / "inference", root / "inference")
    shutil.rmtree(root / "infra" / ".orchestrator", ignore_errors=True)
    provision = root / "infra" / "provision"
    params_file = provision / "inference.parameters.json"
    shutil.copyfile(provision / "inference.localcloud.parameters.json", params_file)
    if idle_app:
        params = json.loads(params_file.read_text())
        params["parameters"]["defaultCommands"] = {"value": ["sleep 600"]}
        params_file.write_text(json.dumps(params, indent=2) + "\n")
    config = {key: None for key in CONFIG_KEYS}
    (root / "infra" / "inference.config.json").write_text(json.dumps(config, indent=2) + "\n")
    return root


def provisioned_workspace(handle: LocalCloudHandle, tmp: Path, name: str) -> tuple[Path, str]:
    """A workspace under `tmp` provisioned into a new group `name-...` on `handle` (every
    resource ready at once): the workspace and the group."""
    handle.admin("POST", "settings", json={"provisioning_seconds": {"*": 0}})
    workspace = make_workspace(tmp / "workspace")
    group = unique_name(name)
    create_group(handle, group)
    ran = run_cli(workspace, handle, "provision", "-g", group, timeout=300)
    if ran.code != 0:
        raise RuntimeError(f"provision failed:\n{ran.output[-3000:]}")
    return workspace, group


def cli_env(handle: LocalCloudHandle) -> dict[str, str]:
    """The CLI's environment: localcloud's, and bytecode cached as in an installed package
    (pip compiles it at install time) - under the benchmark's temp dir, not in the checkout,
    whatever PYTHONDONTWRITEBYTECODE says here."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "ORCHESTRATOR_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update({"LOCALCLOUD_STATE_DIR": str(handle.state_dir), "ORCHESTRATOR_CLOUD": "local"})
    env["PYTHONPYCACHEPREFIX"] = str(handle.state_dir.parent / "pycache")
    return env


@dataclass(frozen=True)
class Ran:
    code: int
    output: str
    started: float  # time.time() just before the process started
    ended: float  # time.time() right after it exited
    max_rss_mb: float = 0.0  # the process's peak resident memory
    cpu_s: float = 0.0  # its user + system time

    @property
    def wall(self) -> float:
        return self.ended - self.started


def run_measured(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 600,
) -> Ran:
    """Run `argv`, timed with the wall clock; its own peak RSS and CPU time from `wait4`
    (the rusage of that one child, not of every child so far)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.time()
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=err)
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        ended = time.time()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        output = out.read().decode(errors="replace") + err.read().decode(errors="replace")
    cpu = usage.ru_utime + usage.ru_stime
    return Ran(process.returncode, output, started, ended, usage.ru_maxrss / 1024, cpu)


def cli_argv(*args: str) -> list[str]:
    """The command as users run it: the venv's `orchestrator` console script (what pip
    installs), else `python -m orchestrator` (the same code, plus runpy's start-up)."""
    script = Path(sys.executable).with_name("orchestrator")
    if script.is_file():
        return [str(script), *args]
    return [sys.executable, "-m", "orchestrator", *args]


def run_cli(workspace: Path, handle: LocalCloudHandle, *args: str, timeout: float = 600) -> Ran:
    """`orchestrator ARGS` (`cli_argv`) in `workspace`, timed, with its peak memory."""
    return run_measured(cli_argv(*args), cwd=workspace, env=cli_env(handle), timeout=timeout)


def set_network(handle: LocalCloudHandle, latency_ms: float, bandwidth_kbps: float = 0) -> None:
    """localcloud's network shaping: added latency per request, cap per connection."""
    doc = {"latency_ms": latency_ms, "bandwidth_kbps": bandwidth_kbps}
    handle.admin("POST", "settings", json=doc).raise_for_status()


def bench_arguments(parser: argparse.ArgumentParser, name: str) -> None:
    """--quick (a short smoke form: small sizes, exit 0 whatever the figures) and --out."""
    parser.add_argument("--quick", action="store_true", help="a short form (CI smoke test)")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "out" / f"{name}.json", help="JSON file"
    )


def write_report(path: Path, doc: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2, sort_keys=True, default=str) + "\n")


def verdict_lines(checks: Sequence[tuple[str, bool]]) -> str:
    return "\n".join(f"  {'met   ' if ok else 'MISSED'}  {name}" for name, ok in checks)


def exit_code(checks: Sequence[tuple[str, bool]], quick: bool) -> int:
    """1 when a target is missed; a --quick run only proves the benchmark runs (0)."""
    return 0 if quick or all(ok for _, ok in checks) else 1


def create_group(handle: LocalCloudHandle, name: str) -> None:
    response = handle.request(
        "PUT",
        f"/subscriptions/{handle.subscription_id}/resourcegroups/{name}?api-version=2022-09-01",
        json={"location": "eastus"},
    )
    response.raise_for_status()


def request_log(handle: LocalCloudHandle, *, clear: bool = False) -> list[dict[str, Any]]:
    """localcloud's request log (admin calls are not in it); emptied after reading if `clear`."""
    response = handle.admin("GET", "requests")
    response.raise_for_status()
    log = list(response.json())
    if clear:
        handle.admin("DELETE", "requests").raise_for_status()
    return log


def is_token_request(entry: dict[str, Any]) -> bool:
    return "/oauth2/" in str(entry["path"]).lower()


def is_write(entry: dict[str, Any]) -> bool:
    """A request with a writing method, the Entra token POST excepted."""
    return str(entry["method"]).upper() in WRITE_METHODS and not is_token_request(entry)


def parse_timestamp(text: str) -> float:
    """An ARM timestamp (`2026-12-01T20:01:23.1234567Z`) as epoch seconds."""
    head, _, frac = text.rstrip("Z").partition(".")
    moment = datetime.fromisoformat(head + "+00:00").timestamp()
    return moment + (float("0." + frac) if frac else 0.0)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain fixed-width table (the form pasted into bench/RESULTS.md)."""
    cells = [list(map(str, headers))] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def machine() -> str:
    """The machine, and how busy it is (load average over 1 / 5 / 15 minutes)."""
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average {load}"
    )
