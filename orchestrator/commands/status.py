"""`orchestrator status`: target, last deployment, config, the app's health, the endpoint.

Read-only, and it never starts localcloud. Parts that cannot be read (no app yet, a refused
request, an unreadable in-flight record) are reported as such instead of failing the whole
command. A deployment left in flight (`provision` or `finetune provision` interrupted, or run
with `--no-wait`) is named with the command that resumes it. The app is read by the
one Container Apps reader (`ContainerApps.view`), so the revision named here is the one
`deploy` restarts and `logs` follows.
"""

from __future__ import annotations

from collections.abc import Mapping

from orchestrator.app import App
from orchestrator.appdata import app_data
from orchestrator.azure.appmodels import AppView
from orchestrator.azure.models import DeploymentSnapshot
from orchestrator.errors import AzureError, InputError
from orchestrator.events import format_duration
from orchestrator.finetune.commands.provision import TEMPLATE as FINETUNING
from orchestrator.invocation import Invocation
from orchestrator.provision import inflight
from orchestrator.provision.nochange import is_ours
from orchestrator.provision.prepare import load_target
from orchestrator.provision.report import deployment_data
from orchestrator.provision.target import TargetFlags, cloud_default
from orchestrator.result import CommandResult, Message
from orchestrator.workspace import CONFIG_KEYS, Workspace, require_workspace

IN_FLIGHT = (("inference", inflight.INFERENCE), ("fine-tuning", FINETUNING))


def run(inv: Invocation, app: App, flags: TargetFlags) -> CommandResult:
    require_workspace(inv.workspace)
    target, config = load_target(
        inv.workspace, inv.settings, flags, cloud_default(lambda: app.profile)
    )
    deployments = app.deployments(target.subscription.value)
    group = target.resource_group.value
    ours = [d for d in deployments.list_deployments(group) if is_ours(d)]
    last = max(ours, key=lambda d: d.timestamp, default=None)
    app_name = config.get("ACA_APP_NAME")
    view: AppView | str = "not provisioned (no ACA_APP_NAME in the config)"
    if isinstance(app_name, str) and app_name:
        try:
            view = app.containerapps(target.subscription.value).view(group, app_name)
        except AzureError as exc:
            view = f"unavailable: {exc.message}"
    records = {label: _in_flight(inv.workspace, template) for label, template in IN_FLIGHT}
    return _result(inv, target.describe(), target.as_data(), last, config, view, records)


def _in_flight(workspace: Workspace, template: str) -> inflight.InflightRecord | str | None:
    """The template's in-flight record, None when there is none, or why it cannot be read."""
    try:
        return inflight.read(workspace, template)
    except InputError as exc:
        return exc.message


def _result(
    inv: Invocation,
    target_lines: list[str],
    target_data: dict[str, object],
    last: DeploymentSnapshot | None,
    config: Mapping[str, object],
    view: AppView | str,
    records: Mapping[str, inflight.InflightRecord | str | None],
) -> CommandResult:
    shown = inv.workspace.shown(inv.workspace.config)
    messages = [Message("target:"), *(Message(line, "detail") for line in target_lines)]
    messages.append(Message("last deployment:"))
    if last is None:
        messages.append(Message("none by orchestrator in this resource group", "detail"))
    else:
        took = format_duration(last.duration)
        messages.append(
            Message(f"{last.name}: {last.state} at {last.timestamp} ({took or '-'})", "detail")
        )
    messages += _in_flight_messages(records)
    messages.append(Message(f"config ({shown}):"))
    messages += [Message(f"{key} = {config.get(key)}", "detail") for key in CONFIG_KEYS]
    messages.append(Message("app:"))
    if isinstance(view, str):
        messages.append(Message(view, "detail"))
    else:
        messages += [Message(line, "detail") for line in app_lines(view)]
    endpoint = config.get("ACA_APP_ENDPOINT")
    url = f"https://{endpoint}" if isinstance(endpoint, str) and endpoint else ""
    if url:
        messages.append(Message(f"endpoint: {url}", "success"))
    data = {
        "target": target_data,
        "last_deployment": deployment_data(last) if last else None,
        "inflight": _in_flight_data(records["inference"]),
        "finetune_inflight": _in_flight_data(records["fine-tuning"]),
        "config": dict(config),
        "app": app_data(view) if isinstance(view, AppView) else {"error": view},
        "endpoint": url or None,
    }
    return CommandResult("status", data=data, messages=tuple(messages))


def _in_flight_messages(
    records: Mapping[str, inflight.InflightRecord | str | None],
) -> list[Message]:
    messages = []
    for label, record in records.items():
        if isinstance(record, str):
            messages.append(Message(f"{label} in flight: unreadable record: {record}", "warning"))
        elif record is not None:
            where = f"in {record.resource_group}, started {record.started_at or '?'}"
            text = f"{label} in flight: {record.deployment} {where} (`orchestrator attach`)"
            messages.append(Message(text))
    return messages


def _in_flight_data(record: inflight.InflightRecord | str | None) -> object:
    if isinstance(record, str):
        return {"error": record}
    return record.to_json() if record is not None else None


def app_lines(view: AppView) -> list[str]:
    app, revision = view.app, view.revision
    ready = sum(1 for r in view.replicas if r.ready)
    health = revision.health_state if revision else ""
    running = revision.running_state if revision else ""
    lines = [
        f"{app.name}: provisioning {app.provisioning_state or '?'}, "
        f"running {app.running_status or '?'}",
        f"active revision {view.revision_name or '-'} "
        f"(health {health or '?'}, {running or '?'}); "
        f"latest revision {app.latest_revision or '-'}, "
        f"ready revision {app.latest_ready_revision or '-'}",
        f"replicas: {ready}/{len(view.replicas)} ready",
    ]
    lines += [
        f"  {r.name}: {r.running or '?'} ({r.ready_containers}/{r.containers} containers ready)"
        for r in view.replicas
    ]
    if app.fqdn:
        lines.append(f"fqdn: {app.fqdn}")
    return lines
