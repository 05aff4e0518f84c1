"""Background server management: `start` (spawn `serve` detached, wait until it answers),
`stop`, `status`, `reset`. Each returns a `Result` (data + message + exit code) that the CLI
renders; nothing here prints.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localcloud.config import (
    RuntimeInfo,
    StatePaths,
    client_document,
    read_client,
    read_identity,
    read_runtime,
)
from localcloud.shaping import Shaping

EXIT_OK = 0
NO_SHAPING = Shaping()
EXIT_FAILED = 1
EXIT_NOT_RUNNING = 3


@dataclass(frozen=True)
class Result:
    message: str
    data: dict[str, Any] = field(default_factory=dict)
    exit_code: int = EXIT_OK


def pid_alive(pid: int) -> bool:
    """True while `pid` is a live localcloud process (not a zombie, not a reused pid)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child (not yet reaped) is not a server.
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[-1].split()[0] == "Z":
            return False
    # After a crash the pid may belong to another program by now: never signal that one.
    with contextlib.suppress(OSError):
        if b"localcloud" not in Path(f"/proc/{pid}/cmdline").read_bytes():
            return False
    return True


def running_server(paths: StatePaths) -> RuntimeInfo | None:
    info = read_runtime(paths)
    if info is None or not pid_alive(info.pid):
        return None
    return info


def probe(info: RuntimeInfo, ca_file: Path, timeout: float = 2.0) -> bool:
    """True when the server answers HTTPS (GET /metadata/endpoints) on its port."""
    ctx = ssl.create_default_context(cafile=str(ca_file))
    conn = http.client.HTTPSConnection("127.0.0.1", info.port, timeout=timeout, context=ctx)
    try:
        conn.request("GET", "/metadata/endpoints?api-version=2022-09-01")
        return conn.getresponse().status == 200
    except (OSError, http.client.HTTPException, ssl.SSLError):
        return False
    finally:
        conn.close()


def describe(paths: StatePaths, info: RuntimeInfo | None) -> dict[str, Any]:
    """The `status --json` object: the running server's client.json, else the same keys for a
    server that is not running (secrets included: it is the local service principal)."""
    if info is not None:
        doc = read_client(paths)
        if doc is not None and doc.get("pid") == info.pid:
            return doc
    return client_document(paths, read_identity(paths), info)


def status(paths: StatePaths) -> Result:
    info = running_server(paths)
    data = describe(paths, info)
    if info is None:
        return Result("localcloud is not running.", data, EXIT_NOT_RUNNING)
    lines = [
        f"localcloud is running at {info.base_url} (pid {info.pid}).",
        f"  CA file:         {data['ca_file']}",
        f"  tenant:          {data['tenant_id']}",
        f"  subscription:    {data['subscription_id']}",
        f"  client id:       {data['client_id']}",
        f"  state directory: {data['state_dir']}",
        "  (`localcloud status --json` also shows the client secret)",
    ]
    return Result("\n".join(lines), data)


def serve_command(paths: StatePaths, port: int, shaping: Shaping = NO_SHAPING) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "localcloud",
        "serve",
        "--state-dir",
        str(paths.root),
        "--port",
        str(port),
    ]
    if shaping.latency_ms:
        command += ["--latency-ms", f"{shaping.latency_ms:g}"]
    if shaping.bandwidth_kbps:
        command += ["--bandwidth-kbps", f"{shaping.bandwidth_kbps:g}"]
    return command


def wait_ready(
    paths: StatePaths,
    process: subprocess.Popen[bytes],
    timeout: float,
    sleep: Callable[[float], None] = time.sleep,
) -> RuntimeInfo | None:
    """Poll until `process` has written client.json and answers HTTPS; None if it died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return None
        info = read_runtime(paths)
        if info is not None and info.pid == process.pid and probe(info, paths.ca_cert):
            return info
        sleep(0.05)
    return None


def start(
    paths: StatePaths, port: int, shaping: Shaping = NO_SHAPING, timeout: float = 30.0
) -> Result:
    existing = running_server(paths)
    if existing is not None:
        return Result(
            f"localcloud is already running at {existing.base_url} (pid {existing.pid}).",
            describe(paths, existing),
        )
    paths.ensure()
    log_fd = os.open(paths.log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with open(log_fd, "ab") as log:
        process = subprocess.Popen(
            serve_command(paths, port, shaping),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    paths.pid_file.write_text(f"{process.pid}\n")
    info = wait_ready(paths, process, timeout)
    if info is None:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        paths.pid_file.unlink(missing_ok=True)
        return Result(
            f"localcloud did not start within {timeout:.0f} s; see {paths.log_file}:\n"
            + _tail(paths.log_file),
            describe(paths, None),
            EXIT_FAILED,
        )
    return Result(f"localcloud started at {info.base_url} (pid {info.pid}).", describe(paths, info))


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _server_pid(paths: StatePaths) -> int | None:
    info = read_runtime(paths)
    if info is not None and pid_alive(info.pid):
        return info.pid
    with contextlib.suppress(OSError, ValueError):
        pid = int(paths.pid_file.read_text().strip())
        if pid_alive(pid):
            return pid
    return None


def stop(paths: StatePaths, timeout: float = 15.0) -> Result:
    pid = _server_pid(paths)
    if pid is None:
        paths.pid_file.unlink(missing_ok=True)
        return Result("localcloud is not running.", {"stopped": False})
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if pid_alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    paths.pid_file.unlink(missing_ok=True)
    info = read_runtime(paths)
    if info is not None and info.pid == pid:
        paths.client.unlink(missing_ok=True)
    return Result(f"localcloud stopped (pid {pid}).", {"stopped": True, "pid": pid})


def reset(paths: StatePaths) -> Result:
    stopped = stop(paths)
    if paths.root.exists():
        shutil.rmtree(paths.root)
    return Result(
        f"localcloud state removed ({paths.root}).",
        {"stopped": stopped.data.get("stopped", False), "state_dir": str(paths.root)},
    )
