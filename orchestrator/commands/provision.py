"""`orchestrator provision`: deploy the inference template and record its outputs.

resolve target → load parameters → compile → validate → decide → deploy → watch → record
outputs; see `orchestrator/provision/pipeline.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from orchestrator.factory import build_display, build_provisioner, make_clients
from orchestrator.invocation import Invocation
from orchestrator.provision.pipeline import Deployed, Options, Outcome, Skipped, Submitted
from orchestrator.provision.prepare import Prepared, Request, prepare
from orchestrator.provision.progress import Notice
from orchestrator.provision.report import (
    deployment_data,
    outputs_data,
    outputs_messages,
)
from orchestrator.provision.target import TargetFlags
from orchestrator.result import CommandResult, Message


def run(
    inv: Invocation,
    *,
    subscription: str | None = None,
    resource_group: str | None = None,
    location: str | None = None,
    template: Path | None = None,
    parameters_file: Path | None = None,
    params: Sequence[str] = (),
    create_resource_group: bool = False,
    force: bool = False,
    preview: bool = False,
    yes: bool = False,
    no_wait: bool = False,
    on_interrupt: str = "ask",
    timeout: float = 7200.0,
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
    options = Options(
        create_group=create_resource_group,
        force=force,
        preview=preview,
        yes=yes,
        no_wait=no_wait,
        on_interrupt=on_interrupt,
        timeout=timeout,
    )
    display = build_display(inv)
    try:
        for line in prepared.target.describe():
            display.show(Notice(line))
        arm = clients.arm(prepared.target.subscription.value)
        outcome = build_provisioner(inv, clients, arm, display).provision(prepared, options)
    finally:
        display.close()
    return _result(inv, prepared, outcome)


def _result(inv: Invocation, prepared: Prepared, outcome: Outcome) -> CommandResult:
    shown = inv.workspace.shown(inv.workspace.config)
    data: dict[str, object] = {"target": prepared.target.as_data()}
    messages: list[Message] = []
    match outcome:
        case Skipped(previous=previous, reason=reason, outputs=mapped, config_written=written):
            data |= {"action": "skipped", "reason": reason, "deployment": deployment_data(previous)}
            data |= outputs_data(mapped, shown, written)
            messages.append(Message(f"skipped: {reason} (--force deploys anyway)", "success"))
            messages += outputs_messages(mapped, shown, written)
        case Deployed(deployment=deployment, reason=reason, outputs=mapped, config_written=written):
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
    return CommandResult("provision", data=data, messages=tuple(messages))
