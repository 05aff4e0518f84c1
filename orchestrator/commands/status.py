"""`orchestrator status`: target, last deployment, config, the app's health, the endpoint.

Read-only. Parts that cannot be read (no app yet, a refused request) are reported as such
instead of failing the whole command.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from orchestrator.errors import AzureError
from orchestrator.factory import make_clients
from orchestrator.invocation import Invocation
from orchestrator.provision import inflight
from orchestrator.provision.appstatus import AppStatus, read_app_status
from orchestrator.provision.model import DeploymentSnapshot
from orchestrator.provision.nochange import is_ours
from orchestrator.provision.prepare import load_target
from orchestrator.provision.progress import format_duration
from orchestrator.provision.report import deployment_data
from orchestrator.provision.target import TargetFlags
from orchestrator.result import CommandResult, Message
from orchestrator.workspace import CONFIG_KEYS


def run(
    inv: Invocation,
    *,
    subscription: str | None = None,
    resource_group: str | None = None,
    location: str | None = None,
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
    ours = [d for d in arm.list_deployments(group) if is_ours(d)]
    last = max(ours, key=lambda d: d.timestamp, default=None)
    app_name = config.get("ACA_APP_NAME")
    app: AppStatus | str = "not provisioned (no ACA_APP_NAME in the config)"
    if isinstance(app_name, str) and app_name:
        try:
            app = read_app_status(
                clients.containerapps(target.subscription.value),
                group,
                app_name,
                clients.profile.arm_endpoint,
            )
        except AzureError as exc:
            app = f"unavailable: {exc.message}"
    record = inflight.read(inv.workspace)
    return _result(inv, target.describe(), target.as_data(), last, config, app, record)


def _result(
    inv: Invocation,
    target_lines: list[str],
    target_data: dict[str, Any],
    last: DeploymentSnapshot | None,
    config: Mapping[str, Any],
    app: AppStatus | str,
    record: inflight.InflightRecord | None,
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
    if record is not None:
        messages.append(Message(f"in flight: {record.deployment} (`orchestrator attach`)"))
    messages.append(Message(f"config ({shown}):"))
    messages += [Message(f"{key} = {config.get(key)}", "detail") for key in CONFIG_KEYS]
    messages.append(Message("app:"))
    if isinstance(app, str):
        messages.append(Message(app, "detail"))
    else:
        messages += _app_lines(app)
    endpoint = config.get("ACA_APP_ENDPOINT")
    url = f"https://{endpoint}" if isinstance(endpoint, str) and endpoint else ""
    if url:
        messages.append(Message(f"endpoint: {url}", "success"))
    data = {
        "target": target_data,
        "last_deployment": deployment_data(last) if last else None,
        "inflight": record.to_json() if record else None,
        "config": dict(config),
        "app": app.as_data() if isinstance(app, AppStatus) else {"error": app},
        "endpoint": url or None,
    }
    return CommandResult("status", data=data, messages=tuple(messages))


def _app_lines(app: AppStatus) -> list[Message]:
    ready = sum(1 for r in app.replicas if r.containers and r.ready_containers == r.containers)
    lines = [
        f"{app.name}: provisioning {app.provisioning_state or '?'}, "
        f"running {app.running_status or '?'}",
        f"latest revision {app.latest_revision or '-'} "
        f"(health {app.revision_health or '?'}, {app.revision_running_state or '?'}); "
        f"ready revision {app.latest_ready_revision or '-'}",
        f"replicas: {ready}/{len(app.replicas)} ready",
    ]
    lines += [
        f"  {r.name}: {r.running_state or '?'} ({r.ready_containers}/{r.containers} containers "
        "ready)"
        for r in app.replicas
    ]
    if app.fqdn:
        lines.append(f"fqdn: {app.fqdn}")
    return [Message(line, "detail") for line in lines]
