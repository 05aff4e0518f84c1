"""The offline half of provision, shared by `provision`, `plan` and `manual`:
resolve target → load parameters → compile → validate. No Azure calls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestrator import inference_config
from orchestrator.azure.parse import resource_type_of
from orchestrator.compile import CompiledTemplate, compile_template
from orchestrator.errors import Problem, ValidationFailed
from orchestrator.parameters import FinalParameters, resolve_parameters
from orchestrator.provision.nochange import deployment_tags, param_hash
from orchestrator.provision.outputs import OutputSpec, declared_outputs
from orchestrator.provision.target import (
    DefaultSubscription,
    Target,
    TargetFlags,
    check_target,
    gather_sources,
    resolve_target,
)
from orchestrator.schemacache import EVERY_TIME, SchemaChecks, for_run
from orchestrator.settings import Settings
from orchestrator.template_schema import arm_type, declared_parameters
from orchestrator.validation import SECURE_TYPES, check_parameter_values
from orchestrator.workspace import Workspace

MAX_NAME = 64
# The code that decides the template lint: lint.py and the modules it imports, by path, so
# that a remembered pass imports none of them.
LINT_CODE = tuple(
    str(Path(__file__).with_name(f"{name}.py")) for name in ("lint", "gpuneeds", "armexpr")
)


@dataclass(frozen=True)
class Request:
    """What the user asked for (the provision/plan/manual options)."""

    flags: TargetFlags = field(default_factory=TargetFlags)
    template: Path | None = None
    parameters_file: Path | None = None
    params: tuple[str, ...] = ()


@dataclass(frozen=True)
class Prepared:
    """Everything known before talking to ARM."""

    target: Target
    final: FinalParameters
    compiled: CompiledTemplate
    config: Mapping[str, Any]
    outputs: tuple[OutputSpec, ...]
    param_hash: str
    tags: Mapping[str, str] = field(default_factory=dict)

    def deployment_body(self, *, what_if: bool = False) -> dict[str, Any]:
        properties: dict[str, Any] = {
            "mode": "Incremental",
            "template": dict(self.compiled.template),
            "parameters": self.final.arm_parameters,
        }
        if what_if:
            properties["whatIfSettings"] = {"resultFormat": "FullResourcePayloads"}
            return {"properties": properties}
        return {"properties": properties, "tags": dict(self.tags)}

    def api_versions(self) -> dict[str, str]:
        """Resource type (lower case) → the API version the template uses for it."""
        found: dict[str, str] = {}
        resources = self.compiled.template.get("resources")
        items = resources.values() if isinstance(resources, Mapping) else resources
        for res in items if isinstance(items, (list, type({}.values()))) else []:
            if isinstance(res, Mapping) and res.get("type") and res.get("apiVersion"):
                found[str(res["type"]).lower()] = str(res["apiVersion"])
        return found

    def api_version_for(self, resource_id: str) -> str:
        return self.api_versions().get(resource_type_of(resource_id).lower(), "")


def deployment_name(now: dt.datetime, template: str = "inference") -> str:
    """`inference-20261125T091500Z` (UTC, within ARM's 64 characters)."""
    return f"{template}-{now.astimezone(dt.timezone.utc):%Y%m%dT%H%M%SZ}"[:MAX_NAME]


def load_target(
    workspace: Workspace,
    settings: Settings,
    flags: TargetFlags,
    cloud_default: DefaultSubscription,
    *,
    need_group: bool = True,
) -> tuple[Target, Mapping[str, Any]]:
    """Step 1: the target (checked by Azure's rules), and the inference config as read (to
    merge outputs into)."""
    sources = gather_sources(workspace, settings.target, settings.cloud, flags, cloud_default)
    target = check_target(resolve_target(sources, need_group=need_group))
    return target, sources.inference_config


def load_parameters(
    workspace: Workspace,
    settings: Settings,
    request: Request,
    checks: SchemaChecks = EVERY_TIME,
) -> FinalParameters:
    """Step 2: the final parameters (file, --param overrides, nulls dropped, rendered over
    the environment)."""
    env, params, path = settings.environ, request.params, request.parameters_file
    return resolve_parameters(workspace, env, params, path, checks)


def compile_step(workspace: Workspace, settings: Settings, request: Request) -> CompiledTemplate:
    """Step 3: the ARM JSON of the template (the Bicep CLI found on the environment's PATH;
    with none and a stale checked-in JSON, the offer to install the pinned one, built then)."""
    import sys

    from orchestrator.bicep.lazyoffer import LazyOffer

    installer = LazyOffer(
        settings, assume_yes=settings.assume_yes, stderr=sys.stderr, version=settings.bicep_version
    )
    return compile_template(workspace, request.template, settings.environ, installer=installer)


def validate_offline(
    workspace: Workspace,
    final: FinalParameters,
    compiled: CompiledTemplate,
    config: Mapping[str, Any],
    checks: SchemaChecks = EVERY_TIME,
) -> None:
    """Step 4: the final values against the template (types, naming rules, the template
    lint), and the existing config's shape; `checks` skips what passed before."""
    problems = list(check_parameter_values(final, compiled.template, checks))
    problems += lint_problems(final, compiled, checks)
    if config:
        shown = workspace.shown(workspace.config)
        problems += inference_config.problems(config, shown, complete=False, checks=checks)
    if problems:
        raise ValidationFailed(
            problems, hint="fix the lines above; `orchestrator validate` rechecks"
        )


def lint_problems(
    final: FinalParameters, compiled: CompiledTemplate, checks: SchemaChecks = EVERY_TIME
) -> list[Problem]:
    """The template lint (provision/lint.py) of the final values. A pass remembered by `checks`
    is not run again, and lint is then not imported; values that hold a secret are linted
    every time, as their digest is not kept."""

    def lint_now() -> list[Problem]:
        from orchestrator.provision.lint import template_problems

        return template_problems(compiled.template, final.values, compiled.source)

    remembered = EVERY_TIME if _holds_secret(final, compiled.template) else checks
    # Not an input: compiled.source only names the file in problem lines, never remembered.
    inputs = (compiled.template, final.values)
    return remembered.pure_problems("template lint", LINT_CODE, inputs, lint_now)


def _holds_secret(final: FinalParameters, template: Mapping[str, Any]) -> bool:
    """Whether the final values hold a secret: one of the environment's, or a secure value."""
    declared = declared_parameters(template)
    secure = (arm_type(declared.get(name, {})) in SECURE_TYPES for name in final.values)
    return bool(final.secrets) or any(secure)


def prepare(
    workspace: Workspace,
    settings: Settings,
    request: Request,
    *,
    cloud_default: DefaultSubscription,
    need_group: bool = True,
) -> Prepared:
    target, config = load_target(
        workspace, settings, request.flags, cloud_default, need_group=need_group
    )
    checks = for_run(workspace)
    final = load_parameters(workspace, settings, request, checks)
    compiled = compile_step(workspace, settings, request)
    validate_offline(workspace, final, compiled, config, checks)
    phash = param_hash(final.sha256, target.subscription.value, target.resource_group.value)
    return Prepared(
        target=target,
        final=final,
        compiled=compiled,
        config=config,
        outputs=declared_outputs(compiled.template),
        param_hash=phash,
        tags=deployment_tags(phash),
    )
