"""The restart step of `deploy`: restart the app's active revision, wait for a new replica
and for the endpoint to answer; on failure, `Unhealthy` with the revision, its replicas and
the console's last lines. Imported only by a run that restarts (with the health checks and
the log tail it uses)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from orchestrator.appdata import replica_data, revision_data
from orchestrator.azure.appmodels import AppView
from orchestrator.deploy import health, logstream, restart
from orchestrator.deploy.health import Report
from orchestrator.deploy.pipeline import Options
from orchestrator.deploy.restart import Apps
from orchestrator.errors import AzureError
from orchestrator.inference_config import InferenceConfig

LOG_LINES_ON_FAILURE = 20


@dataclass(frozen=True)
class Clock:
    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


@dataclass(frozen=True)
class Rollout:
    """What the restart step achieved."""

    revision: str
    replica: str
    endpoint_status: int
    seconds: float
    url: str = ""  # what was asked: the app's base URL and the health path


class Unhealthy(AzureError):
    """The app did not become healthy: the revision, its replicas and the last log lines,
    as lines for people and as fields for `--json`."""

    def __init__(
        self, reason: str, view: AppView | None, log: Sequence[str], *, hint: str, note: str = ""
    ) -> None:
        super().__init__(f"the app did not become healthy: {reason}", hint=hint)
        self.reason = reason
        self.view = view
        self.log = tuple(log)
        self.note = note

    def lines(self) -> list[str]:
        out = [f"error: {self.message}"]
        revision = self.view.revision if self.view else None
        if revision is not None:
            out.append(
                f"revision {revision.name}: running={revision.running_state or None} "
                f"health={revision.health_state or None} replicas={revision.replicas}"
            )
        for rep in self.view.replicas if self.view else ():
            detail = f" ({rep.detail})" if rep.detail else ""
            out.append(
                f"replica {rep.name}: {rep.running}, ready={rep.ready}, "
                f"restarts={rep.restarts}{detail}"
            )
        if self.note:
            out.append(self.note)
        elif self.log:
            out.append(f"last {len(self.log)} log lines:")
            out.extend(f"  | {line}" for line in self.log)
        elif self.view is not None:
            out.append("the app wrote nothing to its console")
        if self.hint:
            out.append(f"hint: {self.hint}")
        return out

    def as_data(self) -> dict[str, object]:
        view = self.view
        return {
            **super().as_data(),
            "reason": self.reason,
            "revision": revision_data(view.revision) if view else None,
            "replicas": [replica_data(r) for r in view.replicas] if view else [],
            "log": list(self.log),
            "note": self.note or None,
        }


@dataclass(frozen=True)
class Restarter:
    """The collaborators of the restart-and-wait step."""

    apps: Apps
    http: logstream.Http
    clock: Clock
    report: Report
    backoff: float = 1.0  # seconds before the first retry of a refused restart


def restart_and_wait(
    how: Restarter, target: InferenceConfig, view: AppView, options: Options
) -> Rollout:
    clock = how.clock
    started = clock.now()
    waiter = health.Waiter(clock.now, clock.sleep, how.report, started + options.timeout)
    view = _settled_app(how.apps, target, view, waiter)
    revision = view.revision_name
    if not revision:
        raise AzureError(f"app {target.app} has no active revision to restart")
    old = {r.name for r in how.apps.replicas(target.group, target.app, revision)}
    how.report(f"restarting revision {revision}")
    restart.restart(
        how.apps,
        target.group,
        target.app,
        revision,
        sleep=clock.sleep,
        report=how.report,
        backoff=how.backoff,
    )
    verdict = health.wait_for_replica(how.apps, target.group, target.app, revision, old, waiter)
    if verdict.state != "ready" or verdict.replica is None:
        raise not_healthy(how, target, verdict.reason, options.timeout)
    where = health.health_path(options.health_path, view.app.readiness_path)
    url = f"https://{view.app.fqdn or target.endpoint}{where.path}"
    answer = health.wait_for_endpoint(how.http, url, waiter, health=where)
    if answer.status is None:
        reason = f"{url} never answered ({answer.detail})"
        raise not_healthy(how, target, reason, options.timeout)
    how.report(f"{url} answered HTTP {answer.status} after {answer.seconds:.1f} s")
    return Rollout(revision, verdict.replica.name, answer.status, clock.now() - started, url)


def _settled_app(
    apps: Apps, target: InferenceConfig, view: AppView, waiter: health.Waiter
) -> AppView:
    """The app, once no other update is in progress on it."""
    while view.app.provisioning_state == "InProgress" and waiter.remaining() > 0:
        waiter.report(f"app {target.app} is being updated; waiting")
        waiter.sleep(min(2.0, max(waiter.remaining(), 0.0)))
        view = apps.view(target.group, target.app, with_replicas=False)
    return view


def not_healthy(how: Restarter, target: InferenceConfig, reason: str, timeout: float) -> Unhealthy:
    """The failure, with the revision, its replicas and the console's last lines."""
    hint = (
        f"`orchestrator logs --follow` streams the console; --timeout (now {timeout:g} s) "
        "allows a longer start"
    )
    where = logstream.Where(target.subscription, target.group, target.app)
    try:
        view = how.apps.view(target.group, target.app)
        log = logstream.tail(how.apps, how.http, view, where, LOG_LINES_ON_FAILURE)
    except (AzureError, OSError) as exc:
        return Unhealthy(
            reason, None, (), hint=hint, note=f"(could not read the app's state: {exc})"
        )
    return Unhealthy(reason, view, log, hint=hint)
