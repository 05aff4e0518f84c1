"""One replica of a job execution: a local process group that runs once.

Unlike an app replica it is never restarted: its exit code is the outcome the execution
counts (a retry is a new replica). Console output goes to the jobs' LogBook line by line
(`revision` = the execution name), lifecycle events go there as system events, and the
process group is recorded in a Ledger so a crashed localcloud leaves nothing running.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from localcloud.runtime.ledger import Ledger
from localcloud.runtime.logs import LogBook, LogLine, SystemEvent, split_lines, utc_now
from localcloud.runtime.replica import REPLICA_DELETED, Launch

ContainerState = Literal["Waiting", "Running", "Terminated"]
CREATE_FAILED = 127
KILLED = 137
READ_CHUNK = 65536
MAX_LINE = 1 << 20


@dataclass(frozen=True)
class ReplicaIdent:
    job_key: str  # the LogBook key: the job's lower-cased resource ID
    job: str
    execution: str
    name: str
    container: str


@dataclass(frozen=True)
class JobReplicaStatus:
    name: str
    container: str
    created: datetime
    state: ContainerState
    details: str
    pid: int | None
    exit_code: int | None


@dataclass
class _State:
    state: ContainerState = "Waiting"
    details: str = "ContainerCreating"
    pid: int | None = None
    exit_code: int | None = None
    created: datetime = field(default_factory=utc_now)


class JobReplica:
    def __init__(
        self,
        ident: ReplicaIdent,
        launch: Launch,
        logbook: LogBook,
        ledger: Ledger,
        stop_grace: float,
        prepare: Callable[[Launch], str] = lambda _launch: "",
    ) -> None:
        self.ident = ident
        self._prepare = prepare
        self._launch = launch
        self._logbook = logbook
        self._ledger = ledger
        self._grace = stop_grace
        self._s = _State()
        self._proc: asyncio.subprocess.Process | None = None
        self._killed = False

    def status(self) -> JobReplicaStatus:
        s = self._s
        return JobReplicaStatus(
            self.ident.name, self.ident.container, s.created, s.state, s.details, s.pid, s.exit_code
        )

    async def run(self) -> int:
        """Run the command to its end; returns the exit code (137 when killed)."""
        self.event("SuccessfulCreate", f"Created pod: {self.ident.name}")
        try:
            code = await self._run()
        except Exception as err:  # the replica fails, the execution goes on counting
            self._s.details = f"cannot start: {err}"
            self.event("ContainerCreateFailed", self._s.details, warning=True)
            code = CREATE_FAILED
        finally:
            await self._kill_group()
            _remove_folder(self._launch.replica_dir)
        self._s.exit_code = code
        self._s.state = "Terminated"
        self._s.details = "Completed" if code == 0 else f"Error: exit code {code}"
        self.event(REPLICA_DELETED, f"Replica '{self.ident.name}' was deleted")
        return code

    async def kill(self) -> None:
        """Stop the replica (SIGTERM to its group, SIGKILL after the grace period)."""
        self._killed = True
        await self._kill_group()

    def event(self, reason: str, message: str, warning: bool = False) -> None:
        i = self.ident
        self._logbook.event(
            i.job_key, SystemEvent(utc_now(), i.job, i.execution, i.name, reason, message, warning)
        )

    async def _run(self) -> int:
        problem = self._launch.problem or await asyncio.to_thread(self._prepare, self._launch)
        if problem:
            self._s.details = problem
            self.event("ContainerCreateFailed", problem, warning=True)
            return CREATE_FAILED
        if self._killed:
            return KILLED
        for note in self._launch.notes:
            self._write(note.encode())
        try:
            self._proc = await asyncio.create_subprocess_exec(
                *self._launch.argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                env=dict(self._launch.env),
                cwd=str(self._launch.workdir),
                start_new_session=True,
            )
        except OSError as err:
            self._s.details = f"cannot start: {err}"
            self.event("ContainerCreateFailed", self._s.details, warning=True)
            return CREATE_FAILED
        proc = self._proc
        self._ledger.add(proc.pid)
        self._s.pid, self._s.state, self._s.details = proc.pid, "Running", ""
        self.event("ContainerStarted", f"Started container {self.ident.container}")
        pump = asyncio.ensure_future(self._pump(proc))
        code = await proc.wait()
        await self._kill_group()  # what is left of the group ends with the container
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(pump, 2.0)
        self.event(
            "ContainerTerminated",
            f"Container {self.ident.container} exited with code {code}",
            warning=code != 0,
        )
        return KILLED if code < 0 else code

    async def _pump(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stdout is not None
        pending = b""
        while chunk := await proc.stdout.read(READ_CHUNK):
            pending += chunk
            cut = max(pending.rfind(b"\n"), pending.rfind(b"\r"))
            if cut >= 0:
                self._write(pending[:cut])
                pending = pending[cut + 1 :]
            if len(pending) > MAX_LINE:
                self._write(pending)
                pending = b""
        if pending:
            self._write(pending)

    def _write(self, raw: bytes) -> None:
        i = self.ident
        for text in split_lines(raw):
            self._logbook.write(
                i.job_key, LogLine(utc_now(), i.execution, i.name, i.container, text)
            )

    async def _kill_group(self) -> None:
        proc = self._proc
        if proc is None:
            return
        if proc.returncode is None:
            _signal_group(proc.pid, signal.SIGTERM)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(proc.wait(), self._grace)
        _signal_group(proc.pid, signal.SIGKILL)
        if proc.returncode is None:
            await proc.wait()
        self._ledger.remove(proc.pid)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _remove_folder(folder: os.PathLike[str]) -> None:
    """Remove the replica's scratch folder, never walking into a mounted namespace root."""
    root = os.path.join(folder, "root")
    if os.path.ismount(root):
        return
    with contextlib.suppress(OSError):
        os.rmdir(root)
    shutil.rmtree(folder, ignore_errors=True)
