"""`deploy`, step by step: config → app → key and share → sync plan → upload → restart → wait.

Each step is one function; the command module strings them together and builds the result.
A configured resource that does not exist is the config's fault: it is reported as a problem
naming the key (exit 2), before anything is uploaded.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestrator.deploy import health, localhashes, logstream, restart, sharestate
from orchestrator.deploy.clients import DeployClients, raw
from orchestrator.deploy.localtree import check_sources, load_ignore, scan
from orchestrator.deploy.share import apply_plan, fetch_properties, list_remote
from orchestrator.deploy.syncplan import SyncPlan, known_md5s, needs_md5, plan_sync, remember
from orchestrator.errors import AzureError, InputError, Problem, ValidationFailed
from orchestrator.invocation import Invocation

DEFAULT_SOURCES = ("inference", "setup")
IGNORE_FILE = ".deployignore"
LOG_LINES_ON_FAILURE = 20
CONFIG_HINT = (
    "run `orchestrator provision`, import a manual deployment with "
    "`orchestrator outputs --write`, or fill the keys in by hand"
)


@dataclass(frozen=True)
class Target:
    """The six config keys, checked; `shown` is the config file as printed in messages."""

    subscription: str
    group: str
    account: str
    share: str
    app: str
    endpoint: str
    shown: str = "infra/inference.config.json"

    def describe(self) -> dict[str, str]:
        return {
            "subscription": self.subscription,
            "group": self.group,
            "account": self.account,
            "share": self.share,
            "app": self.app,
            "endpoint": self.endpoint,
        }

    def problem(self, key: str, message: str) -> ValidationFailed:
        """A configured resource that is not there: one problem naming the key."""
        return ValidationFailed(
            [Problem(self.shown, key, message)],
            hint=f"correct {key} in {self.shown} (`orchestrator validate --online` checks "
            "every key), or run `orchestrator provision` to create the resources",
        )


@dataclass(frozen=True)
class Options:
    sources: tuple[str, ...]
    delete: bool
    dry_run: bool
    restart: bool
    timeout: float
    retry_backoff: float = 1.0  # seconds before the first retry of a refused restart


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


def load_target(inv: Invocation) -> Target:
    from orchestrator.validation import check_config, load_config

    path = inv.workspace.config
    shown = inv.workspace.shown(path)
    config = load_config(path, shown)
    problems = check_config(config, shown, require_complete=True)
    if problems:
        raise ValidationFailed(problems, hint=CONFIG_HINT)
    return Target(
        subscription=str(config["SUBSCRIPTION_ID"]),
        group=str(config["RESOURCE_GROUP_NAME"]),
        account=str(config["STORAGE_ACCOUNT_NAME"]),
        share=str(config["FILE_SHARE_NAME"]),
        app=str(config["ACA_APP_NAME"]),
        endpoint=str(config["ACA_APP_ENDPOINT"]),
        shown=shown,
    )


def check_app(clients: DeployClients, target: Target) -> restart.AppState:
    """The app's state; a missing app (or group, or subscription) names its config key."""
    try:
        return restart.app_state(clients, target.group, target.app)
    except restart.NotFound as exc:
        raise _missing(target, exc.code, "ACA_APP_NAME", f"container app {target.app}") from exc


def _missing(target: Target, code: str, key: str, what: str) -> ValidationFailed:
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


def storage_access(clients: DeployClients, target: Target) -> tuple[str, str]:
    """(file endpoint URL, key1) for the account, through ARM. The key stays in memory."""
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

    what = f"storage account {target.account} in {target.group}"
    try:
        account = raw(clients.storage.storage_accounts.get_properties(target.group, target.account))
        keys = raw(clients.storage.storage_accounts.list_keys(target.group, target.account))
    except ResourceNotFoundError as exc:
        raise _missing(
            target, _arm_code(exc), "STORAGE_ACCOUNT_NAME", f"storage account {target.account}"
        ) from exc
    except HttpResponseError as exc:
        raise AzureError(
            f"could not read {what}: {_arm_code(exc) or exc.status_code}",
            hint="check STORAGE_ACCOUNT_NAME and RESOURCE_GROUP_NAME in the config",
        ) from exc
    endpoint = str(((account.get("properties") or {}).get("primaryEndpoints") or {}).get("file"))
    entries = [k for k in keys.get("keys") or [] if str(k.get("keyName", "")).lower() == "key1"]
    if not endpoint or endpoint == "None" or not entries:
        raise AzureError(f"{what} exposes no file endpoint or no key1 (is shared-key access off?)")
    return endpoint.rstrip("/"), str(entries[0]["value"])


def _arm_code(exc: Any) -> str:
    return str(getattr(getattr(exc, "error", None), "code", "") or "")


def open_share(clients: DeployClients, target: Target) -> Any:
    """A ShareClient for the configured share, once it is known to exist."""
    from azure.core.exceptions import (
        ClientAuthenticationError,
        HttpResponseError,
        ResourceNotFoundError,
        ServiceRequestError,
        ServiceResponseError,
    )

    account_url, key = storage_access(clients, target)
    share = clients.share(account_url, target.share, target.account, key)
    where = f"file share {target.account}/{target.share}"
    try:
        share.get_share_properties()
    except ResourceNotFoundError as exc:
        raise target.problem(
            "FILE_SHARE_NAME",
            f"file share {target.share} does not exist in storage account {target.account}",
        ) from exc
    except ClientAuthenticationError as exc:
        raise AzureError(
            f"{where} refused the storage key (AuthenticationFailed)",
            hint="the key comes from ARM listKeys; if it was just rotated, run deploy again",
        ) from exc
    except (ServiceRequestError, ServiceResponseError) as exc:
        raise AzureError(f"cannot reach {where} at {account_url}") from exc
    except HttpResponseError as exc:
        code = getattr(exc, "error_code", None) or exc.status_code
        raise AzureError(f"could not read {where}: {code}") from exc
    return share


