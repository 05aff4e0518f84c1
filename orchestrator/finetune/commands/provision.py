"""`orchestrator finetune provision`: `infra/provision/finetuning.bicep` through the provision
pipeline (`orchestrator/provision/pipeline.py`: target, parameters, compile, validate, the
no-change skip, the quota preflight, live progress, Ctrl-C) as the `finetuning` template;
the outputs go into `finetuning.config.json` where the workspace keeps it (`infra/` for the
2024 templates, `infra/provision/` for Phi Silica / Aion). The resource keys are written from
the outputs; `COMMANDS` / `ARGS` the user set are kept unless `--reset-commands`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from orchestrator.app import App
from orchestrator.errors import ValidationFailed
from orchestrator.events import Notice
from orchestrator.finetune import config as ft_config
from orchestrator.finetune import family
from orchestrator.finetune.family import FinetuneFiles
from orchestrator.invocation import Invocation
from orchestrator.provision import lint
from orchestrator.provision.kind import TemplateKind
from orchestrator.provision.nochange import deployment_tags, param_hash
from orchestrator.provision.outputs import MappedOutputs, Recorded, declared_outputs
from orchestrator.provision.pipeline import (
    Declined,
    Deployed,
    Options,
    Outcome,
    Skipped,
    Submitted,
)
from orchestrator.provision.prepare import Prepared, Request, compile_step, load_parameters
from orchestrator.provision.report import deployment_data, outputs_data, outputs_messages
from orchestrator.provision.target import (
    TargetSources,
    check_target,
    cloud_default,
    resolve_target,
)
from orchestrator.result import CommandResult, Message
from orchestrator.validation import check_parameter_values
from orchestrator.workspace import require_workspace

TEMPLATE = "finetuning"


@dataclass(frozen=True)
class FinetuneRequest:
    request: Request
    reset_commands: bool = False


def kind_for(files: FinetuneFiles, reset_commands: bool) -> TemplateKind:
    shown = files.shown(files.config)

    def record(existing: Mapping[str, Any], mapped: MappedOutputs) -> Recorded:
        merged = ft_config.checked_merge(
            existing, mapped.values, files.family, shown, reset_commands=reset_commands
        )
        return Recorded(ft_config.write(files.config, merged))

    return TemplateKind(
        TEMPLATE,
        config=files.config,
        recorder=record,
        command="orchestrator finetune provision",
        resume_hint="`orchestrator attach` (or `orchestrator finetune provision` again) waits "
        "for the deployment and records its outputs",
    )


def prepare(inv: Invocation, app: App, files: FinetuneFiles, asked: Request) -> Prepared:
    """Target (flags → AZURE_* → the fine-tuning config → the cloud's default) → parameters
    → compile → validate, as `provision` prepares the inference template."""
    workspace, settings = inv.workspace, inv.settings
    existing = ft_config.read(files)
    sources = TargetSources(
        cloud=settings.cloud,
        flags=asked.flags,
        env=settings.target,
        finetuning_config=existing.values,
        finetuning_config_name=existing.shown,
        cloud_default_subscription=cloud_default(lambda: app.profile),
    )
    target = check_target(resolve_target(sources))
    request = Request(
        asked.flags,
        asked.template or files.bicep,
        asked.parameters_file or files.parameters,
        asked.params,
    )
    final = load_parameters(workspace, settings, request)
    compiled = compile_step(workspace, settings, request)
    problems = list(check_parameter_values(final, compiled.template))
    problems += lint.template_problems(compiled.template, final.values, compiled.source)
    problems += ft_config.problems(existing.values, existing.shown, files.family, complete=False)
    if problems:
        raise ValidationFailed(problems, hint="fix the lines above and run the command again")
    phash = param_hash(final.sha256, target.subscription.value, target.resource_group.value)
    return Prepared(
        target=target,
        final=final,
        compiled=compiled,
        config=existing.values,
        outputs=declared_outputs(compiled.template),
        param_hash=phash,
        tags=deployment_tags(phash, TEMPLATE),
    )


def run(inv: Invocation, app: App, asked: FinetuneRequest, options: Options) -> CommandResult:
    files = family.detect(require_workspace(inv.workspace))
    prepared = prepare(inv, app, files, asked.request)
    display = app.display()
    try:
        display.show(Notice(f"fine-tuning template: {files.family.value}"))
        for line in prepared.target.describe():
            display.show(Notice(line))
        deployments = app.deployments(prepared.target.subscription.value)
        kind = kind_for(files, asked.reset_commands)
        provisioner = app.provisioner(inv.workspace, deployments, display, kind)
        outcome = provisioner.provision(prepared, options)
    finally:
        display.close()
    return _result(files, prepared, outcome)


def _result(files: FinetuneFiles, prepared: Prepared, outcome: Outcome) -> CommandResult:
    shown = files.shown(files.config)
    data: dict[str, object] = {
        "family": files.family.value,
        "target": prepared.target.as_data(),
    }
    messages: list[Message] = []
    match outcome:
        case Skipped(previous=previous, reason=reason, outputs=mapped, config=recorded):
            data |= {"action": "skipped", "reason": reason, "deployment": deployment_data(previous)}
            data |= outputs_data(mapped, shown, recorded.written)
            messages.append(Message(f"skipped: {reason} (--force deploys anyway)", "success"))
            messages += outputs_messages(mapped, shown, recorded.written)
        case Deployed(deployment=deployment, reason=reason, outputs=mapped, config=recorded):
            data |= {"action": "deployed", "reason": reason}
            data |= {"deployment": deployment_data(deployment)}
            data |= outputs_data(mapped, shown, recorded.written)
            messages += outputs_messages(mapped, shown, recorded.written)
        case Submitted(deployment=deployment, reason=reason):
            data |= {"action": "submitted", "reason": reason}
            data |= {"deployment": deployment_data(deployment)}
            messages.append(Message(f"deployment {deployment.name} created; not waiting"))
            attach = f"next: `orchestrator attach` watches it and writes {shown}"
            return CommandResult("finetune provision", data, (*messages, Message(attach, "detail")))
        case Declined(plan=plan, reason=reason):
            data |= {"action": "declined", "reason": reason, "plan": plan.as_data()}
            messages.append(Message(f"nothing deployed: the plan was declined; {shown} unchanged"))
            return CommandResult("finetune provision", data=data, messages=tuple(messages))
    messages.append(
        Message("next: `orchestrator finetune run --wait` syncs the workspace and trains", "detail")
    )
    return CommandResult("finetune provision", data=data, messages=tuple(messages))
