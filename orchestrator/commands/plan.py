"""`orchestrator plan`: what a provision would change (ARM what-if), grouped by change type
with property-level differences. `--exit-code` exits 4 when there are changes."""

from __future__ import annotations

import datetime as dt

from orchestrator.app import App
from orchestrator.finetune.commands.reuse import with_finetuning
from orchestrator.invocation import Invocation
from orchestrator.provision.pipeline import compute_what_if
from orchestrator.provision.prepare import Request, deployment_name, prepare
from orchestrator.provision.quotacheck import preflight, quota_messages
from orchestrator.provision.target import cloud_default
from orchestrator.provision.whatif import render_what_if
from orchestrator.result import CommandResult, Message
from orchestrator.workspace import require_workspace

EXIT_CHANGES = 4
EXIT_FAILED = 1  # the quota check found too little: a provision would stop


def run(
    inv: Invocation,
    app: App,
    request: Request,
    *,
    exit_code: bool = False,
    skip_quota_check: bool = False,
) -> CommandResult:
    require_workspace(inv.workspace)
    request, reused = with_finetuning(inv, app, request)
    prepared = prepare(
        inv.workspace, inv.settings, request, cloud_default=cloud_default(lambda: app.profile)
    )
    deployments = app.deployments(prepared.target.subscription.value)
    deployments.group_location(prepared.target.resource_group.value)
    name = deployment_name(dt.datetime.now(dt.timezone.utc))
    plan = compute_what_if(deployments, prepared, name)
    messages = [Message("target:"), *(Message(x, "detail") for x in prepared.target.describe())]
    messages += [Message(line, "detail") for line in reused]
    messages += [Message(line) for line in render_what_if(plan)]
    code = EXIT_CHANGES if exit_code and plan.has_changes else 0
    data = {"target": prepared.target.as_data(), **plan.as_data()}
    if not skip_quota_check:
        check = app.quota_check(prepared.target.subscription.value)
        report = preflight(check, prepared, deployments)
        messages += quota_messages(check, report)
        data["quota"] = report.as_data()
        code = EXIT_FAILED if report.short else code
    return CommandResult("plan", data=data, messages=tuple(messages), exit_code=code)
