"""The life of one job execution as pure decisions (no I/O, no clock).

Container Apps jobs are Kubernetes jobs underneath, and localcloud follows the same rules:

- up to `parallelism` replicas run at once, until `replicaCompletionCount` replicas have
  exited 0 (then the execution is Succeeded);
- a replica that exits non-zero is a failure; each failure beyond `replicaRetryLimit` ends
  the execution as Failed with reason `BackoffLimitExceeded` (a retry is a new replica with
  a new name, as with a pod of a Job whose restart policy is Never);
- `replicaTimeout` is the execution's deadline (Kubernetes' activeDeadlineSeconds): when it
  passes, every replica is killed and the execution is Failed with reason `DeadlineExceeded`;
- a stop kills every replica and the execution is Stopped.

Statuses while it is in flight: `Processing` until a replica is assigned (a queued
execution), `Running` while replicas run, `Degraded` while it goes on after a replica failed
(a retry is under way).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["Processing", "Running", "Degraded", "Succeeded", "Failed", "Stopped"]
TERMINAL: tuple[Status, ...] = ("Succeeded", "Failed", "Stopped")
IN_FLIGHT: tuple[Status, ...] = ("Processing", "Running", "Degraded")

DEFAULT_TIMEOUT_S = 1800.0


@dataclass(frozen=True)
class Policy:
    """What the job's configuration asks of each execution."""

    parallelism: int = 1
    completions: int = 1
    retry_limit: int = 0
    timeout_s: float = DEFAULT_TIMEOUT_S

    @staticmethod
    def from_configuration(config: Mapping[str, Any]) -> Policy:
        manual = config.get("manualTriggerConfig") or config.get("scheduleTriggerConfig") or {}
        return Policy(
            parallelism=_positive(manual.get("parallelism"), 1),
            completions=_positive(manual.get("replicaCompletionCount"), 1),
            retry_limit=max(0, _integer(config.get("replicaRetryLimit"), 0)),
            timeout_s=float(_positive(config.get("replicaTimeout"), int(DEFAULT_TIMEOUT_S))),
        )


@dataclass(frozen=True)
class Progress:
    """Replica counts of one execution so far."""

    running: int = 0
    succeeded: int = 0
    failed: int = 0

    def started(self, count: int) -> Progress:
        return Progress(self.running + count, self.succeeded, self.failed)

    def exited(self, code: int) -> Progress:
        if code == 0:
            return Progress(self.running - 1, self.succeeded + 1, self.failed)
        return Progress(self.running - 1, self.succeeded, self.failed + 1)


@dataclass(frozen=True)
class Launch:
    """Start this many new replicas."""

    count: int


@dataclass(frozen=True)
class Wait:
    """Nothing to do until a replica exits (or a stop / the deadline)."""


@dataclass(frozen=True)
class Finish:
    """The execution is over: kill what still runs and record the status."""

    status: Status
    reason: str
    message: str


Step = Launch | Wait | Finish


def next_step(policy: Policy, progress: Progress, *, stopped: bool, timed_out: bool) -> Step:
    if stopped:
        return Finish("Stopped", "ExecutionStopped", "The execution was stopped.")
    if timed_out:
        return Finish(
            "Failed",
            "DeadlineExceeded",
            f"Job was active longer than specified deadline ({policy.timeout_s:g} s).",
        )
    if progress.failed > policy.retry_limit:
        return Finish(
            "Failed",
            "BackoffLimitExceeded",
            f"Job has reached the specified backoff limit ({policy.retry_limit} retries).",
        )
    if progress.succeeded >= policy.completions:
        return Finish("Succeeded", "Completed", "Job completed.")
    wanted = min(
        policy.parallelism - progress.running,
        policy.completions - progress.succeeded - progress.running,
    )
    return Launch(wanted) if wanted > 0 else Wait()


def running_status(progress: Progress, assigned: bool) -> Status:
    """The status of an execution that has not finished."""
    if not assigned:
        return "Processing"
    return "Degraded" if progress.failed > 0 else "Running"


def lost_status() -> tuple[Status, str]:
    """What an execution in flight becomes when localcloud restarts under it (the node that
    ran its replicas is gone and nothing reschedules them): Failed, reason PodDeletion."""
    return "Failed", "PodDeletion"


def _integer(value: Any, default: int) -> int:
    if isinstance(value, bool):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _positive(value: Any, default: int) -> int:
    number = _integer(value, default)
    return number if number > 0 else default
