"""`orchestrator finetune stop [--execution NAME]`: stop the execution (default: the one
`finetune run` started last, else the newest in flight) and wait until Azure reports it
ended - a race can still end it Succeeded or Failed, which is said as such."""

from __future__ import annotations

import time
from collections.abc import Callable

from orchestrator.app import App
from orchestrator.finetune.commands import context
from orchestrator.finetune.status import ExecutionStatus, parse_status
from orchestrator.invocation import Invocation
from orchestrator.result import CommandResult, Message

PATIENCE = 60.0


def run(
    inv: Invocation,
    app: App,
    *,
    execution: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], float] = time.monotonic,
) -> CommandResult:
    config = context.load(inv.workspace).config
    jobs = app.jobs(config.subscription)
    context.read_job(jobs, config)
    name = context.pick_execution(inv.workspace, jobs, config, execution)
    before = parse_status(jobs.execution(config.group, config.job, name).status)
    if before.terminal:
        said = Message(f"execution {name} already ended {before.value}; nothing to stop")
        data = {"execution": name, "status": before.value, "stopped": False}
        return CommandResult("finetune stop", data, (said,))
    jobs.stop(config.group, config.job, name)
    status = before
    deadline = now() + PATIENCE
    while not status.terminal and now() < deadline:
        sleep(0.5)
        status = parse_status(jobs.execution(config.group, config.job, name).status)
    stopped = status is ExecutionStatus.STOPPED
    level = "success" if stopped else "warning"
    text = (
        f"execution {name} stopped"
        if stopped
        else f"asked execution {name} to stop; it is {status.value}"
    )
    data = {"execution": name, "status": status.value, "stopped": stopped}
    return CommandResult("finetune stop", data, (Message(text, level),))
