"""Before a deployment starts: the request body is checked, the template prepared, and every
resource body checked by its provider (ARM's "preflight"). Errors are ARM's 400s."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from localcloud.arm.errors import ArmError, ErrorDetail
from localcloud.ids import ResourceId
from localcloud.template import Prepared, Resolver, Scope, TemplateError, locate, prepare

if TYPE_CHECKING:
    from localcloud.cloud import LocalCloud

log = logging.getLogger(__name__)

NAME_RULE = re.compile(r"^[-\w._()]+$")
MODES = {"incremental": "Incremental", "complete": "Complete"}


@dataclass(frozen=True)
class DeploymentRequest:
    """A PUT / validate / whatIf body, checked."""

    mode: str
    template: dict[str, Any]
    parameters: dict[str, Any]
    tags: dict[str, Any]
    what_if_format: str = "FullResourcePayloads"


def _invalid(message: str) -> ArmError:
    return ArmError(
        400,
        "InvalidRequestContent",
        f"The request content was invalid and could not be deserialized: '{message}'.",
    )


def check_name(name: str) -> None:
    if not 1 <= len(name) <= 64 or not NAME_RULE.match(name):
        raise ArmError(
            400,
            "InvalidDeploymentName",
            f"The deployment name '{name}' is invalid. It can only contain alphanumerics, "
            "underscores, parentheses, hyphens and periods, and must be 1 to 64 characters long.",
        )


def parse_request(body: Any) -> DeploymentRequest:
    if not isinstance(body, Mapping):
        raise _invalid("The request body must be a JSON object")
    props = body.get("properties")
    if not isinstance(props, Mapping):
        raise _invalid("Required property 'properties' not found in JSON. Path ''")
    template = props.get("template")
    if template is None and props.get("templateLink") is not None:
        raise ArmError(
            400, "InvalidTemplateLink", "localcloud deploys inline templates only ('template')."
        )
    if not isinstance(template, Mapping):
        raise ArmError(
            400, "InvalidDeployment", "The deployment must specify an inline 'template' object."
        )
    raw_mode = props.get("mode")
    mode = MODES.get(raw_mode.lower()) if isinstance(raw_mode, str) else None
    if mode is None:
        raise _invalid(f"Error converting value '{raw_mode}' to type 'DeploymentMode'. Path 'mode'")
    parameters = props.get("parameters") or {}
    if not isinstance(parameters, Mapping) or not all(
        isinstance(v, Mapping) for v in parameters.values()
    ):
        raise _invalid("'properties.parameters' must map names to {\"value\": ...} objects")
    tags = body.get("tags") or {}
    if not isinstance(tags, Mapping):
        raise _invalid("'tags' must be an object")
    settings = props.get("whatIfSettings")
    fmt = settings.get("resultFormat") if isinstance(settings, Mapping) else None
    return DeploymentRequest(
        mode=mode,
        template=dict(template),
        parameters=dict(parameters),
        tags=dict(tags),
        what_if_format=fmt if isinstance(fmt, str) else "FullResourcePayloads",
    )


def template_violation(target: str | None) -> tuple[dict[str, Any], ...]:
    """ARM's `additionalInfo` locating a template error (localcloud knows no line numbers)."""
    path = "properties.template" + (f".{target}" if target else "")
    info = {"lineNumber": 0, "linePosition": 0, "path": path}
    return ({"type": "TemplateViolation", "info": info},)


def template_detail(e: TemplateError) -> ErrorDetail:
    return ErrorDetail(
        e.code,
        f"Deployment template validation failed: '{e.message}'.",
        e.target,
        additional_info=template_violation(e.target),
    )


def prepare_template(req: DeploymentRequest, scope: Scope, body: bytes | None = None) -> Prepared:
    """The prepared template; a template error is a top-level 400 `InvalidTemplate` naming the
    line and column of its declaration in the request `body` (localcloud/template/located.py)."""
    try:
        return prepare(req.template, req.parameters, scope)
    except TemplateError as e:
        text = body.decode("utf-8-sig", "replace") if body else None
        where = locate(e, req.template, text)
        info = {"lineNumber": where.line, "linePosition": where.column, "path": where.path}
        violation = ({"type": "TemplateViolation", "info": info},)
        # ARM itself rejects the template, so the error says the gateway caused it
        # (test_resource_group_deployment.yaml: x-ms-failure-cause: gateway)
        gateway = {"x-ms-failure-cause": "gateway"}
        raise ArmError(
            400, e.code, where.message, headers=gateway, additional_info=violation
        ) from e
    except Exception as e:  # the template engine must never turn a bad template into a 500
        log.exception("template preparation crashed")
        raise ArmError(
            400,
            "InvalidTemplate",
            f"Deployment template validation failed: 'The template could not be processed: {e}'.",
        ) from e


def invalid_deployment(name: str, details: tuple[ErrorDetail, ...]) -> ArmError:
    return ArmError(
        400,
        "InvalidTemplateDeployment",
        f"The template deployment '{name}' is not valid according to the validation procedure. "
        f"The tracking id is '{uuid.uuid4()}'. See inner errors for details.",
        details=details,
    )


def resource_problems(
    cloud: LocalCloud, prepared: Prepared, resolver: Resolver
) -> tuple[ErrorDetail, ...]:
    """Every provider `validate()` problem of the resources this deployment would write."""
    problems: list[ErrorDetail] = []
    for plan in prepared.resources:
        if not plan.condition or plan.existing or plan.is_deployment:
            continue
        try:
            body = plan.evaluate(resolver, lenient=True)
            rid = ResourceId.parse(plan.resource_id)
            problems.extend(cloud.providers.for_type(plan.type).validate(rid, body))
        except TemplateError as e:
            problems.append(template_detail(e))
        except ArmError as e:
            problems.append(e.detail)
    return tuple(problems)


def preflight(cloud: LocalCloud, name: str, prepared: Prepared, resolver: Resolver) -> None:
    """Raise ARM's 400 `InvalidTemplateDeployment` when a provider rejects a resource."""
    problems = resource_problems(cloud, prepared, resolver)
    if problems:
        raise invalid_deployment(
            name,
            (
                ErrorDetail(
                    "PreflightValidationCheckFailed",
                    "Preflight validation failed. Please refer to the details for the specific "
                    "errors.",
                    details=problems,
                ),
            ),
        )
