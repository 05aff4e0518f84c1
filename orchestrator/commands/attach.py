"""`orchestrator attach`: resume watching an in-flight deployment and record its outputs.

Which deployment: `--deployment NAME` in the resolved target; else the one recorded in
`.orchestrator/` (`inflight.json` for `provision`, `finetuning-inflight.json` for
`finetune provision`: the newer of the two, with its cloud, subscription and group); else the
newest deployment by this tool in the resolved target's group, in flight first.

The deployment's `orchestrator-template` tag (or the record it came from) says which template
it is, and so where its outputs go: `infra/inference.config.json`, or `finetuning.config.json`
where the fine-tuning family keeps it (the user's `COMMANDS` / `ARGS` kept, as by
`finetune provision`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestrator import inference_config
from orchestrator.app import App
from orchestrator.azure.deployments import Deployments
from orchestrator.azure.models import DeploymentSnapshot
from orchestrator.errors import InputError
from orchestrator.events import Notice
from orchestrator.finetune import config as ft_config
from orchestrator.finetune import family
from orchestrator.finetune.commands.provision import TEMPLATE as FINETUNING
from orchestrator.finetune.commands.provision import kind_for
from orchestrator.invocation import Invocation
from orchestrator.provision import inflight, nochange
from orchestrator.provision.kind import INFERENCE, TemplateKind
from orchestrator.provision.outputs import CONFIG_OUTPUTS, OutputSpec
from orchestrator.provision.pipeline import Options
from orchestrator.provision.prepare import load_target
from orchestrator.provision.report import deployment_data, outputs_data, outputs_messages
from orchestrator.provision.target import TargetFlags, cloud_default
from orchestrator.result import CommandResult
from orchestrator.workspace import Workspace

TEMPLATES = (INFERENCE.name, FINETUNING)


@dataclass(frozen=True)
class Attachment:
    subscription: str
    group: str
    deployment: str
    outputs: tuple[OutputSpec, ...]
    template: str = ""  # "": read from the deployment's tag


@dataclass(frozen=True)
class Recording:
    """Where a template's outputs go."""

    kind: TemplateKind
    config: Mapping[str, Any]
    path: Path


def run(
    inv: Invocation, app: App, flags: TargetFlags, *, deployment: str | None = None
) -> CommandResult:
    found = recorded(inv.workspace)
    use_record = found is not None and not deployment
    if found is not None and use_record and not inv.settings.cloud_given:
        app = app.for_cloud(found[0].cloud)
    if found is not None and use_record and not (flags.subscription or flags.resource_group):
        record, template = found
        what = Attachment(
            record.subscription, record.resource_group, record.deployment, record.outputs, template
        )
        deployments = app.deployments(what.subscription)
    else:
        settings = app.settings
        target, _config = load_target(
            inv.workspace, settings, flags, cloud_default(lambda: app.profile)
        )
        deployments = app.deployments(target.subscription.value)
        what = _find(
            deployments, target.subscription.value, target.resource_group.value, deployment
        )
    snapshot = deployments.get_deployment(what.group, what.deployment)  # clear when absent
    where = recording(inv.workspace, what.template or template_of(snapshot))
    display = app.display()
    try:
        display.show(Notice(f"attaching to deployment {what.deployment} in {what.group}"))
        provisioner = app.provisioner(inv.workspace, deployments, display, where.kind)
        result = provisioner.watch(what.group, what.deployment, Options())
        declared = what.outputs or _declared(where.kind, result.deployment)
        mapped, recorded_config = provisioner.record_outputs(declared, where.config, result)
    finally:
        display.close()
    shown = inv.workspace.shown(where.path)
    written = recorded_config.written
    data = {
        "template": where.kind.name,
        "deployment": deployment_data(result.deployment),
        **outputs_data(mapped, shown, written),
    }
    messages = tuple(outputs_messages(mapped, shown, written))  # the display said how it ended
    return CommandResult("attach", data=data, messages=messages)


def recorded(workspace: Workspace) -> tuple[inflight.InflightRecord, str] | None:
    """The in-flight record to resume and its template: the newer one when both exist; an
    unreadable record is passed over for a readable one (exit 2 when none is readable)."""
    found: list[tuple[inflight.InflightRecord, str]] = []
    unreadable: list[InputError] = []
    for template in TEMPLATES:
        try:
            record = inflight.read(workspace, template)
        except InputError as exc:
            unreadable.append(exc)
            continue
        if record is not None:
            found.append((record, template))
    if not found and unreadable:
        raise InputError(
            unreadable[0].message,
            hint=unreadable[0].hint
            or "delete it, or name the deployment: `orchestrator attach --deployment NAME`",
        )
    return max(found, key=lambda pair: pair[0].started_at, default=None)


def template_of(snapshot: DeploymentSnapshot) -> str:
    """The template a deployment deployed, by its tag (inference when untagged)."""
    return next((t for t in TEMPLATES if nochange.is_ours(snapshot, t)), INFERENCE.name)


def recording(workspace: Workspace, template: str) -> Recording:
    if template != FINETUNING:
        return Recording(INFERENCE, inference_config.read(workspace).values, workspace.config)
    files = family.detect(workspace)
    kind = kind_for(files, reset_commands=False)
    return Recording(kind, ft_config.read(files).values, files.config)


def _declared(kind: TemplateKind, deployment: DeploymentSnapshot) -> tuple[OutputSpec, ...]:
    """Without a record: the inference keys, or every output the fine-tuning deployment has
    (ARM returns no secure output values)."""
    if kind.name != FINETUNING:
        return CONFIG_OUTPUTS
    return tuple(OutputSpec(name) for name in deployment.outputs)


def _find(deployments: Deployments, subscription: str, group: str, name: str | None) -> Attachment:
    if name:
        return Attachment(subscription, group, name, ())
    listed = deployments.list_deployments(group)
    active = sorted(
        (d for t in TEMPLATES for d in nochange.active_deployments(listed, t)),
        key=lambda d: d.timestamp,
    )
    ours = [d for d in listed if any(nochange.is_ours(d, t) for t in TEMPLATES)]
    chosen = active[-1] if active else max(ours, key=lambda d: d.timestamp, default=None)
    if chosen is None:
        raise InputError(
            f"nothing to attach to: no deployment in flight and none by orchestrator in {group}",
            hint="`orchestrator attach --deployment NAME` names one",
        )
    return Attachment(subscription, group, chosen.name, ())
