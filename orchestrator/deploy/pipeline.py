"""`deploy`, step by step: config → app → key and share → sync (planner → executor →
recorder, `syncrun.py`) → restart → wait.

Each step is one function over the adapters it needs (Container Apps, Storage, the share,
plain HTTPS); the command module strings them together and builds the result. A configured
resource that does not exist is the config's fault: it is reported as a problem naming the
key (exit 2), before anything is uploaded.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from orchestrator.appdata import replica_data, revision_data
from orchestrator.azure.appmodels import AppView
from orchestrator.azure.errors import NotFound
from orchestrator.azure.sharemodels import StorageAccess
from orchestrator.deploy import restart
from orchestrator.deploy.localtree import check_sources, load_ignore
from orchestrator.deploy.restart import Apps
from orchestrator.deploy.share import Share
from orchestrator.deploy.syncplan import SyncPlan
from orchestrator.deploy.syncrun import IGNORE_FILE
from orchestrator.errors import AzureError, InputError, ValidationFailed
from orchestrator.inference_config import InferenceConfig

if TYPE_CHECKING:  # the health checks and the log tail are imported by a restart
    from orchestrator.deploy import health, logstream

DEFAULT_SOURCES = ("inference", "setup")
LOG_LINES_ON_FAILURE = 20

Report = Callable[[str], None]
Access = Callable[[str, str], StorageAccess]  # (group, account) → the account's key, in memory


# When the app is restarted after the sync.
RESTART_IF_CHANGED = "if-changed"  # the default: only when the sync changed the share
RESTART_ALWAYS = "always"  # --restart
RESTART_NEVER = "never"  # --no-restart


@dataclass(frozen=True)
class Options:
    sources: tuple[str, ...]
    delete: bool
    dry_run: bool
    restart: str  # RESTART_IF_CHANGED | RESTART_ALWAYS | RESTART_NEVER
    timeout: float
    health_path: str | None = None  # --health-path
    verbose: bool = False  # -v: one line per file


def should_restart(restart: str, the_plan: SyncPlan) -> bool:
    """Restart when asked to, or (by default) when the sync changed something on the share."""
    if restart == RESTART_IF_CHANGED:
        return not the_plan.is_noop
    return restart == RESTART_ALWAYS


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


def check_app(apps: Apps, target: InferenceConfig) -> AppView:
    """The app and its active revision; a missing app (or group, or subscription) names its
    config key."""
    try:
        return apps.view(target.group, target.app, with_replicas=False)
    except NotFound as exc:
        raise missing(target, exc.code, "ACA_APP_NAME", f"container app {target.app}") from exc


def missing(target: InferenceConfig, code: str, key: str, what: str) -> ValidationFailed:
    if code == "SubscriptionNotFound":
        return target.problem(
            "SUBSCRIPTION_ID", f"subscription {target.subscription} was not found"
        )
    if code == "ResourceGroupNotFound":
        return target.problem(
            "RESOURCE_GROUP_NAME",
            f"resource group {target.group} does not exist in subscription {target.subscription}",
        )
    return target.problem(key, f"{what} does not exist in resource group {target.group}")


def open_share(
    access: Access,
    opener: Callable[[StorageAccess, str], Share],
    target: InferenceConfig,
) -> Share:
    """The configured share, opened with its key from ARM (kept in memory). Whether it
    exists is the caller's question (`share_missing` is the answer when it does not)."""
    try:
        found = access(target.group, target.account)
    except NotFound as exc:
        what = f"storage account {target.account}"
        raise missing(target, exc.code, "STORAGE_ACCOUNT_NAME", what) from exc
    return opener(found, target.share)


def share_missing(target: InferenceConfig) -> ValidationFailed:
    return target.problem(
        "FILE_SHARE_NAME",
        f"file share {target.share} does not exist in storage account {target.account}",
    )


def sync_roots(root: Path, sources: Sequence[str]) -> tuple[str, ...]:
    """The folders to sync. Named folders must exist; of the defaults, those that do."""
    roots = check_sources(root, sources or DEFAULT_SOURCES)
    load_ignore(root / IGNORE_FILE)  # a bad ignore line fails here, before any request
    present = tuple(r for r in roots if (root / r).is_dir())
    absent = [r for r in roots if r not in present]
    if sources and absent:
        raise InputError(
            f"--source {absent[0]}: no such folder in {root}",
            hint="name a folder of the workspace (the share mirrors the workspace root)",
        )
    if not present:
        raise InputError(
            f"nothing to sync: neither {' nor '.join(r + '/' for r in roots)} exists in {root}",
            hint="run deploy in the workspace root, or pass -w / --source",
        )
    return present


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
    from orchestrator.deploy import health

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
    from orchestrator.deploy import logstream

    where = logstream.Where(target.subscription, target.group, target.app)
    try:
        view = how.apps.view(target.group, target.app)
        log = logstream.tail(how.apps, how.http, view, where, LOG_LINES_ON_FAILURE)
    except (AzureError, OSError) as exc:
        return Unhealthy(
            reason, None, (), hint=hint, note=f"(could not read the app's state: {exc})"
        )
    return Unhealthy(reason, view, log, hint=hint)


def describe_plan(the_plan: SyncPlan, skipped: Sequence[str]) -> Mapping[str, object]:
    return {
        "uploads": [{"path": u.path, "size": u.size, "reason": u.reason} for u in the_plan.uploads],
        "make_dirs": list(the_plan.make_dirs),
        "delete_files": list(the_plan.delete_files),
        "delete_dirs": list(the_plan.delete_dirs),
        "unchanged": the_plan.unchanged,
        "kept_remote": list(the_plan.kept_remote),
        "skipped": list(skipped),
        "upload_bytes": the_plan.upload_bytes,
    }
