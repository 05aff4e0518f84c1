"""`orchestrator logs [--follow]`: the inference app's console output.

Without --follow the last `--tail` lines are the result. With --follow the lines are written
as they arrive (NDJSON `{"event": "log", "text": ...}` with --json, and a last `end`
record: the output is NDJSON only) until Ctrl-C, which ends it with exit 130 like every
other interrupted command (the `end` record says `"interrupted": true`); when the replica
goes away (a deploy restarted it) the replacement replica's console follows.
"""

from __future__ import annotations

from orchestrator import inference_config
from orchestrator.app import App
from orchestrator.deploy import logstream, pipeline
from orchestrator.display import print_log_lines
from orchestrator.errors import EXIT_INTERRUPTED
from orchestrator.events import Progress
from orchestrator.invocation import Invocation
from orchestrator.result import CommandResult, Message


def run(inv: Invocation, app: App, *, follow: bool = False, tail: int = 100) -> CommandResult:
    target, warnings = inference_config.require(inv.workspace)
    apps = app.containerapps(target.subscription)
    pipeline.check_app(apps, target)  # a missing app names its config key
    view = apps.view(target.group, target.app)
    where = logstream.Where(target.subscription, target.group, target.app)
    said = tuple(Message(w, "warning") for w in warnings)
    if not follow:
        lines = logstream.tail(apps, app.https, view, where, tail)
        data: dict[str, object] = {"revision": view.revision_name, "lines": lines}
        return CommandResult("logs", data, said + tuple(Message(x) for x in lines))
    display = app.display()
    try:
        how = logstream.Follow(report=lambda text: display.show(Progress("logs", text)))
        following = logstream.follow(apps, app.https, view, where, tail, how)
        count, interrupted = print_log_lines(following, inv.stdout, inv.as_json)
    finally:
        display.close()
    streamed: dict[str, object] = {"revision": view.revision_name, "streamed": count}
    if not interrupted:
        return CommandResult("logs", streamed, said, streamed=True)
    streamed["interrupted"] = True
    return CommandResult("logs", streamed, said, exit_code=EXIT_INTERRUPTED, streamed=True)
