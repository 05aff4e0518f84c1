"""Wait until a new replica is running and ready, then until the endpoint answers.

`judge` is the decision (pure); the loops around it only fetch, sleep and report.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Protocol

from orchestrator.azure.models import Replica, Revision
from orchestrator.deploy.restart import Apps

NOT_YET = frozenset({404, 502, 503, 504})
CRASH_LOOP_RESTARTS = 3

Report = Callable[[str], None]


class HttpGet(Protocol):
    def get(self, url: str, headers: Mapping[str, str], timeout: float) -> tuple[int, bytes]: ...


@dataclass(frozen=True)
class Verdict:
    state: str  # "waiting" | "ready" | "failed"
    replica: Replica | None
    reason: str


def judge(found: list[Replica], old: Collection[str], revision: Revision) -> Verdict:
    """Where the rollover stands, from one look at the replicas and the revision."""
    fresh = [r for r in found if r.name not in old]
    newest = max(reversed(fresh), key=lambda r: r.created) if fresh else None  # ISO sorts
    if revision.failed:
        why = (
            revision.running_state_details
            or revision.provisioning_error
            or (newest.detail if newest is not None else "")
            or revision.running_state
        )
        return Verdict("failed", newest, f"revision failed: {why}")
    if newest is None:
        return Verdict("waiting", None, "waiting for a new replica")
    if newest.restarts >= CRASH_LOOP_RESTARTS and not newest.ready:
        return Verdict(
            "failed",
            newest,
            f"replica {newest.name} keeps exiting ({newest.restarts} restarts)"
            + (f": {newest.detail}" if newest.detail else ""),
        )
    if newest.running == "Running" and newest.ready:
        return Verdict("ready", newest, f"replica {newest.name} is running and ready")
    return Verdict("waiting", newest, f"replica {newest.name}: {newest.running}, not ready yet")


@dataclass(frozen=True)
class Waiter:
    clock: Callable[[], float]
    sleep: Callable[[float], None]
    report: Report
    deadline: float  # on `clock`'s scale

    def remaining(self) -> float:
        return self.deadline - self.clock()


def wait_for_replica(
    apps: Apps,
    group: str,
    app: str,
    revision: str,
    old: Collection[str],
    waiter: Waiter,
    *,
    interval: float = 1.0,
) -> Verdict:
    """Poll until ready, failed or out of time (then the last verdict, state "waiting")."""
    last = ""
    while True:
        found = apps.replicas(group, app, revision)
        verdict = judge(found, old, apps.revision(group, app, revision))
        if verdict.reason != last:
            waiter.report(verdict.reason)
            last = verdict.reason
        if verdict.state != "waiting" or waiter.remaining() <= 0:
            return verdict
        waiter.sleep(min(interval, max(waiter.remaining(), 0.0)))


@dataclass(frozen=True)
class EndpointAnswer:
    status: int | None  # None: never answered
    seconds: float
    detail: str


def wait_for_endpoint(
    http: HttpGet, url: str, waiter: Waiter, *, interval: float = 0.25
) -> EndpointAnswer:
    """Poll `url` until it answers with anything but 404/502/503/504 or a connection error."""
    start = waiter.clock()
    last = ""
    while True:
        status, detail = _probe(http, url)
        if status is not None and status not in NOT_YET:
            return EndpointAnswer(status, waiter.clock() - start, detail)
        if detail != last:
            waiter.report(f"endpoint not answering yet ({detail})")
            last = detail
        if waiter.remaining() <= 0:
            return EndpointAnswer(None, waiter.clock() - start, detail)
        waiter.sleep(min(interval, max(waiter.remaining(), 0.0)))


def _probe(http: HttpGet, url: str) -> tuple[int | None, str]:
    try:
        status, _ = http.get(url, {}, 10.0)
    except OSError as exc:
        return None, f"connection failed: {type(exc).__name__}"
    return status, f"HTTP {status}"
