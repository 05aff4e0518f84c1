"""Watch a running deployment until it ends: adaptive polling, events to a display.

Each tick lists the deployment's operations (per-resource progress) and GETs the deployment
itself when no resource is running any more, or - a safety net for deployment-level changes
such as a cancel - on the third tick and then every few ticks at least `deployment_seconds`
apart; so a deployment costs about one read per tick. The interval starts at about a second
(1.25 s), grows to 1.5 s while nothing changes, resets when something does, and follows
`Retry-After` on 429. A read budget (one read a second on average, with a burst of one)
stretches a wait when ticks that cost two reads come close together, so frequent changes
cannot make the watcher chatty. A 404 right after the create (ARM's read-after-write lag)
and dropped connections / 5xx are tolerated for a while. The clock and sleep are injected,
so every schedule is tested without waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from orchestrator.azure.errors import NotFound, Throttled, Transient
from orchestrator.azure.models import DeploymentSnapshot, OperationSnapshot
from orchestrator.display import Display
from orchestrator.errors import AzureError
from orchestrator.events import Finished, Notice, ResourceChanged, StateChanged


class DeploymentSource(Protocol):
    def get_deployment(self, group: str, name: str) -> DeploymentSnapshot: ...
    def list_operations(self, group: str, name: str) -> list[OperationSnapshot]: ...


@dataclass(frozen=True)
class PollPolicy:
    initial: float = 1.25  # about a second; a little over keeps busy deployments under 1 read/s
    factor: float = 2.0
    maximum: float = 1.5  # the end is noticed within 1.5 s; about 46 reads a minute
    throttled: float = 10.0  # wait after a 429 that names no Retry-After
    not_found_grace: float = 20.0  # seconds after the create during which 404 means "not yet"
    max_failures: int = 10  # consecutive transient failures before giving up
    deployment_every: int = 3  # GET the deployment at least every N ticks...
    deployment_seconds: float = 10.0  # ...and, after the first, this far apart
    reads_per_second: float = 1.0  # average read budget over the whole watch
    read_burst: float = 1.0  # reads the budget may run ahead by


def next_interval(
    policy: PollPolicy, current: float, *, changed: bool, retry_after: float | None = None
) -> float:
    """The wait before the next tick (pure)."""
    if retry_after is not None:
        return retry_after if retry_after > 0 else policy.throttled
    if changed:
        return policy.initial
    return min(current * policy.factor, policy.maximum)


def budget_wait(policy: PollPolicy, reads: int, elapsed: float) -> float:
    """The least wait that keeps the next tick's read within the budget (pure): after it,
    `reads + 1 <= reads_per_second * (elapsed + wait) + read_burst`."""
    if policy.reads_per_second <= 0:
        return 0.0
    return max(0.0, (reads + 1 - policy.read_burst) / policy.reads_per_second - elapsed)


@dataclass(frozen=True)
class WatchResult:
    deployment: DeploymentSnapshot
    operations: tuple[OperationSnapshot, ...]


class WatchTimedOut(AzureError):
    pass


@dataclass
class _Progress:
    """What the watcher has seen so far (internal, mutable by design)."""

    operations: dict[str, OperationSnapshot] = field(default_factory=dict)
    state: str = ""
    ticks_since_get: int = 0
    last_get: float | None = None  # clock time of the last deployment GET
    failures: int = 0
    reads: int = 0

    def any_running(self) -> bool:
        return any(op.has_resource and not op.is_terminal for op in self.operations.values())


class Watcher:
    def __init__(
        self,
        source: DeploymentSource,
        display: Display,
        *,
        policy: PollPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._source = source
        self._display = display
        self._policy = policy or PollPolicy()
        self._clock = clock
        self._sleep = sleep

    def watch(self, group: str, name: str, *, timeout: float) -> WatchResult:
        """Poll until the deployment is Succeeded, Failed or Canceled."""
        start = self._clock()
        seen = _Progress()
        interval = self._policy.initial
        while True:
            self._sleep(interval)
            if self._clock() - start > timeout:
                raise WatchTimedOut(
                    f"deployment {name} still running after {timeout:.0f} s; left running",
                    hint="`orchestrator attach` resumes watching it",
                )
            retry_after: float | None = None
            changed = False
            try:
                changed, final = self._tick(group, name, seen)
                seen.failures = 0
            except Throttled as exc:
                retry_after = exc.retry_after
                wait = exc.retry_after or self._policy.throttled
                self._note_failure(seen, exc, f"ARM is throttling reads; waiting {wait:.0f} s")
                final = None
            except NotFound:
                if self._clock() - start > self._policy.not_found_grace:
                    raise
                final = None
            except Transient as exc:
                self._note_failure(seen, exc, f"{exc.message}; retrying")
                final = None
            if final is not None:
                return self._finish(group, name, final, seen)
            interval = next_interval(
                self._policy, interval, changed=changed, retry_after=retry_after
            )
            interval = max(interval, budget_wait(self._policy, seen.reads, self._clock() - start))

    def _note_failure(self, seen: _Progress, exc: AzureError, text: str) -> None:
        seen.failures += 1
        if seen.failures > self._policy.max_failures:
            raise exc
        self._display.show(Notice(text, "warning"))

    def _tick(
        self, group: str, name: str, seen: _Progress
    ) -> tuple[bool, DeploymentSnapshot | None]:
        seen.reads += 1
        changed = self._report(self._source.list_operations(group, name), seen)
        seen.ticks_since_get += 1
        if seen.any_running() and not self._deployment_due(seen):
            return changed, None
        seen.reads += 1
        deployment = self._source.get_deployment(group, name)
        seen.ticks_since_get = 0
        seen.last_get = self._clock()
        if deployment.state != seen.state:
            seen.state = deployment.state
            changed = True
            if not deployment.is_terminal:
                self._display.show(StateChanged(name, deployment.state))
        return changed, deployment if deployment.is_terminal else None

    def _deployment_due(self, seen: _Progress) -> bool:
        """While resources run: is it time for the periodic deployment GET?"""
        if seen.ticks_since_get < self._policy.deployment_every:
            return False
        if seen.last_get is None:
            return True
        return self._clock() - seen.last_get >= self._policy.deployment_seconds

    def _report(self, operations: Sequence[OperationSnapshot], seen: _Progress) -> bool:
        changed = False
        for op in operations:
            before = seen.operations.get(op.operation_id)
            seen.operations[op.operation_id] = op
            if before is not None and before.state == op.state:
                continue
            changed = True
            if op.has_resource:
                self._display.show(
                    ResourceChanged(
                        op.operation, op.resource_type, op.resource_name, op.state, op.duration
                    )
                )
        return changed

    def _finish(
        self, group: str, name: str, final: DeploymentSnapshot, seen: _Progress
    ) -> WatchResult:
        """One last operations read when the view is stale or the deployment failed."""
        if seen.any_running() or not final.succeeded:
            try:
                self._report(self._source.list_operations(group, name), seen)
            except AzureError as exc:
                self._display.show(Notice(f"could not list operations: {exc.message}", "warning"))
        self._display.show(Finished(name, final.state, final.duration))
        return WatchResult(final, tuple(seen.operations.values()))
