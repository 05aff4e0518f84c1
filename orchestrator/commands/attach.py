"""`orchestrator attach`: resume watching an in-flight deployment and record its outputs.

Which deployment: `--deployment NAME` in the resolved target; else the one recorded in
`.orchestrator/inflight.json` (with its cloud, subscription and group); else the newest
deployment of this template in the resolved target's group.
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestrator.errors import InputError
from orchestrator.factory import build_display, build_provisioner, make_clients
from orchestrator.invocation import Invocation
from orchestrator.provision import inflight, nochange
from orchestrator.provision.arm import Arm
from orchestrator.provision.outputs import CONFIG_OUTPUTS, OutputSpec
from orchestrator.provision.pipeline import Options
from orchestrator.provision.prepare import load_target
from orchestrator.provision.progress import Notice
from orchestrator.provision.report import (
    deployment_data,
    outputs_data,
    outputs_messages,
)
from orchestrator.provision.target import TargetFlags, read_config
from orchestrator.result import CommandResult


@dataclass(frozen=True)
class Attachment:
    subscription: str
    group: str
    deployment: str
    outputs: tuple[OutputSpec, ...]


def run(
    inv: Invocation,
    *,
    subscription: str | None = None,
    resource_group: str | None = None,
    location: str | None = None,
    deployment: str | None = None,
) -> CommandResult:
    record = inflight.read(inv.workspace)
    env = dict(inv.env)
    if record is not None and not deployment and "ORCHESTRATOR_CLOUD" not in env:
        env["ORCHESTRATOR_CLOUD"] = record.cloud
    clients = make_clients(env)
    flags = TargetFlags(subscription, resource_group, location)
    if record is not None and not deployment and not (subscription or resource_group):
        what = Attachment(
            record.subscription, record.resource_group, record.deployment, record.outputs
        )
        arm = clients.arm(what.subscription)
    else:
        target, _config = load_target(
            inv.workspace, env, clients.profile.name, flags, clients.profile.default_subscription
        )
        arm = clients.arm(target.subscription.value)
        what = _find(arm, target.subscription.value, target.resource_group.value, deployment)
    arm.get_deployment(what.group, what.deployment)  # a clear error when it does not exist
    display = build_display(inv)
    try:
        display.show(Notice(f"attaching to deployment {what.deployment} in {what.group}"))
        provisioner = build_provisioner(inv, clients, arm, display)
        result = provisioner.watch(what.group, what.deployment, Options())
        config = read_config(inv.workspace, inv.workspace.config)
        mapped, written = provisioner.record_outputs(what.outputs or CONFIG_OUTPUTS, config, result)
    finally:
        display.close()
    shown = inv.workspace.shown(inv.workspace.config)
    data = {
        "deployment": deployment_data(result.deployment),
        **outputs_data(mapped, shown, written),
    }
    messages = tuple(outputs_messages(mapped, shown, written))  # the display said how it ended
    return CommandResult("attach", data=data, messages=messages)


def _find(arm: Arm, subscription: str, group: str, name: str | None) -> Attachment:
    if name:
        return Attachment(subscription, group, name, CONFIG_OUTPUTS)
    deployments = arm.list_deployments(group)
    active = nochange.active_deployments(deployments)
    ours = [d for d in deployments if nochange.is_ours(d)]
    chosen = active[-1] if active else max(ours, key=lambda d: d.timestamp, default=None)
    if chosen is None:
        raise InputError(
            f"nothing to attach to: no deployment in flight and none by orchestrator in {group}",
            hint="`orchestrator attach --deployment NAME` names one",
        )
    return Attachment(subscription, group, chosen.name, CONFIG_OUTPUTS)
