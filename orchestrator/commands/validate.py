"""`orchestrator validate`: every offline check of the workspace, all problems at once.

Checks: the parameters file (ARM deploymentParameters shape, `--param` overrides, `{{ }}`
rendering), the final values against the compiled template (types, allowed values, required,
unknown names, literal template expressions, Azure naming rules), `infra/inference.config.json`
and `finetuning.config.json` when present, where the fine-tuning family keeps it
(`orchestrator.finetune.family.locate_config`). `--online` adds the checks of
`orchestrator.online.check_config_resources` (existence of the configured resources).
The config is checked strictly here: a `https://` or trailing `/` in ACA_APP_ENDPOINT, which
the other commands read as the bare host with a warning, is a problem to fix.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestrator import inference_config
from orchestrator.app import App
from orchestrator.bicep.lazyoffer import LazyOffer
from orchestrator.compile import CompiledTemplate, compile_template
from orchestrator.errors import InputError, Problem, ValidationFailed
from orchestrator.finetune import config as ft_config
from orchestrator.finetune.family import locate_family
from orchestrator.invocation import Invocation
from orchestrator.parameters import FinalParameters, collect_parameters
from orchestrator.provision.lint import template_problems
from orchestrator.result import CommandResult, Message
from orchestrator.schemacache import SchemaChecks, for_run
from orchestrator.validation import check_finetuning_config, check_parameter_values, load_config


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # passed | skipped
    detail: str = ""


def run(
    inv: Invocation,
    app: App,
    *,
    template: Path | None = None,
    parameters_file: Path | None = None,
    params: Sequence[str] = (),
    online: bool = False,
) -> CommandResult:
    ws = inv.workspace
    environ = inv.settings.environ
    remembered = for_run(ws)
    final, problems = collect_parameters(ws, environ, params, parameters_file, remembered)
    hint = "fix the lines above, then run `orchestrator validate`"
    try:
        installer = LazyOffer(
            inv.settings, assume_yes=False, stderr=inv.stderr, version=inv.settings.bicep_version
        )
        compiled: CompiledTemplate | None = compile_template(
            ws, template, environ, installer=installer
        )
    except InputError as exc:  # reported with the other problems, not instead of them
        compiled = None
        problems.append(Problem(exc.message, "", ""))
        hint = exc.hint or hint
    if compiled is not None:
        problems += check_parameter_values(final, compiled.template, remembered)
        problems += template_problems(compiled.template, final.values, compiled.source)
    config, config_check, config_problems = _inference_config(inv, remembered)
    finetuning_check, finetuning_problems = _finetuning_config(inv, remembered)
    problems += config_problems + finetuning_problems
    if problems or compiled is None:
        raise ValidationFailed(problems, hint=hint)
    checks = [
        Check(f"{final.source}: ARM deploymentParameters shape", "passed"),
        Check(f"template: {compiled.source} ({compiled.obtained})", "passed"),
        Check("final parameters: types, required, unknown names, naming rules", "passed"),
        Check("template: workload profiles (serverless counts, profile names)", "passed"),
        config_check,
        finetuning_check,
    ]
    if online:
        checks.append(_online(app, inv.workspace.shown(inv.workspace.config), config))
    return _result(final, compiled, checks)


def _inference_config(
    inv: Invocation, checks: SchemaChecks
) -> tuple[Mapping[str, object], Check, list[Problem]]:
    shown = inv.workspace.shown(inv.workspace.config)
    try:
        found = inference_config.read(inv.workspace, normalise=False)
    except ValidationFailed as exc:
        return {}, Check(shown, "failed"), list(exc.problems)
    if not found.exists:  # a dangling link or loop is reported by `read`
        return {}, Check(shown, "skipped", "not present; provision writes it"), []
    problems = inference_config.problems(found.values, shown, complete=False, checks=checks)
    return found.values, Check(shown, "passed"), problems


def _finetuning_config(inv: Invocation, checks: SchemaChecks) -> tuple[Check, list[Problem]]:
    family, path = locate_family(inv.workspace)
    shown = inv.workspace.shown(path)
    if not path.exists() and not path.is_symlink():  # a dangling link or loop is reported
        return Check(shown, "skipped", "not present"), []
    try:
        config = load_config(path, shown)
    except ValidationFailed as exc:
        return Check(shown, "failed"), list(exc.problems)
    problems = check_finetuning_config(config, shown, ft_config.keys(family), checks)
    return Check(shown, "passed"), problems


def _online(app: App, shown: str, config: Mapping[str, object]) -> Check:
    """`--online`: orchestrator.online.check_config_resources(app, shown, config)."""
    from orchestrator.online import check_config_resources

    problems = check_config_resources(app, shown, config)
    if problems:
        raise ValidationFailed(
            problems,
            hint="fix the keys above (or run `orchestrator provision`), "
            "then run `orchestrator validate --online`",
        )
    return Check("online: the configured resources exist", "passed")


SECURE_TYPES = frozenset({"securestring", "secureobject"})
MASK = "(secure value not shown)"


def shown_values(final: FinalParameters, template: Mapping[str, Any]) -> dict[str, Any]:
    """The final values, with those of secure parameters masked (never printed)."""
    declared = template.get("parameters") or {}

    def secure(name: str) -> bool:
        entry = declared.get(name) if isinstance(declared, Mapping) else None
        kind = entry.get("type") if isinstance(entry, Mapping) else None
        return isinstance(kind, str) and kind.lower() in SECURE_TYPES

    return {name: MASK if secure(name) else final.redacted(v) for name, v in final.values.items()}


def _result(
    final: FinalParameters, compiled: CompiledTemplate, checks: list[Check]
) -> CommandResult:
    source, obtained = compiled.source, compiled.obtained
    values = shown_values(final, compiled.template)
    messages = [
        Message(f"validated {final.source} against {source} ({obtained})"),
        Message("final parameters:"),
    ]
    messages += [
        Message(f"{name} = {json.dumps(value, ensure_ascii=False)}", "detail")
        for name, value in values.items()
    ]
    messages += [Message(f"{name} = (Key Vault reference)", "detail") for name in final.references]
    messages.append(Message("checks:"))
    messages += [Message(_check_line(c), "detail") for c in checks]
    messages.append(Message("all checks passed", "success"))
    data = {
        "template": {"source": source, "obtained": obtained},
        "parameters": {
            "source": final.source,
            "values": values,
            "sha256": final.sha256,
        },
        "checks": [{"name": c.name, "status": c.status, "detail": c.detail} for c in checks],
    }
    return CommandResult("validate", data=data, messages=tuple(messages))


def _check_line(check: Check) -> str:
    mark = "ok  " if check.status == "passed" else "skip"
    return f"{mark} {check.name}" + (f" ({check.detail})" if check.detail else "")
