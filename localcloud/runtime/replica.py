"""One replica: a local process group running the container's command, restarted like a pod.

The process runs in its own session (process group); stop kills the whole group (SIGTERM,
then SIGKILL after the grace period) and so does every exit, so nothing is left behind.
A container that exits or fails its liveness / startup probe is restarted in place (same
replica name, restartCount + 1) after a CrashLoopBackOff-style delay.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from localcloud.runtime.ledger import Ledger
from localcloud.runtime.logs import LogBook, LogLine, SystemEvent, split_lines, utc_now
from localcloud.runtime.probes import Checker, ProbeSet, RestartNeeded, watch
from localcloud.runtime.sandbox import SandboxConfig, SandboxDirs, prepare_environment
from localcloud.runtime.settings import RuntimeSettings, ScaledProbe

ContainerState = Literal["Waiting", "Running", "Terminated"]
MAX_LINE = 1 << 20
REPLICA_DELETED = "ReplicaDeleted"  # the system event a stopped replica leaves behind


@dataclass(frozen=True)
class Launch:
    """Exactly what to execute for one container (built by the supervisor)."""

    argv: tuple[str, ...]
    env: Mapping[str, str]
    workdir: Path
    replica_dir: Path  # removed when the replica stops
    problem: str = ""  # non-empty: do not start, report this instead
    notes: tuple[str, ...] = ()  # console lines written before the first start
    image: str = ""  # the container image (not pulled; reported)
    sandbox: SandboxConfig | None = None
    dirs: SandboxDirs | None = None  # HOME, TMPDIR, Python environment (sandbox.py)


@dataclass(frozen=True)
class Identity:
    app_key: str
    app_name: str
    revision: str
    name: str
    container: str
    port: int


@dataclass(frozen=True)
class ReplicaStatus:
    name: str
    created: datetime
    container: str
    port: int
    pid: int | None
    started: bool
    ready: bool
    ever_ready: bool
    restart_count: int
    consecutive_exits: int
    state: ContainerState
    details: str
    stopped: bool


@dataclass
class _State:
    pid: int | None = None
    started: bool = False
    ready: bool = False
    ever_ready: bool = False
    restart_count: int = 0
    consecutive_exits: int = 0
    state: ContainerState = "Waiting"
    details: str = "ContainerCreating"
    stopped: bool = False
    created: datetime = field(default_factory=utc_now)


class Replica:
    def __init__(
        self,
        ident: Identity,
        launch: Launch,
        probes: ProbeSet,
        checker: Checker,
        settings: RuntimeSettings,
        logbook: LogBook,
        on_change: Callable[[], None],
        ledger: Ledger | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._ledger = ledger
        self.ident = ident
        self._launch = launch
        self._probes = probes
        self._checker = checker
        self._settings = settings
        self._logbook = logbook
        self._on_change = on_change
        self._sleep = sleep
        self._s = _State()
        self._task: asyncio.Task[None] | None = None
        self._proc: asyncio.subprocess.Process | None = None

    # -- public ------------------------------------------------------------------------
    def start(self) -> None:
        """Schedule the replica on the running event loop (returns at once)."""
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        self._s.stopped = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self._kill()
        self._s.ready = self._s.started = False
        self._s.state, self._s.details = "Terminated", "Stopped"
        _remove_replica_dir(self._launch.replica_dir)
        # Also ends every console log stream that follows this replica (logstream.py).
        self._event(REPLICA_DELETED, f"Replica '{self.ident.name}' was deleted")

    def status(self) -> ReplicaStatus:
        s = self._s
        return ReplicaStatus(
            name=self.ident.name,
            created=s.created,
            container=self.ident.container,
            port=self.ident.port,
            pid=s.pid,
            started=s.started,
            ready=s.ready,
            ever_ready=s.ever_ready,
            restart_count=s.restart_count,
            consecutive_exits=s.consecutive_exits,
            state=s.state,
            details=s.details,
            stopped=s.stopped,
        )

    # -- ProbeListener -----------------------------------------------------------------
    def started(self) -> None:
        self._s.started = True
        self._on_change()

    def ready_changed(self, ready: bool) -> None:
        self._s.ready = ready
        if ready:
            self._s.ever_ready = True
            self._s.consecutive_exits = 0
            self._event("ReplicaReady", "Replica is ready to serve traffic")
        else:
            self._event("ReplicaNotReady", "Readiness probe failed", warning=True)
        self._on_change()

    def probe_failed(self, probe: ScaledProbe, failures: int) -> None:
        target = f"HTTP GET {probe.spec.path}" if probe.spec.path else "TCP connect"
        self._event(
            "ProbeFailed",
            f"{probe.spec.kind} probe failed ({target} on port {self.ident.port}, "
            f"{failures} consecutive)",
            warning=True,
        )

    # -- the loop ----------------------------------------------------------------------
    async def _run(self) -> None:
        self._event(
            "AssigningReplica", f"Replica '{self.ident.name}' has been scheduled to run on a node."
        )
        for note in self._launch.notes:
            self._write(note.encode())
        image = self._launch.image or "(none)"
        self._event(
            "ImageNotPulled",
            f"Image '{image}' is not pulled: localcloud runs the container's command on this "
            "machine",
        )
        problem = self._launch.problem or await asyncio.to_thread(
            prepare_environment, self._launch.sandbox, self._launch.dirs
        )
        if problem:
            self._s.details = problem
            self._s.consecutive_exits = self._settings.crash_threshold
            self._event("ContainerCreateFailed", problem, warning=True)
            self._on_change()
            return
        while not self._s.stopped:
            outcome = await self._one_start()
            self._s.restart_count += 1
            self._s.ready = self._s.started = False
            self._s.consecutive_exits += 1
            delay = self._settings.backoff(self._s.consecutive_exits)
            why = (
                outcome.reason
                if isinstance(outcome, RestartNeeded)
                else f"container exited with code {outcome}"
            )
            self._s.state = "Waiting"
            self._s.details = f"CrashLoopBackOff: {why}; restarting in {delay:g}s"
            self._on_change()
            await self._sleep(delay)

    async def _one_start(self) -> int | RestartNeeded:
        launch = self._launch
        try:
            self._proc = await asyncio.create_subprocess_exec(
                *launch.argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                env=dict(launch.env),
                cwd=str(launch.workdir),
                start_new_session=True,
            )
        except OSError as err:
            self._event("ContainerCreateFailed", f"cannot start: {err}", warning=True)
            return 127
        proc = self._proc
        if self._ledger is not None:
            self._ledger.add(proc.pid)
        self._s.pid, self._s.state, self._s.details = proc.pid, "Running", ""
        self._event("ContainerStarted", f"Started container {self.ident.container}")
        self._on_change()
        pump = asyncio.ensure_future(self._pump(proc))
        probing = asyncio.ensure_future(
            watch(self._probes, self._checker, self, self._sleep, time.monotonic)
        )
        exiting = asyncio.ensure_future(proc.wait())
        try:
            await asyncio.wait({probing, exiting}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not exiting.done():
                await self._kill()
            probing.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await probing
            await self._kill()  # leftovers of the group, even after a clean exit
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(pump, 2.0)
        if probing.done() and not probing.cancelled() and probing.exception() is None:
            verdict = probing.result()
            self._event(verdict.reason, verdict.message, warning=True)
            return verdict
        code = exiting.result()
        self._event(
            "ContainerTerminated",
            f"Container {self.ident.container} exited with code {code}",
            warning=code != 0,
        )
        return code

    async def _pump(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stdout is not None
        pending = b""
        while True:
            chunk = await proc.stdout.read(65536)
            if not chunk:
                break
            pending += chunk
            *complete, pending = _split_keep_tail(pending)
            if len(pending) > MAX_LINE:
                complete, pending = [*complete, pending], b""
            for raw in complete:
                self._write(raw)
        if pending:
            self._write(pending)

    def _write(self, raw: bytes) -> None:
        for text in split_lines(raw):
            line = LogLine(
                utc_now(), self.ident.revision, self.ident.name, self.ident.container, text
            )
            self._logbook.write(self.ident.app_key, line)

    async def _kill(self) -> None:
        proc = self._proc
        if proc is None:
            return
        if proc.returncode is None:
            _signal_group(proc.pid, signal.SIGTERM)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(proc.wait(), self._settings.stop_grace)
        _signal_group(proc.pid, signal.SIGKILL)
        if proc.returncode is None:
            await proc.wait()
        if self._ledger is not None:
            self._ledger.remove(proc.pid)

    def _event(self, reason: str, message: str, warning: bool = False) -> None:
        i = self.ident
        event = SystemEvent(utc_now(), i.app_name, i.revision, i.name, reason, message, warning)
        self._logbook.event(i.app_key, event)


def _split_keep_tail(buffer: bytes) -> list[bytes]:
    """Split after the last newline: complete lines, then the unfinished tail."""
    cut = max(buffer.rfind(b"\n"), buffer.rfind(b"\r"))
    if cut < 0:
        return [buffer]
    return [buffer[:cut], buffer[cut + 1 :]]


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _remove_replica_dir(folder: Path) -> None:
    """Remove the replica's scratch folder; the namespace root is only ever rmdir'ed."""
    root = folder / "root"
    if root.exists():
        if os.path.ismount(root):
            return  # never walk into a mounted tree
        with contextlib.suppress(OSError):
            root.rmdir()
    shutil.rmtree(folder, ignore_errors=True)
