"""`orchestrator logs [--follow]`: the inference app's console output."""

from __future__ import annotations

from typing import Any

from orchestrator.deploy import logstream, pipeline, restart
from orchestrator.invocation import Invocation
from orchestrator.result import CommandResult, Message


def run(inv: Invocation, *, follow: bool = False, tail: int = 100, **_: Any) -> CommandResult:
    from orchestrator import factory

    target = pipeline.load_target(inv)
    clients = factory.deploy_clients(inv, target.subscription)
    state = restart.app_state(clients, target.group, target.app)
    if not follow:
        lines = logstream.tail(clients, state, target.subscription, target.group, target.app, tail)
        return CommandResult(
            "logs", {"revision": state.revision, "lines": lines}, tuple(Message(x) for x in lines)
        )
    count = 0
    try:
        for line in logstream.follow(
            clients, state, target.subscription, target.group, target.app, tail
        ):
            inv.stdout.write(line + "\n")
            inv.stdout.flush()
            count += 1
    except KeyboardInterrupt:
        pass
    return CommandResult("logs", {"revision": state.revision, "streamed": count}, ())
