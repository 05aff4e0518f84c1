"""`orchestrator attach`: resume watching an in-flight deployment and record its outputs.

Which deployment: `--deployment NAME` in the resolved target; else the one recorded in
`.orchestrator/inflight.json` (with its cloud, subscription and group); else the newest
deployment of this template in the resolved target's group.
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestrator import inference_config
from orchestrator.app import App
from orchestrator.azure.deployments import Deployments
from orchestrator.errors import InputError
from orchestrator.events import Notice
from orchestrator.invocation import Invocation
from orchestrator.provision import inflight, nochange
from orchestrator.provision.outputs import CONFIG_OUTPUTS, OutputSpec
from orchestrator.provision.pipeline import Options
from orchestrator.provision.prepare import load_target
from orchestrator.provision.report import deployment_data, outputs_data, outputs_messages
from orchestrator.provision.target import TargetFlags, cloud_default
from orchestrator.result import CommandResult


@dataclass(frozen=True)
class Attachment:
    subscription: str
    group: str
    deployment: str
    outputs: tuple[OutputSpec, ...]


def run(
    inv: Invocation, app: App, flags: TargetFlags, *, deployment: str | None = None
) -> CommandResult:
    record = inflight.read(inv.workspace)
    recorded = record is not None and not deployment
    if record is not None and recorded and not inv.settings.cloud_given:
        app = app.for_cloud(record.cloud)
    if record is not None and recorded and not (flags.subscription or flags.resource_group):
        what = Attachment(
            record.subscription, record.resource_group, record.deployment, record.outputs
        )
        deployments = app.deployments(what.subscription)
    else:
        settings = app.settings
        target, _config = load_target(inv.workspace, settings, flags, cloud_default(app.profile))
        deployments = app.deployments(target.subscription.value)
        what = _find(
            deployments, target.subscription.value, target.resource_group.value, deployment
        )
    deployments.get_deployment(what.group, what.deployment)  # a clear error when it is not there
    display = app.display()
    try:
        display.show(Notice(f"attaching to deployment {what.deployment} in {what.group}"))
        provisioner = app.provisioner(inv.workspace, deployments, display)
        result = provisioner.watch(what.group, what.deployment, Options())
        config = inference_config.read(inv.workspace).values
        mapped, recorded_config = provisioner.record_outputs(
            what.outputs or CONFIG_OUTPUTS, config, result
        )
    finally:
        display.close()
    shown = inv.workspace.shown(inv.workspace.config)
    written = recorded_config.written
    data = {
        "deployment": deployment_data(result.deployment),
        **outputs_data(mapped, shown, written),
    }
    messages = tuple(outputs_messages(mapped, shown, written))  # the display said how it ended
    return CommandResult("attach", data=data, messages=messages)


def _find(deployments: Deployments, subscription: str, group: str, name: str | None) -> Attachment:
    if name:
        return Attachment(subscription, group, name, CONFIG_OUTPUTS)
    listed = deployments.list_deployments(group)
    active = nochange.active_deployments(listed)
    ours = [d for d in listed if nochange.is_ours(d)]
    chosen = active[-1] if active else max(ours, key=lambda d: d.timestamp, default=None)
    if chosen is None:
        raise InputError(
            f"nothing to attach to: no deployment in flight and none by orchestrator in {group}",
            hint="`orchestrator attach --deployment NAME` names one",
        )
    return Attachment(subscription, group, chosen.name, CONFIG_OUTPUTS)
