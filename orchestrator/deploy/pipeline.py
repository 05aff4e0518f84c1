"""`deploy`, step by step: config → app → key and share → sync (planner → executor →
recorder, `syncrun.py`) → restart → wait (`rollout.py`, imported when a run restarts).

Each step is one function over the adapters it needs (Container Apps, Storage, the share,
plain HTTPS); the command module strings them together and builds the result. A configured
resource that does not exist is the config's fault: it is reported as a problem naming the
key (exit 2), before anything is uploaded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from orchestrator.azure.appmodels import AppView
from orchestrator.azure.errors import NotFound
from orchestrator.azure.sharemodels import StorageAccess
from orchestrator.deploy.localtree import check_sources, load_ignore
from orchestrator.deploy.restart import Apps
from orchestrator.deploy.share import Share
from orchestrator.deploy.syncplan import SyncPlan
from orchestrator.deploy.syncrun import IGNORE_FILE
from orchestrator.errors import InputError, ValidationFailed
from orchestrator.inference_config import InferenceConfig

DEFAULT_SOURCES = ("inference", "setup")

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
