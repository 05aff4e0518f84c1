"""An execution's console, live: the job log stream of its newest replica, read again and
again until the execution ends.

- While the execution is queued (no replica yet; the stream answers 404) it waits, saying so
  once.
- When the stream drops (a cut connection, a stream that times out, a replica replaced by a
  retry) it reconnects with a fresh token; the replayed tail is de-duplicated by (timestamp,
  text) (`orchestrator.finetune.logs.Deduplicator`), so no line is shown twice.
- Once the execution is terminal, one last read of each replica picks up the lines written
  after the last drop, and the iteration ends.

For a finished execution the history comes from the Log Analytics workspace the job's
environment logs to, with the query the portal's "Console" link opens (`history`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from orchestrator.azure.jobs import Execution, ExecutionReplica, Job, StreamNotReady, stream_url
from orchestrator.azure.loganalytics import LogAnalytics, QueryRefused
from orchestrator.finetune import logs
from orchestrator.finetune.logs import Deduplicator, LogLine
from orchestrator.finetune.status import ExecutionStatus, parse_status

TAIL = 300  # the stream API's maximum of replayed lines
UNKNOWN_TABLE = "SEM0100"  # Log Analytics: a table that received no row yet


class ExecutionSource(Protocol):
    """What following needs of the jobs adapter (`orchestrator.azure.jobs.Jobs`)."""

    def execution(self, group: str, job: str, name: str) -> Execution: ...
    def replicas(self, group: str, job: str, execution: str) -> list[ExecutionReplica]: ...
    def auth_token(self, group: str, name: str) -> str: ...


class Stream(Protocol):
    """A replica's console stream (`orchestrator.azure.jobs.LogStream`)."""

    def lines(self, url: str, token: str, *, follow: bool, tail: int) -> Iterator[str]: ...


@dataclass(frozen=True)
class Clock:
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], float] = time.monotonic
    interval: float = 0.5  # between reconnects / status reads


@dataclass(frozen=True)
class Where:
    subscription: str
    group: str
    job: Job
    execution: str


class Follower:
    def __init__(
        self,
        jobs: ExecutionSource,
        stream: Stream,
        where: Where,
        notify: Callable[[str], None],
        clock: Clock | None = None,
    ) -> None:
        self.jobs = jobs
        self.stream = stream
        self.where = where
        self.notify = notify
        self.clock = clock or Clock()
        self.seen = Deduplicator()
        self.reconnects = 0
        self.last: Execution | None = None

    def status(self) -> ExecutionStatus:
        w = self.where
        self.last = self.jobs.execution(w.group, w.job.name, w.execution)
        return parse_status(self.last.status)

    def replicas(self) -> list[ExecutionReplica]:
        w = self.where
        found = self.jobs.replicas(w.group, w.job.name, w.execution)
        return sorted(found, key=lambda r: r.created)

    def read(self, replica: str, *, follow: bool) -> Iterator[LogLine]:
        w = self.where
        token = self.jobs.auth_token(w.group, w.job.name)
        url = stream_url(w.job, w.subscription, w.group, w.execution, replica)
        for raw in self.stream.lines(url, token, follow=follow, tail=TAIL):
            line = logs.parse_line(raw)
            if self.seen.admit(line):
                yield line

    def lines(self) -> Iterator[LogLine]:
        """Every console line of the execution, once, as it is written; ends with it."""
        waiting_said = False
        while True:
            status = self.status()
            if status.terminal:
                yield from self.drain(self.replicas())
                return
            replicas = self.replicas()
            if replicas:
                with contextlib.suppress(StreamNotReady):  # 404: the replica is not up yet
                    yield from self.read(replicas[-1].name, follow=True)
                if not self.status().terminal:
                    self.reconnects += 1
                    self.notify(f"the log stream of {self.where.execution} ended; reconnecting")
            elif not waiting_said:
                waiting_said = True
                self.notify(
                    f"execution {self.where.execution} is {status.value}: waiting for a replica"
                )
            self.clock.sleep(self.clock.interval)

    def drain(self, replicas: list[ExecutionReplica]) -> Iterator[LogLine]:
        for replica in replicas:
            try:
                yield from self.read(replica.name, follow=False)
            except StreamNotReady:
                continue


def history(analytics: LogAnalytics, customer_id: str, execution: str) -> list[LogLine]:
    """The execution's console lines from Log Analytics, oldest first ([] when the table has
    no rows yet: Azure's ingestion takes minutes)."""
    try:
        answer = analytics.query(customer_id, logs.console_query(execution))
    except QueryRefused as exc:
        if exc.inner_code == UNKNOWN_TABLE:
            return []
        raise
    return logs.rows_to_lines(answer)


def system_events(analytics: LogAnalytics, customer_id: str, execution: str) -> list[LogLine]:
    """The execution's system events (`AssigningReplica`, `BackoffLimitExceeded`, ...) from
    Log Analytics, oldest first; [] while the table has no rows."""
    try:
        answer = analytics.query(customer_id, logs.system_query(execution))
    except QueryRefused as exc:
        if exc.inner_code == UNKNOWN_TABLE:
            return []
        raise
    return logs.rows_to_lines(answer)
