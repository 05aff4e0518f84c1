"""Deployment and deployment-operation records: the data the engine keeps, and the exact JSON
ARM returns for them (`DeploymentExtended`, `DeploymentOperation`). No I/O.

Times are epoch seconds (float); rendered as ARM does: timestamps with 7 fractional digits
and `Z`, durations as .NET `XmlConvert` ISO-8601 (`PT20.7905082S`).
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from typing import Any

from localcloud.arm.casing import camel_case

DEPLOYMENT_TYPE = "Microsoft.Resources/deployments"

ACCEPTED = "Accepted"
RUNNING = "Running"
SUCCEEDED = "Succeeded"
FAILED = "Failed"
CANCELED = "Canceled"
TERMINAL = frozenset({SUCCEEDED, FAILED, CANCELED})

SECURE_TYPES = frozenset({"securestring", "secureobject"})

DEPLOYMENT_FAILED_MESSAGE = (
    "At least one resource deployment operation failed. Please list deployment operations for "
    "details. Please see https://aka.ms/arm-deployment-operations for usage details."
)


def format_timestamp(epoch: float) -> str:
    ticks = round(epoch * 10_000_000)
    seconds, fraction = divmod(ticks, 10_000_000)
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{fraction:07d}Z"


def format_duration(seconds: float) -> str:
    """.NET `XmlConvert.ToString(TimeSpan)`: `PT0S`, `PT0.0006313S`, `PT1M5.5S`, `P1DT2H`."""
    ticks = max(0, round(seconds * 10_000_000))
    whole, fraction = divmod(ticks, 10_000_000)
    days, rest = divmod(whole, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    out = "P" + (f"{days}D" if days else "") + "T"
    out += f"{hours}H" if hours else ""
    out += f"{minutes}M" if minutes else ""
    if secs or fraction:
        out += str(secs) + (f".{fraction:07d}".rstrip("0") if fraction else "") + "S"
    if out.endswith("T"):
        out = out[:-1] if len(out) > 2 else "PT0S"
    return out


def new_operation_id() -> str:
    """Deployment operation ids: 16 upper-case hex digits."""
    return secrets.token_hex(8).upper()


def new_status_id() -> str:
    """The 20-digit id in a deployment's `operationStatuses` URL."""
    return "0" + "".join(str(secrets.randbelow(10)) for _ in range(19))


def reason_phrase(status: int) -> str:
    """ARM's `statusCode` for an operation: the HTTP reason phrase without spaces."""
    phrases = {
        200: "OK",
        201: "Created",
        202: "Accepted",
        204: "NoContent",
        400: "BadRequest",
        401: "Unauthorized",
        403: "Forbidden",
        404: "NotFound",
        409: "Conflict",
        412: "PreconditionFailed",
        429: "TooManyRequests",
        500: "InternalServerError",
        503: "ServiceUnavailable",
    }
    return phrases.get(status, "BadRequest")


