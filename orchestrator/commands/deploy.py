"""`orchestrator deploy`: sync the inference code to the share, restart, wait for health.

The sync is planner → executor → recorder (`deploy/syncrun.py`): `--dry-run` swaps in the
display-only executor and records nothing."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from orchestrator import inference_config
from orchestrator.app import App
from orchestrator.azure.appmodels import AppView
from orchestrator.deploy import localhashes, pipeline, sharestate, syncrun
from orchestrator.deploy.localhashes import Hashed
from orchestrator.deploy.localtree import LocalTree
from orchestrator.deploy.restart import Apps
from orchestrator.deploy.share import RemoteTree, Share, list_remote
from orchestrator.deploy.syncplan import SyncPlan
from orchestrator.display import Display
from orchestrator.errors import InputError
from orchestrator.events import Progress
from orchestrator.inference_config import InferenceConfig
from orchestrator.invocation import Invocation
from orchestrator.result import CommandResult, Message
from orchestrator.threads import Pool

if TYPE_CHECKING:  # the restart step is imported by a run that restarts
    from orchestrator.deploy.health import Report
    from orchestrator.deploy.rollout import Rollout


def reporter(display: Display, step: str) -> Report:
    """Progress lines of one step, as events."""
    return lambda text: display.show(Progress(step, text))


def run(inv: Invocation, app: App, options: pipeline.Options) -> CommandResult:
    target, warnings = inference_config.require(inv.workspace)
    roots = pipeline.sync_roots(inv.workspace.root, options.sources)
    apps = app.containerapps(target.subscription)
    storage = app.storage(target.subscription)
    display = app.display()
    try:
        return _run(inv, app, options, target, warnings, roots, apps, storage.access, display)
    finally:
        display.close()


def _run(
    inv: Invocation,
    app: App,
    options: pipeline.Options,
    target: InferenceConfig,
    warnings: Sequence[str],
    roots: tuple[str, ...],
    apps: Apps,
    access: pipeline.Access,
    display: Display,
) -> CommandResult:
    started = time.monotonic()
    view, share, remote, tree, caches = _read_both_sides(
        inv, app, target, apps, access, roots, options
    )
    planned = syncrun.decide(share, roots, caches, tree, remote, delete=options.delete)
    the_plan = planned.plan
    data: dict[str, object] = {
        "target": target.describe(),
        "plan": pipeline.describe_plan(the_plan, planned.skipped),
    }
    # Each fact is said once: in the result (stdout); the display (stderr) carries progress.
    messages = [Message(w, "warning") for w in warnings]
    messages += summary_lines(target, view.app.fqdn, the_plan, planned.skipped)
    if options.dry_run:
        executor = syncrun.DryRunExecutor()
        executor.run(the_plan)
        messages += [Message(line, "detail") for line in executor.describe(the_plan)]
        messages.append(Message("dry run: nothing was changed", "success"))
        return CommandResult("deploy", {**data, "dry_run": True}, tuple(messages))
    live = syncrun.LiveExecutor(share, inv.workspace, display.show, options.verbose)
    uploaded = live.run(the_plan)
    syncrun.record(inv.workspace, share.url, caches, planned, uploaded)
    data["sync_seconds"] = round(time.monotonic() - started, 3)
    messages += kept_lines(the_plan)
    if pipeline.should_restart(options.restart, the_plan):
        from orchestrator.deploy import rollout as step

        how = step.Restarter(
            apps,
            app.https,
            step.Clock(),
            reporter(display, "restart"),
            app.settings.retry_backoff,
        )
        rollout = step.restart_and_wait(how, target, view, options)
        messages.append(Message(restart_line(the_plan, rollout)))
        messages += answer_lines(rollout)
        data.update(restarted=True, revision=rollout.revision, replica=rollout.replica)
        data["status"] = rollout.endpoint_status
        data["health_url"] = rollout.url
    else:
        data["restarted"] = False
        messages.append(Message(no_restart_line(the_plan, options.restart)))
    data["endpoint"] = endpoint = f"https://{view.app.fqdn or target.endpoint}"
    messages.append(Message(f"The inference endpoint is available at {endpoint}", "success"))
    return CommandResult("deploy", data, tuple(messages))


def _read_both_sides(
    inv: Invocation,
    app: App,
    target: InferenceConfig,
    apps: Apps,
    access: pipeline.Access,
    roots: tuple[str, ...],
    options: pipeline.Options,
) -> tuple[AppView, Share, RemoteTree, LocalTree, syncrun.Caches]:
    """The app, the share and its listing (read on the side, they wait on the network), and
    meanwhile the caches and the workspace (read here, they wait on the disk): the requests
    go out first, so the listing, the longest wait, starts as early as it can, and the local
    MD5s are saved while it runs (not on a dry run). An error of the app comes first, then
    one of the share, then one of the workspace, as when they were read in turn."""

    def list_opened() -> RemoteTree:
        share = opening.result()
        remote = list_remote(share, roots)
        # A folder listed proves the share exists; only when none was is it asked (a missing
        # share and a new, empty one both list nothing).
        if not remote.dirs and not share.exists():
            raise pipeline.share_missing(target)
        return remote

    with Pool(3, "deploy-remote") as side:
        viewing = side.submit(pipeline.check_app, apps, target)
        opening = side.submit(pipeline.open_share, access, app.open_share, target)
        listing = side.submit(list_opened)
        known: Mapping[str, Hashed] = localhashes.load(inv.workspace)
        try:
            tree = syncrun.scan_workspace(inv.workspace, roots, known, delete=options.delete)
        except InputError:
            viewing.result()
            listing.result()
            raise
        if not options.dry_run:  # facts about the local files, whatever the share holds
            localhashes.update(inv.workspace, known, tree.hashes)
            known = tree.hashes  # what the file now holds: `record` finds nothing to add
        view = viewing.result()
        share = opening.result()
        caches = syncrun.Caches(known, sharestate.load(inv.workspace, share.url))
        remote = listing.result()
    return view, share, remote, tree, caches


def summary_lines(
    target: InferenceConfig, fqdn: str, the_plan: SyncPlan, skipped: Sequence[str]
) -> list[Message]:
    """Where to, what the app really answers at, what was left out, what the sync does."""
    lines = [
        Message(f"target: {target.app} in {target.group}, share {target.account}/{target.share}")
    ]
    if fqdn and fqdn.lower() != target.endpoint.lower():
        lines.append(
            Message(
                f"ACA_APP_ENDPOINT in {target.shown} is {target.endpoint}, but the app "
                f"answers at {fqdn}: using {fqdn}",
                "warning",
            )
        )
    lines += [Message(s, "warning") for s in skipped]
    lines.append(Message(plan_line(the_plan)))
    return lines


def plan_line(the_plan: SyncPlan) -> str:
    if not the_plan.uploads and not the_plan.delete_files:
        return f"sync: nothing to upload, {_files(the_plan.unchanged)} unchanged"
    mib = the_plan.upload_bytes / (1024 * 1024)
    parts = [
        f"{_files(len(the_plan.uploads))} to upload ({mib:.1f} MiB)",
        f"{the_plan.unchanged} unchanged",
    ]
    if the_plan.delete_files:
        parts.append(f"{len(the_plan.delete_files)} to delete")
    if the_plan.kept_remote:
        parts.append(f"{len(the_plan.kept_remote)} remote extras kept")
    return "sync: " + ", ".join(parts)


def kept_lines(the_plan: SyncPlan) -> list[Message]:
    return [
        Message(f"remote extra kept: {p} (not in the workspace; --delete removes it)", "detail")
        for p in the_plan.kept_remote
    ]


def restart_line(the_plan: SyncPlan, rollout: Rollout) -> str:
    if the_plan.is_noop:
        return (
            f"nothing changed on the share; restarted {rollout.revision} anyway "
            f"(--restart); replica {rollout.replica} is ready"
        )
    return f"restarted {rollout.revision}; replica {rollout.replica} is ready"


def answer_lines(rollout: Rollout) -> list[Message]:
    """A ready app whose health URL answers 4xx: said, not failed (the app does answer)."""
    if rollout.endpoint_status < 400:
        return []
    return [
        Message(
            f"{rollout.url} answered HTTP {rollout.endpoint_status}; --health-path PATH names "
            "the path that answers 200 when the app is ready",
            "warning",
        )
    ]


def no_restart_line(the_plan: SyncPlan, restart: str) -> str:
    if restart == pipeline.RESTART_NEVER and not the_plan.is_noop:
        return "not restarted (--no-restart): the app serves the old code until it restarts"
    if restart == pipeline.RESTART_NEVER:
        return "nothing changed on the share; not restarted (--no-restart)"
    return "nothing changed on the share; not restarted (--restart restarts anyway)"


def _files(count: int) -> str:
    return f"{count} file{'s' if count != 1 else ''}"
