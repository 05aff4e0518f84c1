"""`orchestrator provision`: deploy the inference template and record its outputs.

resolve target → load parameters → compile → validate → decide → deploy → watch → record
outputs; see `orchestrator/provision/pipeline.py`.
"""

from __future__ import annotations

from orchestrator.app import App
from orchestrator.events import Notice
from orchestrator.finetune.commands.reuse import with_finetuning
from orchestrator.invocation import Invocation
from orchestrator.provision.pipeline import (
    Declined,
    Deployed,
    Options,
    Outcome,
    Skipped,
    Submitted,
)
from orchestrator.provision.prepare import Prepared, Request, prepare
from orchestrator.provision.report import deployment_data, outputs_data, outputs_messages
from orchestrator.provision.target import cloud_default
from orchestrator.result import CommandResult, Message
from orchestrator.workspace import require_workspace


def run(inv: Invocation, app: App, request: Request, options: Options) -> CommandResult:
    require_workspace(inv.workspace)
    request, reused = with_finetuning(inv, app, request)
    prepared = prepare(
        inv.workspace, inv.settings, request, cloud_default=cloud_default(lambda: app.profile)
    )
    display = app.display()
    try:
        for line in [*prepared.target.describe(), *reused]:
            display.show(Notice(line))
        deployments = app.deployments(prepared.target.subscription.value)
        outcome = app.provisioner(inv.workspace, deployments, display).provision(prepared, options)
    finally:
        display.close()
    return _result(inv, prepared, outcome)


def _result(inv: Invocation, prepared: Prepared, outcome: Outcome) -> CommandResult:
    shown = inv.workspace.shown(inv.workspace.config)
    data: dict[str, object] = {"target": prepared.target.as_data()}
    messages: list[Message] = []
    match outcome:
        case Skipped(previous=previous, reason=reason, outputs=mapped, config=recorded):
            written = recorded.written
            data |= {"action": "skipped", "reason": reason, "deployment": deployment_data(previous)}
            data |= outputs_data(mapped, shown, written)
            messages.append(Message(f"skipped: {reason} (--force deploys anyway)", "success"))
            messages += outputs_messages(mapped, shown, written)
        case Deployed(deployment=deployment, reason=reason, outputs=mapped, config=recorded):
            written = recorded.written
            data |= {"action": "deployed", "reason": reason}
            data |= {"deployment": deployment_data(deployment)}
            if outcome.plan is not None:
                data["plan"] = outcome.plan.as_data()
            data |= outputs_data(mapped, shown, written)
            # "deployment ... succeeded in ..." is the progress display's last line (stderr)
            messages += outputs_messages(mapped, shown, written)
        case Submitted(deployment=deployment, reason=reason):
            data |= {"action": "submitted", "reason": reason}
            data |= {"deployment": deployment_data(deployment)}
            messages.append(Message(f"deployment {deployment.name} created; not waiting"))
            messages.append(
                Message("`orchestrator attach` watches it and records its outputs", "detail")
            )
        case Declined(plan=plan, reason=reason):
            data |= {"action": "declined", "reason": reason, "plan": plan.as_data()}
            messages.append(Message(f"nothing deployed: the plan was declined; {shown} unchanged"))
    return CommandResult("provision", data=data, messages=tuple(messages))
