"""Wait until a new replica is running and ready, then until the endpoint answers.

`judge` is the decision (pure); the loops around it only fetch, sleep and report.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Protocol

from orchestrator.azure.appmodels import Replica, Revision
from orchestrator.deploy.restart import Apps

CRASH_LOOP_RESTARTS = 3
# An answer of 404 at a path nobody declared may be the ingress (no route to a replica yet)
# or the app (nothing served at `/`): it is waited out for this long, not for the timeout.
UNDECLARED_404_SECONDS = 60.0

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
class HealthPath:
    """Where the endpoint wait looks: `--health-path`, else the app's readiness probe path,
    else `/` (declared_by "")."""

    path: str = "/"
    declared_by: str = ""  # "--health-path" | "the readiness probe" | "" (nobody: `/`)


def health_path(flag: str | None, readiness_path: str) -> HealthPath:
    if flag:
        return HealthPath("/" + flag.lstrip("/"), "--health-path")
    if readiness_path:
        return HealthPath("/" + readiness_path.lstrip("/"), "the readiness probe")
    return HealthPath()


@dataclass(frozen=True)
class EndpointAnswer:
    status: int | None  # None: never answered
    seconds: float
    detail: str


def answered(status: int | None, health: HealthPath, seconds_of_404: float) -> bool:
    """Whether one look at the endpoint ends the wait (pure).

    No answer or a 5xx: not yet. A 404 at a declared path (`--health-path`, the readiness
    probe's) is the app's own answer; at an undeclared `/` it may be the ingress still
    routing, so it ends the wait only once it has lasted `UNDECLARED_404_SECONDS`. Anything
    else is the app answering."""
    if status is None or status >= 500:
        return False
    if status == 404 and not health.declared_by:
        return seconds_of_404 >= UNDECLARED_404_SECONDS
    return True


def wait_for_endpoint(
    http: HttpGet,
    url: str,
    waiter: Waiter,
    *,
    health: HealthPath | None = None,
    interval: float = 0.25,
) -> EndpointAnswer:
    """Poll `url` (the app's base URL + the health path) until `answered` says so."""
    health = health or HealthPath()
    start = waiter.clock()
    first_404: float | None = None
    last = ""
    while True:
        status, detail = _probe(http, url)
        now = waiter.clock()
        first_404 = (first_404 if first_404 is not None else now) if status == 404 else None
        if answered(status, health, now - first_404 if first_404 is not None else 0.0):
            return EndpointAnswer(status, now - start, detail)
        if detail != last:
            waiter.report(f"endpoint not answering yet ({detail})")
            last = detail
        if waiter.remaining() <= 0:
            return EndpointAnswer(None, now - start, detail)
        waiter.sleep(min(interval, max(waiter.remaining(), 0.0)))


def _probe(http: HttpGet, url: str) -> tuple[int | None, str]:
    try:
        status, _ = http.get(url, {}, 10.0)
    except OSError as exc:
        return None, f"connection failed: {type(exc).__name__}"
    return status, f"HTTP {status}"
