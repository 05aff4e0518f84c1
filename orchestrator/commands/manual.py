"""`orchestrator manual`: the manual fallback - the exact `az deployment group create` for the
resolved target, with the final parameters written to `.orchestrator/final.parameters.json`,
then how to import the outputs and which config keys to fill by hand. `--script FILE` writes
it as a bash script (from templates/manual-provision.sh.j2).

The target is held to Azure's naming rules first (as for `provision`), and every value
that reaches a command is shell-quoted; paths are absolute, so the commands work from any
folder. The script template only accepts text marked as a shell word or as comment text: a
value cannot end a comment line or start a command of its own.
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from orchestrator import naming
from orchestrator.app import App
from orchestrator.compile import find_compiler, recorded_source_sha256, source_sha256
from orchestrator.errors import InputError
from orchestrator.invocation import Invocation
from orchestrator.jsonio import load_json, write_atomic, write_json_atomic
from orchestrator.parameters import FinalParameters
from orchestrator.provision.prepare import Request, deployment_name, load_parameters, load_target
from orchestrator.provision.target import Target, TargetFlags, cloud_default
from orchestrator.result import CommandResult, Message
from orchestrator.workspace import Workspace, printable

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


class ScriptText(str):
    """Text the script template may print as it is (a subclass marks how it was made safe)."""


class ShellWord(ScriptText):
    """A shell-quoted word, or words each quoted and joined by spaces."""


class CommentText(ScriptText):
    """One line of comment text: no line break or other control character left in it."""


def word(value: str) -> ShellWord:
    return ShellWord(shlex.quote(value))


def words(*values: str) -> ShellWord:
    return ShellWord(" ".join(shlex.quote(v) for v in values))


def comment(value: str) -> CommentText:
    """`value` on one line: every non-printable character (line breaks, bidi controls) as an
    escape, so that nothing after it can leave the comment."""
    return CommentText(printable(value))


@dataclass(frozen=True)
class ManualPlan:
    """What `manual` prints and scripts; every value already checked."""

    target: Target
    cloud: str
    workspace: Path
    template: Path
    parameters_file: Path  # the final parameters written for az
    parameters_source: str  # the parameters file they came from, as shown
    deployment: str
    generated_at: str

    def group_create(self) -> tuple[str, ...]:
        group, location = self.target.resource_group.value, self.target.location.value
        return ("az", "group", "create", "--name", group, "--location", location)

    def deploy(self) -> tuple[str, ...]:
        return (
            *("az", "deployment", "group", "create"),
            *("--subscription", self.target.subscription.value),
            *("--resource-group", self.target.resource_group.value),
            *("--name", self.deployment),
            *("--template-file", str(self.template)),
            *("--parameters", f"@{self.parameters_file}"),
        )

    def import_outputs(self) -> tuple[str, ...]:
        return (
            *("orchestrator", "outputs", "--write", "--cloud", self.cloud),
            *("-w", str(self.workspace)),
            *("--subscription", self.target.subscription.value),
            *("--resource-group", self.target.resource_group.value),
            *("--deployment", self.deployment),
        )


def run(
    inv: Invocation,
    app: App,
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
    profile = app.profile
    flags = TargetFlags(subscription, resource_group, location)
    # load_target holds the target to Azure's rules (provision.target.check_target) first
    target, _config = load_target(ws, inv.settings, flags, cloud_default(lambda: profile))
    request = Request(flags, template, parameters_file, tuple(params))
    final = load_parameters(ws, inv.settings, request)
    now = dt.datetime.now(dt.timezone.utc)
    plan = ManualPlan(
        target=target,
        cloud=profile.name,
        workspace=absolute(ws.root),
        template=absolute(template or default_template(ws, inv.settings.environ)),
        parameters_file=absolute(ws.state_dir / "final.parameters.json"),
        parameters_source=final.source,
        deployment=naming.check_deployment_name(deployment_name(now), "deployment name"),
        generated_at=now.isoformat(timespec="seconds"),
    )
    if script is not None:  # rendered and written first: a failure leaves nothing behind
        _write_script(script, render_script(script_context(plan)))
    _write_final_parameters(ws, plan.parameters_file, final)
    return _result(inv, plan, script)


def _write_script(path: Path, text: str) -> None:
    try:
        write_atomic(path, text)
        os.chmod(path, 0o755)
    except OSError as exc:
        raise InputError(f"--script {path}: cannot write it ({exc.strerror})") from None


def default_template(ws: Workspace, env: Mapping[str, str]) -> Path:
    """The Bicep file when a Bicep CLI is installed; else the checked-in ARM JSON next to it,
    when it was compiled from the Bicep file as it is now (else `az` compiles the Bicep)."""
    if find_compiler(env) is None and _compiled_from_current(ws):
        return ws.compiled
    return ws.bicep


def _compiled_from_current(ws: Workspace) -> bool:
    try:
        template = load_json(ws.compiled)
        digest = source_sha256(ws.bicep)
    except (InputError, OSError):
        return False
    return isinstance(template, dict) and recorded_source_sha256(template) == digest


def absolute(path: Path) -> Path:
    return Path(os.path.abspath(path))


def _write_final_parameters(ws: Workspace, path: Path, final: FinalParameters) -> None:
    document = {
        "$schema": PARAMETERS_SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": final.arm_parameters,
    }
    try:
        ws.ensure_state_dir()
        write_json_atomic(path, document)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the final parameters ({exc.strerror})") from None


def script_context(plan: ManualPlan) -> dict[str, object]:
    """The script template's values: shell words and comment lines only."""
    target = plan.target
    return {
        "generated_at": comment(plan.generated_at),
        "subscription": comment(target.subscription.value),
        "resource_group": comment(target.resource_group.value),
        "parameters_file": comment(str(plan.parameters_file)),
        "parameters_source": comment(plan.parameters_source),
        "config_file": comment(str(plan.workspace / "infra" / "inference.config.json")),
        "config_keys": [(comment(k), comment(m)) for k, m in CONFIG_MEANINGS],
        "subscription_q": word(target.subscription.value),
        "resource_group_q": word(target.resource_group.value),
        "group_create": words(*plan.group_create()) if target.location.is_set else None,
        "command": words(*plan.deploy()),
        "import_command": words(*plan.import_outputs()),
    }


