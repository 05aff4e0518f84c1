"""`orchestrator outputs [--deployment NAME] [--write]`: a deployment's outputs, printed or
written into `infra/inference.config.json`.

Also the importer for deployments made by hand (`az deployment group create`, the portal):
without `--deployment` it takes the newest succeeded deployment in the group whose outputs
include the six config names, whoever made it. A deployment this tool made of the fine-tuning
template is never written there (`attach` records it into finetuning.config.json).
"""

from __future__ import annotations

from orchestrator import inference_config
from orchestrator.app import App
from orchestrator.azure.deployments import Deployments
from orchestrator.azure.models import DeploymentSnapshot
from orchestrator.errors import InputError
from orchestrator.finetune.commands.provision import TEMPLATE as FINETUNING
from orchestrator.invocation import Invocation
from orchestrator.provision.nochange import is_ours
from orchestrator.provision.outputs import (
    CONFIG_OUTPUTS,
    has_config_outputs,
    map_outputs,
    record,
)
from orchestrator.provision.prepare import load_target
from orchestrator.provision.report import deployment_data, outputs_data
from orchestrator.provision.target import TargetFlags, cloud_default
from orchestrator.result import CommandResult, Message


def run(
    inv: Invocation,
    app: App,
    flags: TargetFlags,
    *,
    deployment: str | None = None,
    write: bool = False,
) -> CommandResult:
    target, config = load_target(
        inv.workspace, inv.settings, flags, cloud_default(lambda: app.profile)
    )
    deployments = app.deployments(target.subscription.value)
    group = target.resource_group.value
    chosen = (
        deployments.get_deployment(group, deployment)
        if deployment
        else find_importable(deployments, group)
    )
    if not chosen.succeeded:
        raise InputError(
            f"deployment {chosen.name} is {chosen.state}, not Succeeded: no outputs to use",
            hint="`orchestrator attach --deployment NAME` waits for a running one",
        )
    if write and is_ours(chosen, FINETUNING):
        raise InputError(
            f"deployment {chosen.name} deployed the fine-tuning template: its outputs belong "
            f"in finetuning.config.json, not {inv.workspace.shown(inv.workspace.config)} "
            "(nothing written)",
            hint=f"`orchestrator attach --deployment {chosen.name}` records them there",
        )
    mapped = map_outputs(chosen.outputs, CONFIG_OUTPUTS)
    shown = inv.workspace.shown(inv.workspace.config)
    messages = [Message(f"outputs of {chosen.name} ({group}):")]
    messages += [Message(f"{k} = {v}", "detail") for k, v in mapped.values.items()]
    written = False
    if write:
        recorded = record(inv.workspace, config, mapped)
        written = recorded.written
        messages += [Message(w, "warning") for w in recorded.warnings]
    if mapped.missing:
        missing = ", ".join(mapped.missing)
        messages.append(Message(f"missing (fill by hand): {missing}", "warning"))
    if write:
        messages.append(Message(f"{'wrote' if written else 'unchanged:'} {shown}", "success"))
    else:
        messages.append(Message(f"`orchestrator outputs --write` writes them into {shown}"))
    data = {"deployment": deployment_data(chosen), **outputs_data(mapped, shown, written)}
    return CommandResult("outputs", data=data, messages=tuple(messages))


def find_importable(deployments: Deployments, group: str) -> DeploymentSnapshot:
    """The newest succeeded deployment whose outputs name all six config keys."""
    done = [d for d in deployments.list_deployments(group) if d.succeeded]
    for candidate in sorted(done, key=lambda d: d.timestamp, reverse=True):
        full = candidate if candidate.outputs else deployments.get_deployment(group, candidate.name)
        if has_config_outputs(full.outputs):
            return full
    raise InputError(
        f"no succeeded deployment in {group} has the outputs {', '.join(inference_config.KEYS)}",
        hint="name one with --deployment NAME, or fill infra/inference.config.json by hand",
    )
