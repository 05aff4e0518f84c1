"""`orchestrator finetune logs [--follow] [--execution NAME]`: an execution's console.

With `--follow`, live (`follow.Follower`: waits while queued, reconnects when the stream
drops, stops when the execution ends); lines go to stdout as they arrive (NDJSON `log`
records and a last `end` record with `--json`), and the exit code is the execution's, as
`run --wait`'s: 0 only when it succeeded; Ctrl-C ends the watch with 130, as it does every
command (the `end` record says `"interrupted": true`; the execution keeps running). Without
it: the lines so far - from the replicas while the execution runs, from Log Analytics (the
portal's query) once it ended, falling back to what the replicas still hold while ingestion
catches up.
"""

from __future__ import annotations

import json

from orchestrator.app import App
from orchestrator.azure.jobs import Jobs
from orchestrator.display import print_log_lines
from orchestrator.errors import EXIT_INTERRUPTED
from orchestrator.events import LogLine, Progress, event_record
from orchestrator.finetune.commands import context
from orchestrator.finetune.commands.follow import Follower, Where, history
from orchestrator.finetune.config import FinetuneConfig
from orchestrator.finetune.status import ExecutionStatus, exit_code, parse_status
from orchestrator.invocation import Invocation
from orchestrator.result import CommandResult, Message


def run(
    inv: Invocation, app: App, *, follow: bool = False, execution: str | None = None
) -> CommandResult:
    config = context.load(inv.workspace).config
    jobs = app.jobs(config.subscription)
    job = context.read_job(jobs, config)
    name = context.pick_execution(inv.workspace, jobs, config, execution)
    current = jobs.execution(config.group, config.job, name)
    where = Where(config.subscription, config.group, job, name)
    status = parse_status(current.status)
    if follow and not status.terminal:
        return _follow(inv, app, jobs, where)
    lines, source = _finished(app, jobs, config, where) if status.terminal else ([], "stream")
    if not lines:
        follower = Follower(jobs, app.log_stream(), where, lambda _text: None)
        lines = [line.text for line in follower.drain(follower.replicas())]
        source = "stream"
    data: dict[str, object] = {"execution": name, "status": status.value, "source": source}
    if follow:  # an execution that already ended: its history, in the streamed form
        return _written(inv, lines, data, _followed_code(status))
    data["lines"] = lines
    return CommandResult("finetune logs", data, tuple(Message(x) for x in lines))


def _finished(app: App, jobs: Jobs, config: FinetuneConfig, where: Where) -> tuple[list[str], str]:
    """A finished execution's console from Log Analytics (the portal's Console query)."""
    environment = jobs.environment(where.job.environment_id)
    if not environment.log_customer_id:
        return [], "stream"
    found = history(app.log_analytics(), environment.log_customer_id, where.execution)
    return [line.text for line in found], "log-analytics"


def _followed_code(status: ExecutionStatus) -> int:
    """`--follow` exits with the execution's result once it ended (still running: 0)."""
    return exit_code(status) if status.terminal else 0


def _written(
    inv: Invocation, lines: list[str], data: dict[str, object], code: int
) -> CommandResult:
    for text in lines:
        out = json.dumps(event_record(LogLine(text))) if inv.as_json else text
        inv.stdout.write(out + "\n")
    inv.stdout.flush()
    data |= {"streamed": len(lines)}
    return CommandResult("finetune logs", data, (), exit_code=code, streamed=True)


def _follow(inv: Invocation, app: App, jobs: Jobs, where: Where) -> CommandResult:
    display = app.display()
    follower = Follower(
        jobs, app.log_stream(), where, lambda text: display.show(Progress("logs", text))
    )
    try:
        lines = (line.text for line in follower.lines())
        count, interrupted = print_log_lines(lines, inv.stdout, inv.as_json)
    finally:
        display.close()
    status = parse_status(follower.last.status if follower.last else "")
    data: dict[str, object] = {
        "execution": where.execution,
        "status": status.value,
        "streamed": count,
        "reconnects": follower.reconnects,
    }
    code = _followed_code(status)
    if interrupted:
        data["interrupted"] = True
        code = EXIT_INTERRUPTED
    return CommandResult("finetune logs", data, (), exit_code=code, streamed=True)