@dataclass(frozen=True)
class DeploymentRecord:
    id: str
    name: str
    subscription: str
    resource_group: str
    state: str
    mode: str
    template: dict[str, Any]
    template_hash: str
    parameters: dict[str, Any]  # ARM-typed: {"name": {"type": "String", "value": ...}}
    tags: dict[str, Any]
    correlation_id: str
    status_id: str
    started: float
    updated: float
    providers: list[Any] = field(default_factory=list)
    dependencies: list[Any] = field(default_factory=list)
    outputs: dict[str, Any] | None = None  # typed outputs, declared names (not camel-cased)
    output_resources: list[str] = field(default_factory=list)
    error: dict[str, Any] | None = None
    parent_id: str | None = None

    @property
    def key(self) -> str:
        return self.id.lower()

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL

    def to_doc(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_doc(doc: Mapping[str, Any]) -> DeploymentRecord:
        return DeploymentRecord(**_known(DeploymentRecord, doc))


@dataclass(frozen=True)
class OperationRecord:
    deployment_id: str
    operation_id: str
    seq: int
    provisioning_operation: str  # Create, Read, EvaluateDeploymentOutput
    state: str
    started: float
    updated: float
    tracking_id: str
    target: dict[str, Any] | None = None
    status_code: str | None = None
    error: dict[str, Any] | None = None

    @property
    def key(self) -> str:
        return operation_key(self.deployment_id, self.operation_id)

    def to_doc(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_doc(doc: Mapping[str, Any]) -> OperationRecord:
        return OperationRecord(**_known(OperationRecord, doc))


def _known(cls: type[Any], doc: Mapping[str, Any]) -> dict[str, Any]:
    """The fields `cls` has (documents written by another localcloud version may differ)."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in doc.items() if k in names}


def operation_key(deployment_id: str, operation_id: str) -> str:
    return f"{deployment_id}/operations/{operation_id}".lower()


def render_parameters(parameters: Mapping[str, Any]) -> dict[str, Any]:
    """ARM-typed parameters as ARM returns them: camel-cased names, no secure values."""
    out: dict[str, Any] = {}
    for name, entry in parameters.items():
        typed = dict(entry) if isinstance(entry, Mapping) else {"value": entry}
        if str(typed.get("type", "")).lower() in SECURE_TYPES or typed.get("value") is None:
            typed.pop("value", None)
        out[camel_case(name)] = typed
    return out


def render_deployment(rec: DeploymentRecord, now: float) -> dict[str, Any]:
    """`DeploymentExtended` JSON."""
    end = rec.updated if rec.terminal else now
    props: dict[str, Any] = {"templateHash": rec.template_hash}
    if rec.parameters:  # Azure leaves out what is empty (test_group_deployment_lite.yaml)
        props["parameters"] = render_parameters(rec.parameters)
    props |= {
        "mode": rec.mode,
        "provisioningState": rec.state,
        "timestamp": format_timestamp(rec.updated),
        "duration": format_duration(end - rec.started),
        "correlationId": rec.correlation_id,
        "providers": rec.providers,
        "dependencies": rec.dependencies,
    }
    if rec.state == SUCCEEDED:
        if rec.outputs:
            props["outputs"] = render_parameters(rec.outputs)
        props["outputResources"] = [{"id": rid} for rid in rec.output_resources]
    if rec.error is not None:
        props["error"] = rec.error
    doc: dict[str, Any] = {"id": rec.id, "name": rec.name, "type": DEPLOYMENT_TYPE}
    if rec.tags:
        doc["tags"] = rec.tags
    doc["properties"] = props
    return doc


def render_status(rec: DeploymentRecord) -> dict[str, Any]:
    """The body of the `operationStatuses` poll."""
    doc: dict[str, Any] = {"status": rec.state}
    if rec.error is not None and rec.state in (FAILED, CANCELED):
        doc["error"] = rec.error
    return doc


def render_operation(op: OperationRecord, now: float) -> dict[str, Any]:
    """`DeploymentOperation` JSON."""
    end = op.updated if op.state in TERMINAL else now
    props: dict[str, Any] = {
        "provisioningOperation": op.provisioning_operation,
        "provisioningState": op.state,
        "timestamp": format_timestamp(op.updated),
        "duration": format_duration(end - op.started),
        "trackingId": op.tracking_id,
    }
    if op.target is not None:
        # the resource provider's request id; stable across reads of the same operation
        props["serviceRequestId"] = str(uuid.uuid5(uuid.NAMESPACE_OID, op.tracking_id))
    if op.status_code is not None:
        props["statusCode"] = op.status_code
    if op.error is not None:
        props["statusMessage"] = {"status": FAILED, "error": op.error}
    elif op.provisioning_operation == "EvaluateDeploymentOutput":
        props["statusMessage"] = None  # as recorded (test_group_deployment.yaml, 2019-07-01)
    if op.target is not None:
        props["targetResource"] = op.target
    return {
        "id": f"{op.deployment_id}/operations/{op.operation_id}",
        "operationId": op.operation_id,
        "properties": props,
    }


def resource_error_detail(status_code: str, error: Mapping[str, Any]) -> dict[str, Any]:
    """One entry of the deployment error's `details`: the provider's error as a JSON string,
    the way ARM reports resource failures (Azure/azure-sdk-for-net issue #44008)."""
    text = json.dumps({"error": error}, indent=2).replace("\n", "\r\n")
    return {"code": status_code, "message": text}
