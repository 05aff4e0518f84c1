"""`orchestrator outputs [--deployment NAME] [--write]`: a deployment's outputs, printed or
written into `infra/inference.config.json`.

Also the importer for deployments made by hand (`az deployment group create`, the portal):
without `--deployment` it takes the newest succeeded deployment in the group whose outputs
include the six config names, whoever made it.
"""

from __future__ import annotations

from orchestrator.errors import InputError
from orchestrator.factory import make_clients
from orchestrator.invocation import Invocation
from orchestrator.provision.arm import Arm
from orchestrator.provision.model import DeploymentSnapshot
from orchestrator.provision.outputs import (
    CONFIG_OUTPUTS,
    config_values,
    has_config_outputs,
    map_outputs,
    write_config,
)
from orchestrator.provision.prepare import load_target
from orchestrator.provision.report import deployment_data, outputs_data
from orchestrator.provision.target import TargetFlags
from orchestrator.result import CommandResult, Message
from orchestrator.workspace import CONFIG_KEYS


def run(
    inv: Invocation,
    *,
    subscription: str | None = None,
    resource_group: str | None = None,
    location: str | None = None,
    deployment: str | None = None,
    write: bool = False,
) -> CommandResult:
    clients = make_clients(inv.env)
    target, config = load_target(
        inv.workspace,
        inv.env,
        clients.profile.name,
        TargetFlags(subscription, resource_group, location),
        clients.profile.default_subscription,
    )
    arm = clients.arm(target.subscription.value)
    group = target.resource_group.value
    chosen = arm.get_deployment(group, deployment) if deployment else find_importable(arm, group)
    if not chosen.succeeded:
        raise InputError(
            f"deployment {chosen.name} is {chosen.state}, not Succeeded: no outputs to use",
            hint="`orchestrator attach --deployment NAME` waits for a running one",
        )
    mapped = map_outputs(chosen.outputs, CONFIG_OUTPUTS)
    shown = inv.workspace.shown(inv.workspace.config)
    written = write and write_config(inv.workspace.config, config, config_values(mapped))
    messages = [Message(f"outputs of {chosen.name} ({group}):")]
    messages += [Message(f"{k} = {v}", "detail") for k, v in mapped.values.items()]
    if mapped.missing:
        missing = ", ".join(mapped.missing)
        messages.append(Message(f"missing (fill by hand): {missing}", "warning"))
    if write:
        messages.append(Message(f"{'wrote' if written else 'unchanged:'} {shown}", "success"))
    else:
        messages.append(Message(f"`orchestrator outputs --write` writes them into {shown}"))
    data = {"deployment": deployment_data(chosen), **outputs_data(mapped, shown, written)}
    return CommandResult("outputs", data=data, messages=tuple(messages))


def find_importable(arm: Arm, group: str) -> DeploymentSnapshot:
    """The newest succeeded deployment whose outputs name all six config keys."""
    done = [d for d in arm.list_deployments(group) if d.succeeded]
    for candidate in sorted(done, key=lambda d: d.timestamp, reverse=True):
        full = candidate if candidate.outputs else arm.get_deployment(group, candidate.name)
        if has_config_outputs(full.outputs):
            return full
    raise InputError(
        f"no succeeded deployment in {group} has the outputs {', '.join(CONFIG_KEYS)}",
        hint="name one with --deployment NAME, or fill infra/inference.config.json by hand",
    )