def sync_roots(root: Path, sources: Sequence[str]) -> tuple[str, ...]:
    """The folders to sync. Named folders must exist; of the defaults, those that do."""
    roots = check_sources(root, sources or DEFAULT_SOURCES)
    present = tuple(r for r in roots if (root / r).is_dir())
    missing = [r for r in roots if r not in present]
    if sources and missing:
        raise InputError(
            f"--source {missing[0]}: no such folder in {root}",
            hint="name a folder of the workspace (the share mirrors the workspace root)",
        )
    if not present:
        raise InputError(
            f"nothing to sync: neither {' nor '.join(r + '/' for r in roots)} exists in {root}",
            hint="run deploy in the workspace root, or pass -w / --source",
        )
    return present


def plan(
    inv: Invocation, share: Any, roots: Sequence[str], options: Options
) -> tuple[SyncPlan, tuple[str, ...]]:
    root = inv.workspace.root
    hashes = localhashes.load(inv.workspace)
    tree = scan(root, roots, load_ignore(root / IGNORE_FILE), hashes)
    localhashes.update(inv.workspace, hashes, tree.hashes)
    if not tree.files and not options.delete:
        raise InputError(
            f"nothing to sync: {', '.join(r + '/' for r in roots)} hold no files in {root}"
        )
    remote = list_remote(share, roots)
    sizes = {f.path: f.size for f in remote.files}
    wanted = needs_md5(tree.files, sizes)
    known = sharestate.load(inv.workspace, share.url)
    md5s = known_md5s(wanted, remote.files, known)
    heads = fetch_properties(share, [p for p in wanted if p not in md5s])
    md5s.update({path: entry.md5 for path, entry in heads.items()})
    sharestate.update(inv.workspace, share.url, known, remember(known, remote.files, heads))
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

    uploaded = apply_plan(share, inv.workspace.root, the_plan, progress)
    if uploaded or the_plan.delete_files:
        known = sharestate.load(inv.workspace, share.url)
        deleted = set(the_plan.delete_files)
        after = {p: k for p, k in known.items() if p not in deleted} | uploaded
        sharestate.update(inv.workspace, share.url, known, after)


def restart_and_wait(
    clients: DeployClients,
    target: Target,
    state: restart.AppState,
    options: Options,
    clock: Clock,
    report: Callable[[str], None],
) -> Rollout:
    started = clock.now()
    waiter = health.Waiter(clock.now, clock.sleep, report, started + options.timeout)
    state = _settled_app(clients, target, state, waiter)
    if not state.revision:
        raise AzureError(f"app {target.app} has no active revision to restart")
    old = {r.name for r in restart.replicas(clients, target.group, target.app, state.revision)}
    report(f"restarting revision {state.revision}")
    restart.restart(
        clients,
        target.group,
        target.app,
        state.revision,
        sleep=clock.sleep,
        report=report,
        backoff=options.retry_backoff,
    )
    verdict = health.wait_for_replica(
        clients, target.group, target.app, state.revision, old, waiter
    )
    if verdict.state != "ready" or verdict.replica is None:
        raise _not_healthy(clients, target, state, verdict.reason, options.timeout)
    url = f"https://{state.fqdn or target.endpoint}/"
    answer = health.wait_for_endpoint(clients, url, waiter)
    if answer.status is None:
        reason = f"{url} never answered ({answer.detail})"
        raise _not_healthy(clients, target, state, reason, options.timeout)
    report(f"{url} answered HTTP {answer.status} after {answer.seconds:.1f} s")
    return Rollout(state.revision, verdict.replica.name, answer.status, clock.now() - started)


def _settled_app(
    clients: DeployClients, target: Target, state: restart.AppState, waiter: health.Waiter
) -> restart.AppState:
    """The app, once no other update is in progress on it."""
    while state.provisioning == "InProgress" and waiter.remaining() > 0:
        waiter.report(f"app {target.app} is being updated; waiting")
        waiter.sleep(min(2.0, max(waiter.remaining(), 0.0)))
        state = restart.app_state(clients, target.group, target.app)
    return state


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
            detail = f" ({rep.detail})" if rep.detail else ""
            lines.append(
                f"replica {rep.name}: {rep.running}, ready={rep.ready}, "
                f"restarts={rep.restarts}{detail}"
            )
        log = logstream.tail(
            clients, state, target.subscription, target.group, target.app, LOG_LINES_ON_FAILURE
        )
        if log:
            lines.append(f"last {len(log)} log lines:")
            lines.extend(f"  | {line}" for line in log)
        else:
            lines.append("the app wrote nothing to its console")
    except (AzureError, OSError) as exc:
        lines.append(f"(could not read the app's state: {exc})")
    return AzureError(
        "\n".join(lines),
        hint=f"`orchestrator logs --follow` streams the console; --timeout (now {timeout:g} s) "
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
