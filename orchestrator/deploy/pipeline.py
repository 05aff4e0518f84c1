"""`deploy`, step by step: config → key → sync plan → upload → restart → wait for health.

Each step is one function; the command module strings them together and builds the result.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from orchestrator.deploy import health, logstream, restart
from orchestrator.deploy.clients import DeployClients, raw
from orchestrator.deploy.localtree import check_sources, load_ignore, scan
from orchestrator.deploy.share import apply_plan, fetch_md5s, list_remote
from orchestrator.deploy.syncplan import SyncPlan, needs_md5, plan_sync
from orchestrator.errors import AzureError, InputError
from orchestrator.invocation import Invocation

DEFAULT_SOURCES = ("inference", "setup")
IGNORE_FILE = ".deployignore"
LOG_LINES_ON_FAILURE = 20


@dataclass(frozen=True)
class Target:
    """The six config keys, checked."""

    subscription: str
    group: str
    account: str
    share: str
    app: str
    endpoint: str


@dataclass(frozen=True)
class Options:
    sources: tuple[str, ...]
    delete: bool
    dry_run: bool
    restart: bool
    timeout: float


@dataclass(frozen=True)
class Clock:
    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


@dataclass
class Outcome:
    """What happened, filled in as the steps run (the command turns it into a result)."""

    plan: SyncPlan | None = None
    skipped: tuple[str, ...] = ()
    revision: str = ""
    replica: str = ""
    endpoint_status: int | None = None
    seconds: dict[str, float] = field(default_factory=dict)


def load_target(inv: Invocation) -> Target:
    from orchestrator.validation import check_config, load_config

    path = inv.workspace.config
    shown = inv.workspace.shown(path)
    config = load_config(path, shown)
    problems = check_config(config, shown, require_complete=True)
    if problems:
        from orchestrator.errors import ValidationFailed

        raise ValidationFailed(
            problems,
            hint="run `orchestrator provision`, import a manual deployment with "
            "`orchestrator outputs --write`, or fill the keys in by hand",
        )
    return Target(
        subscription=str(config["SUBSCRIPTION_ID"]),
        group=str(config["RESOURCE_GROUP_NAME"]),
        account=str(config["STORAGE_ACCOUNT_NAME"]),
        share=str(config["FILE_SHARE_NAME"]),
        app=str(config["ACA_APP_NAME"]),
        endpoint=str(config["ACA_APP_ENDPOINT"]),
    )


def storage_access(clients: DeployClients, target: Target) -> tuple[str, str]:
    """(file endpoint URL, key1) for the account, through ARM. The key stays in memory."""
    from azure.core.exceptions import HttpResponseError

    what = f"storage account {target.account} in {target.group}"
    try:
        account = raw(clients.storage.storage_accounts.get_properties(target.group, target.account))
        keys = raw(clients.storage.storage_accounts.list_keys(target.group, target.account))
    except HttpResponseError as exc:
        code = getattr(getattr(exc, "error", None), "code", None) or exc.status_code
        raise AzureError(
            f"could not read {what}: {code}",
            hint="check STORAGE_ACCOUNT_NAME and RESOURCE_GROUP_NAME in the config",
        ) from exc
    endpoint = str(((account.get("properties") or {}).get("primaryEndpoints") or {}).get("file"))
    entries = [k for k in keys.get("keys") or [] if str(k.get("keyName", "")).lower() == "key1"]
    if not endpoint or endpoint == "None" or not entries:
        raise AzureError(f"{what} exposes no file endpoint or no key1 (is shared-key access off?)")
    return endpoint.rstrip("/"), str(entries[0]["value"])


def plan(inv: Invocation, share: Any, options: Options) -> tuple[SyncPlan, tuple[str, ...]]:
    root = inv.workspace.root
    roots = check_sources(root, options.sources or DEFAULT_SOURCES)
    tree = scan(root, roots, load_ignore(root / IGNORE_FILE))
    if not tree.files and not options.delete:
        raise InputError(
            f"nothing to sync: {', '.join(r + '/' for r in roots)} hold no files in {root}"
        )
    remote = list_remote(share, roots)
    sizes = {f.path: f.size for f in remote.files}
    md5s = fetch_md5s(share, needs_md5(tree.files, sizes))
    remote_files = [type(f)(f.path, f.size, md5s.get(f.path)) for f in remote.files]
    result = plan_sync(
        tree.files, tree.dirs, remote_files, remote.dirs, roots, delete=options.delete
    )
    return result, tree.skipped


def sync(inv: Invocation, share: Any, the_plan: SyncPlan, report: Callable[[str], None]) -> None:
    done = [0]

    def progress(event: Any) -> None:
        if event.kind == "upload":
            done[0] += 1
            report(f"uploaded {event.path} ({done[0]}/{len(the_plan.uploads)})")
        else:
            report(f"{event.kind} {event.path}")

    apply_plan(share, inv.workspace.root, the_plan, progress)


def restart_and_wait(
    clients: DeployClients,
    target: Target,
    options: Options,
    clock: Clock,
    report: Callable[[str], None],
    outcome: Outcome,
) -> None:
    waiter = health.Waiter(clock.now, clock.sleep, report, clock.now() + options.timeout)
    state = _settled_app(clients, target, waiter)
    if not state.revision:
        raise AzureError(f"app {target.app} has no active revision to restart")
    old = {r.name for r in restart.replicas(clients, target.group, target.app, state.revision)}
    report(f"restarting revision {state.revision}")
    restart.restart(clients, target.group, target.app, state.revision, sleep=clock.sleep)
    outcome.revision = state.revision
    verdict = health.wait_for_replica(
        clients, target.group, target.app, state.revision, old, waiter
    )
    if verdict.state != "ready":
        raise _not_healthy(clients, target, state, verdict.reason, options.timeout)
    outcome.replica = verdict.replica.name if verdict.replica else ""
    url = f"https://{state.fqdn or target.endpoint}/"
    answer = health.wait_for_endpoint(clients, url, waiter)
    outcome.endpoint_status = answer.status
    if answer.status is None:
        raise _not_healthy(clients, target, state, f"{url} never answered", options.timeout)
    report(f"{url} answered HTTP {answer.status} after {answer.seconds:.1f} s")


def _settled_app(clients: DeployClients, target: Target, waiter: health.Waiter) -> restart.AppState:
    """The app, once no other update is in progress on it."""
    while True:
        state = restart.app_state(clients, target.group, target.app)
        if state.provisioning != "InProgress" or waiter.remaining() <= 0:
            return state
        waiter.report(f"app {target.app} is being updated; waiting")
        waiter.sleep(2.0)


def _not_healthy(
    clients: DeployClients, target: Target, state: restart.AppState, reason: str, timeout: float
) -> AzureError:
    lines = [f"the app did not become healthy: {reason}"]
    try:
        props = restart.revision_state(clients, target.group, target.app, state.revision)
        lines.append(
            f"revision {state.revision}: running={props.get('runningState')} "
            f"health={props.get('healthState')} replicas={props.get('replicas')}"
        )
        for rep in restart.replicas(clients, target.group, target.app, state.revision):
            lines.append(
                f"replica {rep.name}: {rep.running}, ready={rep.ready}, restarts={rep.restarts}"
            )
        log = logstream.tail(
            clients, state, target.subscription, target.group, target.app, LOG_LINES_ON_FAILURE
        )
        if log:
            lines.append(f"last {len(log)} log lines:")
            lines.extend(f"  | {line}" for line in log)
    except AzureError as exc:
        lines.append(f"(could not read the app's state: {exc.message})")
    return AzureError(
        "\n".join(lines),
        hint=f"`orchestrator logs --follow` streams the console; --timeout (now {timeout:.0f} s) "
        "allows a longer start",
    )


def describe_plan(the_plan: SyncPlan, skipped: Sequence[str]) -> Mapping[str, Any]:
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
