"""`orchestrator plan`: what a provision would change (ARM what-if), grouped by change type
with property-level differences. `--exit-code` exits 4 when there are changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from orchestrator.factory import make_clients
from orchestrator.invocation import Invocation
from orchestrator.provision.pipeline import compute_what_if
from orchestrator.provision.prepare import Request, deployment_name, prepare
from orchestrator.provision.target import TargetFlags
from orchestrator.provision.whatif import render_what_if
from orchestrator.result import CommandResult, Message

EXIT_CHANGES = 4


def run(
    inv: Invocation,
    *,
    subscription: str | None = None,
    resource_group: str | None = None,
    location: str | None = None,
    template: Path | None = None,
    parameters_file: Path | None = None,
    params: Sequence[str] = (),
    exit_code: bool = False,
) -> CommandResult:
    clients = make_clients(inv.env)
    request = Request(
        TargetFlags(subscription, resource_group, location),
        template,
        parameters_file,
        tuple(params),
    )
    prepared = prepare(
        inv.workspace,
        inv.env,
        request,
        cloud=clients.profile.name,
        cloud_default=clients.profile.default_subscription,
    )
    arm = clients.arm(prepared.target.subscription.value)
    arm.group_location(prepared.target.resource_group.value)
    name = deployment_name(dt.datetime.now(dt.timezone.utc))
    plan = compute_what_if(arm, prepared, name)
    messages = [Message("target:"), *(Message(x, "detail") for x in prepared.target.describe())]
    messages += [Message(line) for line in render_what_if(plan)]
    code = EXIT_CHANGES if exit_code and plan.has_changes else 0
    data = {"target": prepared.target.as_data(), **plan.as_data()}
    return CommandResult("plan", data=data, messages=tuple(messages), exit_code=code)
