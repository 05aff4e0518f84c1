"""`orchestrator finetune status`: the job (its environment, image, the secrets it exposes)
and its recent executions with status, start and duration; a `finetune provision` still in
flight (Ctrl-C, `--no-wait`) is named with `orchestrator attach`, also before the config
holds the job."""

from __future__ import annotations

import datetime as dt

from orchestrator.app import App
from orchestrator.errors import InputError, ValidationFailed
from orchestrator.finetune import secrets
from orchestrator.finetune import status as ft_status
from orchestrator.finetune.commands import context
from orchestrator.finetune.commands.provision import TEMPLATE
from orchestrator.invocation import Invocation
from orchestrator.provision import inflight
from orchestrator.result import CommandResult, Message

RECENT = 10


def run(inv: Invocation, app: App, now: dt.datetime | None = None) -> CommandResult:
    pending = _provision_in_flight(inv)
    try:
        config = context.load(inv.workspace).config
    except ValidationFailed:
        if pending is None:
            raise
        raise InputError(
            f"finetune provision {pending.deployment} in {pending.resource_group} was left "
            "running (Ctrl-C or --no-wait): its outputs are not in the config yet",
            hint="`orchestrator attach` waits for it and writes the config",
        ) from None
    jobs = app.jobs(config.subscription)
    job = context.read_job(jobs, config)
    moment = now or dt.datetime.now(dt.timezone.utc)
    summaries = ft_status.newest_first(
        [ft_status.summary(e.document) for e in jobs.executions(config.group, config.job)]
    )[:RECENT]
    entry = context.recalled(inv.workspace, config)
    data: dict[str, object] = {
        "job": config.job,
        "group": config.group,
        "environment": job.environment_id.rsplit("/", 1)[-1],
        "secret_env": secrets.secret_refs(job.document),
        "last_run": entry.execution if entry else None,
        "executions": [s.describe(moment) for s in summaries],
        "provision_in_flight": pending.deployment if pending else None,
    }
    messages = [Message(f"job {config.job} in {config.group}")]
    if pending is not None:
        text = f"finetune provision in flight: {pending.deployment} (`orchestrator attach`)"
        messages.append(Message(text, "warning"))
    refs = secrets.secret_refs(job.document)
    if refs:
        shown = ", ".join(f"{env} (secret {name})" for env, name in refs.items())
        messages.append(Message(f"secrets as variables: {shown}", "detail"))
    if not summaries:
        messages.append(Message("no executions yet; `orchestrator finetune run` starts one"))
    for s in summaries:
        took = s.duration(moment)
        start = s.start.strftime("%Y-%m-%d %H:%M:%S") if s.start else "not started"
        length = ft_status.format_duration(took) if took is not None else "-"
        mark = "  (last run)" if entry and entry.execution == s.name else ""
        messages.append(Message(f"{s.name}  {s.status.value:<10} {start}  {length}{mark}"))
    return CommandResult("finetune status", data, tuple(messages))


def _provision_in_flight(inv: Invocation) -> inflight.InflightRecord | None:
    """The `finetune provision` left in flight, if its record can be read."""
    try:
        return inflight.read(inv.workspace, TEMPLATE)
    except InputError:
        return None
