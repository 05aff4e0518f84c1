"""`orchestrator manual`: the manual fallback - the exact `az deployment group create` for the
resolved target, with the final parameters written to `.orchestrator/final.parameters.json`,
then how to import the outputs and which config keys to fill by hand. `--script FILE` writes
it as a bash script (from templates/manual-provision.sh.j2)."""

from __future__ import annotations

import datetime as dt
import os
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from orchestrator.factory import make_clients
from orchestrator.invocation import Invocation
from orchestrator.jsonio import write_atomic, write_json_atomic
from orchestrator.provision.prepare import Request, deployment_name, load_parameters, load_target
from orchestrator.provision.target import Target, TargetFlags
from orchestrator.result import CommandResult, Message

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
SCRIPT_TEMPLATE = "manual-provision.sh.j2"
PARAMETERS_SCHEMA = (
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#"
)
CONFIG_MEANINGS = (
    ("SUBSCRIPTION_ID", "the subscription ID"),
    ("RESOURCE_GROUP_NAME", "the resource group"),
    ("STORAGE_ACCOUNT_NAME", "the storage account holding the file share"),
    ("FILE_SHARE_NAME", "the file share mounted at /mount"),
    ("ACA_APP_NAME", "the container app"),
    ("ACA_APP_ENDPOINT", "the app's ingress FQDN, without https://"),
)


def run(
    inv: Invocation,
    *,
    subscription: str | None = None,
    resource_group: str | None = None,
    location: str | None = None,
    template: Path | None = None,
    parameters_file: Path | None = None,
    params: Sequence[str] = (),
    script: Path | None = None,
) -> CommandResult:
    ws = inv.workspace
    profile = make_clients(inv.env).profile
    flags = TargetFlags(subscription, resource_group, location)
    target, _config = load_target(ws, inv.env, profile.name, flags, profile.default_subscription)
    request = Request(flags, template, parameters_file, tuple(params))
    final = load_parameters(ws, inv.env, request)
    params_path = ws.ensure_state_dir() / "final.parameters.json"
    write_json_atomic(
        params_path,
        {
            "$schema": PARAMETERS_SCHEMA,
            "contentVersion": "1.0.0.0",
            "parameters": final.arm_parameters,
        },
    )
    context = _context(inv, target, template or ws.bicep, params_path)
    if script is not None:
        _write_script(script, context)
    return _result(inv, target, context, script)


def _context(inv: Invocation, target: Target, template: Path, params_path: Path) -> dict[str, Any]:
    ws = inv.workspace
    now = dt.datetime.now(dt.timezone.utc)
    name = deployment_name(now)
    command = " ".join(
        [
            "az deployment group create",
            f"--subscription {shlex.quote(target.subscription.value)}",
            f"--resource-group {shlex.quote(target.resource_group.value)}",
            f"--name {shlex.quote(name)}",
            f"--template-file {shlex.quote(ws.shown(template))}",
            f"--parameters @{shlex.quote(ws.shown(params_path))}",
        ]
    )
    group_flags = f" --resource-group {shlex.quote(target.resource_group.value)}"
    return {
        "generated_at": now.isoformat(timespec="seconds"),
        "workspace_q": shlex.quote(str(ws.root)),
        "subscription": target.subscription.value,
        "subscription_q": shlex.quote(target.subscription.value),
        "resource_group": target.resource_group.value,
        "resource_group_q": shlex.quote(target.resource_group.value),
        "location": target.location.value,
        "location_q": shlex.quote(target.location.value),
        "parameters_file": ws.shown(params_path),
        "deployment": name,
        "command": command,
        "import_command": f"orchestrator outputs --write{group_flags} --deployment {name}",
        "config_file": ws.shown(ws.config),
        "config_keys": CONFIG_MEANINGS,
    }


def render_script(context: dict[str, Any]) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        autoescape=False,
    )
    return env.get_template(SCRIPT_TEMPLATE).render(**context)


def _write_script(path: Path, context: dict[str, Any]) -> None:
    write_atomic(path, render_script(context))
    os.chmod(path, 0o755)


def _result(
    inv: Invocation, target: Target, context: dict[str, Any], script: Path | None
) -> CommandResult:
    messages = [Message("target:"), *(Message(x, "detail") for x in target.describe())]
    messages.append(Message(f"final parameters written to {context['parameters_file']}"))
    if target.location.is_set:
        messages.append(Message("create the resource group if needed:"))
        messages.append(
            Message(
                f"az group create --name {context['resource_group_q']} "
                f"--location {context['location_q']}",
                "detail",
            )
        )
    messages.append(Message("deploy the template yourself:"))
    messages.append(Message(context["command"], "detail"))
    messages.append(Message("then import its outputs:"))
    messages.append(Message(context["import_command"], "detail"))
    messages.append(Message(f"or fill these keys of {context['config_file']} by hand:"))
    messages += [Message(f"{key}: {meaning}", "detail") for key, meaning in CONFIG_MEANINGS]
    if script is not None:
        messages.append(Message(f"wrote {inv.workspace.shown(script)}", "success"))
    data = {
        "target": target.as_data(),
        "command": context["command"],
        "deployment": context["deployment"],
        "parameters_file": context["parameters_file"],
        "import_command": context["import_command"],
        "config_keys": [key for key, _ in CONFIG_MEANINGS],
        "script": inv.workspace.shown(script) if script else None,
    }
    return CommandResult("manual", data=data, messages=tuple(messages))
