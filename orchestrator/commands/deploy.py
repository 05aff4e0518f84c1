"""`orchestrator deploy`: sync the inference code to the share, restart, wait for health."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from orchestrator.deploy import pipeline
from orchestrator.deploy.clients import retry_backoff
from orchestrator.deploy.display import reporter
from orchestrator.deploy.syncplan import SyncPlan
from orchestrator.invocation import Invocation
from orchestrator.result import CommandResult, Message


def run(
    inv: Invocation,
    *,
    sources: tuple[str, ...] = (),
    delete: bool = False,
    dry_run: bool = False,
    no_restart: bool = False,
    timeout: float = 1500.0,
    **_: Any,
) -> CommandResult:
    from orchestrator import factory

    options = pipeline.Options(
        tuple(sources), delete, dry_run, not no_restart, timeout, retry_backoff(inv.env)
    )
    target = pipeline.load_target(inv)
    roots = pipeline.sync_roots(inv.workspace.root, options.sources)
    clients = factory.deploy_clients(inv, target.subscription)
    started = time.monotonic()
    state = pipeline.check_app(clients, target)
    share = pipeline.open_share(clients, target)
    the_plan, skipped = pipeline.plan(inv, share, roots, options)
    data: dict[str, Any] = {
        "target": target.describe(),
        "plan": pipeline.describe_plan(the_plan, skipped),
    }
    messages = summary_lines(target, state.fqdn, the_plan, skipped)
    if dry_run:
        messages += [*dry_run_lines(the_plan), Message("dry run: nothing was changed", "success")]
        return CommandResult("deploy", {**data, "dry_run": True}, tuple(messages))
    announce = reporter(inv, "plan")  # before the uploads scroll by, say where and what
    for message in messages:
        announce(message.text)
    pipeline.sync(inv, share, the_plan, reporter(inv, "sync"))
    data["sync_seconds"] = round(time.monotonic() - started, 3)
    messages += kept_lines(the_plan)
    if options.restart:
        rollout = pipeline.restart_and_wait(
            clients, target, state, options, pipeline.Clock(), reporter(inv, "restart")
        )
        messages.append(Message(restart_line(the_plan, rollout)))
        data.update(restarted=True, revision=rollout.revision, replica=rollout.replica)
        data["status"] = rollout.endpoint_status
    else:
        data["restarted"] = False
        messages.append(Message(no_restart_line(the_plan)))
    data["endpoint"] = endpoint = f"https://{state.fqdn or target.endpoint}"
    messages.append(Message(f"The inference endpoint is available at {endpoint}", "success"))
    return CommandResult("deploy", data, tuple(messages))


def summary_lines(
    target: pipeline.Target, fqdn: str, the_plan: SyncPlan, skipped: Sequence[str]
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


def dry_run_lines(the_plan: SyncPlan) -> list[Message]:
    lines = [Message(f"would create folder {d}/", "detail") for d in the_plan.make_dirs]
    lines += [Message(f"would upload {u.path} ({u.reason})", "detail") for u in the_plan.uploads]
    lines += [Message(f"would delete {p}", "detail") for p in the_plan.delete_files]
    lines += [Message(f"would delete folder {d}/", "detail") for d in the_plan.delete_dirs]
    lines += [
        Message(f"remote extra kept: {p} (--delete removes it)", "detail")
        for p in the_plan.kept_remote
    ]
    return lines


def kept_lines(the_plan: SyncPlan) -> list[Message]:
    return [
        Message(f"remote extra kept: {p} (not in the workspace; --delete removes it)", "detail")
        for p in the_plan.kept_remote
    ]


def restart_line(the_plan: SyncPlan, rollout: pipeline.Rollout) -> str:
    if the_plan.is_noop:
        return (
            f"nothing changed on the share; restarted {rollout.revision} anyway "
            f"(--no-restart skips this); replica {rollout.replica} is ready"
        )
    return f"restarted {rollout.revision}; replica {rollout.replica} is ready"


def no_restart_line(the_plan: SyncPlan) -> str:
    if the_plan.is_noop:
        return "nothing changed on the share; not restarted (--no-restart)"
    return "not restarted (--no-restart): the app serves the old code until it restarts"


def _files(count: int) -> str:
    return f"{count} file{'s' if count != 1 else ''}"
