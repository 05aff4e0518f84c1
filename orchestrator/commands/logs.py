"""`orchestrator logs [--follow]`: the inference app's console output.

Without --follow the last `--tail` lines are the result. With --follow the lines are written
as they arrive (NDJSON `{"event": "log", "text": ...}` with --json) until Ctrl-C; when the
replica goes away (a deploy restarted it) the replacement replica's console follows.
"""

from __future__ import annotations

import json
from typing import Any

from orchestrator.deploy import logstream, pipeline
from orchestrator.deploy.display import reporter
from orchestrator.invocation import Invocation
from orchestrator.result import CommandResult, Message


def run(inv: Invocation, *, follow: bool = False, tail: int = 100, **_: Any) -> CommandResult:
    from orchestrator import factory

    target = pipeline.load_target(inv)
    clients = factory.deploy_clients(inv, target.subscription)
    state = pipeline.check_app(clients, target)
    tail = max(0, tail)
    where = (target.subscription, target.group, target.app)
    if not follow:
        lines = logstream.tail(clients, state, *where, tail)
        return CommandResult(
            "logs", {"revision": state.revision, "lines": lines}, tuple(Message(x) for x in lines)
        )
    count = 0
    try:
        how = logstream.Follow(report=reporter(inv, "logs"))
        for line in logstream.follow(clients, state, *where, tail, how):
            text = json.dumps({"event": "log", "text": line}) if inv.as_json else line
            inv.stdout.write(text + "\n")
            inv.stdout.flush()
            count += 1
    except KeyboardInterrupt:
        pass
    return CommandResult("logs", {"revision": state.revision, "streamed": count}, ())
