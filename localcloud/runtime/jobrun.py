"""One execution in flight: waits in the queue, launches replicas as `jobstate.next_step`
decides, watches them, the deadline and stop requests, and records each status change."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from localcloud.ids import ResourceId
from localcloud.runtime.jobreplica import JobReplicaStatus
from localcloud.runtime.jobstate import (
    Finish,
    Launch,
    Policy,
    Progress,
    Status,
    Wait,
    next_step,
    running_status,
)
from localcloud.runtime.logs import LogBook, SystemEvent, utc_now

log = logging.getLogger("localcloud.executions")

REPLICA_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
CAPACITY_POLL_S = 0.5
NO_CAPACITY = (
    "Maximum Allowed Cores exceeded for the Managed Environment. Please check "
    "https://learn.microsoft.com/en-us/azure/container-apps/quotas for resource limits."
)


def replica_name(execution: str) -> str:
    """`<execution>-<5 chars>`, like the pod of a Kubernetes job."""
    return f"{execution}-{''.join(secrets.choice(REPLICA_ALPHABET) for _ in range(5))}"


@dataclass(frozen=True)
class RunOptions:
    queue_seconds: float = 0.0  # wait this long before a replica is assigned
    fail_early: bool = False  # end at once with BackoffLimitExceeded (the GPU failure mode)


class RunnableReplica(Protocol):
    """What an execution needs of a replica (jobreplica.JobReplica in localcloud)."""

    async def run(self) -> int: ...
    async def kill(self) -> None: ...
    def status(self) -> JobReplicaStatus: ...


ReplicaFactory = Callable[[str], RunnableReplica]  # replica name -> a replica ready to run
Admission = Callable[[int], int]  # replicas wanted -> replicas the environment's quota allows
Recorder = Callable[[Status, datetime | None], None]  # (status, endTime) -> store it


class ExecutionRun:
    def __init__(
        self,
        execution: ResourceId,
        job_key: str,
        policy: Policy,
        options: RunOptions,
        make_replica: ReplicaFactory,
        record: Recorder,
        logbook: LogBook,
        admit: Admission = lambda wanted: wanted,
    ) -> None:
        self.execution = execution
        self._admit = admit
        self._starved = False
        self.job_key = job_key
        self.policy = policy
        self._options = options
        self._make_replica = make_replica
        self._record = record
        self._logbook = logbook
        self.replicas: dict[str, RunnableReplica] = {}
        self._tasks: dict[asyncio.Task[int], RunnableReplica] = {}
        self._progress = Progress()
        self._stop = asyncio.Event()
        self.status: Status = "Processing"
        self.task: asyncio.Task[None] | None = None

    @property
    def active_replicas(self) -> int:
        return self._progress.running

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self._main())

    def request_stop(self) -> None:
        self._stop.set()

    async def wait(self) -> None:
        if self.task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    async def _main(self) -> None:
        try:
            if not await self._queued():
                step = next_step(self.policy, self._progress, stopped=True, timed_out=False)
                assert isinstance(step, Finish)
                await self._finish(step)
                return
            if self._options.fail_early:
                await self._fail_early()
                return
            await self._loop()
        except asyncio.CancelledError:
            await self._kill_all()
            raise
        except Exception as err:  # a bug must not leave the execution Running forever
            log.exception("execution %s failed in localcloud", self.execution.name)
            reason = f"localcloud could not run the execution: {err}"
            await self._finish(Finish("Failed", "ExecutionFailed", reason))

    async def _queued(self) -> bool:
        """Wait in the queue (status Processing); False when stopped meanwhile."""
        if self._options.queue_seconds > 0:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self._options.queue_seconds)
        return not self._stop.is_set()

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.policy.timeout_s
        while True:
            timed_out = loop.time() >= deadline
            step = next_step(
                self.policy, self._progress, stopped=self._stop.is_set(), timed_out=timed_out
            )
            match step:
                case Finish():
                    await self._finish(step)
                    return
                case Launch(count=count):
                    allowed = max(0, min(count, self._admit(count)))
                    for _ in range(allowed):
                        self._launch()
                    if self._progress.running:
                        self._set(running_status(self._progress, assigned=True))
                    if allowed < count:
                        self._no_capacity()
                        await self._wait_for_change(min(CAPACITY_POLL_S, deadline - loop.time()))
                case Wait():
                    await self._wait_for_change(deadline - loop.time())

    def _no_capacity(self) -> None:
        """The quota leaves no room for a replica: wait (queued), said once in the system log."""
        if not self._starved:
            self._starved = True
            self.event("AssigningReplicaFailed", NO_CAPACITY, "", warning=True)

    def _launch(self) -> None:
        name = replica_name(self.execution.name)
        replica = self._make_replica(name)
        self.event(
            "AssigningReplica", f"Replica '{name}' has been scheduled to run on a node.", name
        )
        self.replicas[name] = replica
        self._tasks[asyncio.ensure_future(replica.run())] = replica
        self._progress = self._progress.started(1)

    async def _wait_for_change(self, remaining: float) -> None:
        stop = asyncio.ensure_future(self._stop.wait())
        try:
            done, _ = await asyncio.wait(
                {*self._tasks, stop},
                timeout=max(0.0, remaining),
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            stop.cancel()
        for task in [t for t in done if t in self._tasks]:
            self._tasks.pop(task)
            self._progress = self._progress.exited(task.result() if not task.exception() else 1)
        if not self._stop.is_set() and self._tasks:
            self._set(running_status(self._progress, assigned=True))

    async def _finish(self, step: Finish) -> None:
        await self._kill_all()
        self.event(step.reason, step.message, "", warning=step.status != "Succeeded")
        self.status = step.status
        self._record(step.status, utc_now())

    async def _fail_early(self) -> None:
        name = replica_name(self.execution.name)
        self.event(
            "AssigningReplica", f"Replica '{name}' has been scheduled to run on a node.", name
        )
        self.event("SuccessfulCreate", f"Created pod: {name}", name)
        await self._finish(
            Finish("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit")
        )

    async def _kill_all(self) -> None:
        await asyncio.gather(*(r.kill() for r in self._tasks.values()), return_exceptions=True)
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        self._progress = Progress(0, self._progress.succeeded, self._progress.failed)

    def _set(self, status: Status) -> None:
        if status != self.status:
            self.status = status
            self._record(status, None)

    def event(self, reason: str, message: str, replica: str, warning: bool = False) -> None:
        job = self.execution.parent
        assert job is not None
        self._logbook.event(
            self.job_key,
            SystemEvent(
                utc_now(), job.name, self.execution.name, replica, reason, message, warning
            ),
        )
