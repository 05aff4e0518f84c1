"""`orchestrator deploy`: sync the inference code to the share, restart, wait for health."""

from __future__ import annotations

import time
from typing import Any

from orchestrator.deploy import pipeline
from orchestrator.deploy.display import reporter
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

    options = pipeline.Options(tuple(sources), delete, dry_run, not no_restart, timeout)
    target = pipeline.load_target(inv)
    clients = factory.deploy_clients(inv, target.subscription)
    started = time.monotonic()
    account_url, key = pipeline.storage_access(clients, target)
    share = clients.share(account_url, target.share, target.account, key)
    the_plan, skipped = pipeline.plan(inv, share, options)
    data: dict[str, Any] = {
        "target": target.__dict__,
        "plan": pipeline.describe_plan(the_plan, skipped),
    }
    messages = [
        Message(f"target: {target.app} in {target.group}, share {target.account}/{target.share}")
    ]
    messages += [Message(s, "warning") for s in skipped]
    messages.append(Message(_plan_line(the_plan)))
    if dry_run:
        messages += [
            Message(f"would upload {u.path} ({u.reason})", "detail") for u in the_plan.uploads
        ]
        messages += [Message(f"would delete {p}", "detail") for p in the_plan.delete_files]
        messages += [
            Message(f"remote extra kept: {p} (use --delete)", "detail")
            for p in the_plan.kept_remote
        ]
        return CommandResult("deploy", {**data, "dry_run": True}, tuple(messages))
    pipeline.sync(inv, share, the_plan, reporter(inv, "sync"))
    data["sync_seconds"] = round(time.monotonic() - started, 3)
    outcome = pipeline.Outcome(plan=the_plan)
    if options.restart:
        pipeline.restart_and_wait(
            clients, target, options, pipeline.Clock(), reporter(inv, "restart"), outcome
        )
        messages.append(
            Message(f"restarted {outcome.revision}; replica {outcome.replica} is ready")
        )
        data.update(
            revision=outcome.revision, replica=outcome.replica, status=outcome.endpoint_status
        )
    else:
        messages.append(
            Message("not restarted (--no-restart): the app serves the old code until it restarts")
        )
    endpoint = f"https://{target.endpoint}"
    data["endpoint"] = endpoint
    messages.append(Message(f"The inference endpoint is available at {endpoint}", "success"))
    return CommandResult("deploy", data, tuple(messages))


def _plan_line(the_plan: Any) -> str:
    mib = the_plan.upload_bytes / (1024 * 1024)
    parts = [
        f"{len(the_plan.uploads)} to upload ({mib:.1f} MiB)",
        f"{the_plan.unchanged} unchanged",
    ]
    if the_plan.delete_files:
        parts.append(f"{len(the_plan.delete_files)} to delete")
    if the_plan.kept_remote:
        parts.append(f"{len(the_plan.kept_remote)} remote extras kept")
    return "sync: " + ", ".join(parts)
