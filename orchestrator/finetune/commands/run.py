"""`orchestrator finetune run [--wait]`: sync what the job reads, start an execution with the
config's `COMMANDS` / `ARGS`, record it, and (with `--wait`) stream its console until it
ends.

    config → job → sync (sync.py: planner → executor → recorder) → start → record → [follow]

How the commands reach the execution without wiping the job (`orchestrator.finetune.override`):
by default the start body is a complete override built from the job's current definition -
every container with its name, image, resources and env (secretRefs) - with the run's
command (2024 templates) or args (Phi Silica / Aion) on the first one; volumes are
inherited, and the command first checks that the share is at `/mount` (exit 97 otherwise).
`--patch-job` writes the command into the job instead and starts it with no body.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from orchestrator.app import App
from orchestrator.azure.cloud import CloudProfile
from orchestrator.azure.errors import NotFound
from orchestrator.azure.jobs import Job, Jobs, Started
from orchestrator.deploy import syncrun
from orchestrator.errors import AzureError, Interrupted
from orchestrator.events import Notice, Progress
from orchestrator.finetune import layout, override
from orchestrator.finetune.commands import context, sync
from orchestrator.finetune.commands.follow import Follower, Where, system_events
from orchestrator.finetune.config import FinetuneConfig
from orchestrator.finetune.override import RunCommand, Strategy
from orchestrator.finetune.status import exit_code, parse_status
from orchestrator.invocation import Invocation
from orchestrator.result import CommandResult, Message

LAST_LINES = 20


@dataclass(frozen=True)
class RunOptions:
    wait: bool = False
    run_id: str | None = None
    patch_job: bool = False
    sync: bool = True
    verbose: bool = False


def portal_links(profile: CloudProfile, config: FinetuneConfig, job: Job) -> dict[str, str]:
    """The execution history and the file share browser, as the toolkit's "Run fine-tuning"
    prints them; none where the cloud has no portal (localcloud)."""
    if not profile.portal:
        return {}
    account = (
        f"/subscriptions/{config.subscription}/resourceGroups/{config.group}"
        f"/providers/Microsoft.Storage/storageAccounts/{config.account}"
    )
    return {
        "execution_history": f"{profile.portal}/#resource{job.id}/executionHistory",
        "file_share": f"{profile.portal}/#view/Microsoft_Azure_FileStorage/FileShareMenuBlade"
        f"/~/browse/storageAccountId/{quote(account, safe='')}/path/{config.share}"
        "/protocol/SMB",
    }


def sync_step(
    inv: Invocation,
    app: App,
    config: FinetuneConfig,
    run: layout.RunLayout,
    show: Notify,
    verbose: bool = False,
) -> dict[str, object]:
    try:
        access = app.storage(config.subscription).access(config.group, config.account)
    except NotFound:
        raise config.problem(
            "STORAGE_ACCOUNT_NAME",
            f"storage account {config.account} not found in resource group {config.group}",
        ) from None
    share = app.open_share(access, config.share)
    if not share.exists():
        raise config.problem(
            "FILE_SHARE_NAME", f"file share {config.share} not found in {config.account}"
        )
    caches = syncrun.load_caches(inv.workspace, share.url)
    planned = sync.plan(inv.workspace, share, run, caches)
    the_plan = planned.sync.plan
    show(
        Progress(
            "sync", f"sync: {len(the_plan.uploads)} files to upload, {the_plan.unchanged} unchanged"
        )
    )
    display = app.display()
    try:
        uploaded = sync.execute(share, inv.workspace, planned, display.show, verbose)
    finally:
        display.close()
    sync.record(inv.workspace, share.url, caches, planned, uploaded)
    return {
        "uploads": [u.path for u in the_plan.uploads],
        "unchanged": the_plan.unchanged,
        "bytes": the_plan.upload_bytes,
        "skipped": list(planned.sync.skipped),
    }


Notify = Callable[[Progress | Notice], None]


def start(
    jobs: Jobs, config: FinetuneConfig, job: Job, command: RunCommand, strategy: Strategy
) -> Started:
    if strategy is Strategy.PATCH:
        job = jobs.update(config.group, config.job, override.patch_body(job.document, command))
        return jobs.start(config.group, config.job, None)
    return jobs.start(config.group, config.job, override.start_body(job.document, command))


def run(inv: Invocation, app: App, options: RunOptions) -> CommandResult:
    loaded = context.load(inv.workspace)
    files, config = loaded.files, loaded.config
    run_id = _run_id(options.run_id, files.family.image_entrypoint)
    run_layout = layout.plan(files, run_id)
    command = override.run_command(config, run_id)
    jobs = app.jobs(config.subscription)
    job = context.read_job(jobs, config)
    display = app.display()
    data: dict[str, object] = {"family": files.family.value, "job": config.job, "run_id": run_id}
    try:
        if options.sync:
            data["sync"] = sync_step(inv, app, config, run_layout, display.show, options.verbose)
        strategy = Strategy.PATCH if options.patch_job else override.DEFAULT_STRATEGY
        started = start(jobs, config, job, command, strategy)
        context.remember(
            inv.workspace,
            context.ExecutionRecord(
                app.profile.name,
                config.subscription,
                config.group,
                config.job,
                started.name,
                run_id or "",
                dt.datetime.now(dt.timezone.utc).isoformat(),
            ),
        )
        display.show(Notice(f"started execution {started.name} of job {config.job}"))
        links = portal_links(app.profile, config, job)
        data |= {
            "execution": started.name,
            "strategy": strategy.value,
            "command": command.describe(),
            "links": links,
        }
        if not options.wait:
            return _started(data, started, links)
        return _waited(inv, app, jobs, config, job, started, data, display.show)
    finally:
        display.close()


def _run_id(given: str | None, needed: bool) -> str | None:
    if given is not None:
        return layout.check_run_id(given, "--run-id")
    return layout.generate_run_id() if needed else None


def _started(data: dict[str, object], started: Started, links: dict[str, str]) -> CommandResult:
    messages = [Message(f"execution {started.name} started", "success")]
    messages += [
        Message(f"{name.replace('_', ' ')}: {url}", "detail") for name, url in links.items()
    ]
    messages.append(Message("`orchestrator finetune logs --follow` streams its console", "detail"))
    return CommandResult("finetune run", data=data, messages=tuple(messages))


def _waited(
    inv: Invocation,
    app: App,
    jobs: Jobs,
    config: FinetuneConfig,
    job: Job,
    started: Started,
    data: dict[str, object],
    show: Notify,
) -> CommandResult:
    where = Where(config.subscription, config.group, job, started.name)
    follower = Follower(jobs, app.log_stream(), where, lambda text: show(Progress("logs", text)))
    last: list[str] = []
    try:
        for line in follower.lines():
            text = str(line.text)
            last = [*last[-(LAST_LINES - 1) :], text]
            if inv.as_json:
                show(Progress("logs", text))
            else:
                inv.stdout.write(text + "\n")
                inv.stdout.flush()
    except KeyboardInterrupt:
        raise Interrupted(
            f"stopped watching; execution {started.name} keeps running",
            hint="`orchestrator finetune logs --follow` watches it again; "
            "`orchestrator finetune stop` stops it",
        ) from None
    status = parse_status(follower.last.status if follower.last else "")
    data |= {"status": status.value, "last_lines": last, "reconnects": follower.reconnects}
    code = exit_code(status)
    if code == 0:
        done = (Message(f"execution {started.name} succeeded", "success"),)
        return CommandResult("finetune run", data=data, messages=done)
    events = _system_events(app, jobs, job, started.name)
    data["system_events"] = events
    said = (
        Message(f"execution {started.name} ended {status.value}", "error"),
        *(Message(line, "detail") for line in last[-10:]),
        *(Message(f"system: {event}", "detail") for event in events[-5:]),
    )
    return CommandResult("finetune run", data=data, messages=said, exit_code=code)


def _system_events(app: App, jobs: Jobs, job: Job, execution: str) -> list[str]:
    """Why an execution failed, as Azure's system log says it (best effort: Log Analytics
    may not have the rows yet, or at all - an error here must not hide the failure)."""
    try:
        environment = jobs.environment(job.environment_id)
        if not environment.log_customer_id:
            return []
        found = system_events(app.log_analytics(), environment.log_customer_id, execution)
    except AzureError:
        return []
    return [line.text for line in found]