def _only_script_text(value: object) -> object:
    """The template's `finalize`: anything not made safe above is a bug, never printed."""
    if value is None or isinstance(value, ScriptText):
        return value
    raise TypeError(f"unquoted {type(value).__name__} in the manual script template")


def render_script(context: Mapping[str, object]) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        autoescape=False,
        finalize=_only_script_text,
    )
    return env.get_template(SCRIPT_TEMPLATE).render(**context)


def _result(inv: Invocation, plan: ManualPlan, script: Path | None) -> CommandResult:
    target = plan.target
    command, import_command = words(*plan.deploy()), words(*plan.import_outputs())
    messages = [Message("target:"), *(Message(x, "detail") for x in target.describe())]
    messages.append(
        Message(
            f"final parameters (from {plan.parameters_source}) written to {plan.parameters_file}"
        )
    )
    if target.location.is_set:
        messages.append(Message("create the resource group if needed:"))
        messages.append(Message(words(*plan.group_create()), "detail"))
    messages.append(Message("deploy the template yourself (from any folder):"))
    messages.append(Message(command, "detail"))
    messages.append(Message("then import its outputs:"))
    messages.append(Message(import_command, "detail"))
    config_file = plan.workspace / "infra" / "inference.config.json"
    messages.append(Message(f"or fill these keys of {config_file} by hand:"))
    messages += [Message(f"{key}: {meaning}", "detail") for key, meaning in CONFIG_MEANINGS]
    if script is not None:
        messages.append(Message(f"wrote {inv.workspace.shown(script)}", "success"))
    data = {
        "target": target.as_data(),
        "command": str(command),
        "deployment": plan.deployment,
        "template": str(plan.template),
        "parameters_file": str(plan.parameters_file),
        "parameters_source": plan.parameters_source,
        "import_command": str(import_command),
        "config_keys": [key for key, _ in CONFIG_MEANINGS],
        "script": inv.workspace.shown(script) if script else None,
    }
    return CommandResult("manual", data=data, messages=tuple(messages))
