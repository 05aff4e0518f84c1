"""Wire documents (what Azure sent) → `models` dataclasses (pure; used by the adapters)."""

from __future__ import annotations

import json
import re

from orchestrator.azure.models import DeploymentSnapshot, ErrorDetail, OperationSnapshot
from orchestrator.azure.wire import as_object, at, objects, text

_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?"
    r"(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)
_MAX_DEPTH = 32


def parse_duration(value: object) -> float | None:
    """ISO-8601 duration (`PT20.7905082S`) in seconds; None when absent or malformed."""
    if not isinstance(value, str):
        return None
    match = _DURATION.match(value.strip().upper())
    if not match or value.strip().upper() in ("P", "PT"):
        return None
    parts = {k: float(v) for k, v in match.groupdict().items() if v}
    seconds = parts.get("h", 0.0) * 3600 + parts.get("m", 0.0) * 60 + parts.get("s", 0.0)
    return parts.get("d", 0.0) * 86400 + seconds


def _json_message(message: str) -> object:
    stripped = message.strip()
    if not stripped.startswith("{"):
        return None
    try:
        return json.loads(stripped)
    except ValueError:
        return None


def error_from_wire(node: object, depth: int = 0) -> ErrorDetail | None:
    """An ARM error tree, typed. Accepts `{"error": {...}}`, `{"status", "error"}` wrappers,
    a bare string (a status message) and JSON documents inside messages."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(node, str):
        parsed = _json_message(node)
        inner = error_from_wire(parsed, depth + 1) if parsed is not None else None
        return ErrorDetail("", node, details=(inner,) if inner else ())
    doc = as_object(node)
    if not doc:
        return None
    if isinstance(doc.get("error"), dict) and "code" not in doc:
        return error_from_wire(doc["error"], depth + 1)
    message = text(doc, "message")
    children: list[ErrorDetail] = []
    parsed = _json_message(message)
    if parsed is not None:
        inner = error_from_wire(parsed, depth + 1)
        children += [inner] if inner else []
    for detail in objects(doc.get("details")):
        child = error_from_wire(detail, depth + 1)
        children += [child] if child else []
    return ErrorDetail(text(doc, "code"), message, text(doc, "target"), tuple(children))


def deployment_from_wire(doc: object) -> DeploymentSnapshot:
    props = as_object(at(doc, "properties"))
    tags = {str(k): str(v) for k, v in as_object(at(doc, "tags")).items()}
    return DeploymentSnapshot(
        name=text(doc, "name"),
        id=text(doc, "id"),
        state=text(props, "provisioningState") or "Unknown",
        timestamp=text(props, "timestamp"),
        duration=parse_duration(props.get("duration")),
        template_hash=text(props, "templateHash"),
        tags=tags,
        outputs=dict(as_object(props.get("outputs"))),
        output_resources=tuple(
            text(r, "id") for r in objects(props.get("outputResources")) if text(r, "id")
        ),
        error=error_from_wire(props.get("error")),
    )


def operation_from_wire(doc: object) -> OperationSnapshot:
    props = as_object(at(doc, "properties"))
    target = as_object(props.get("targetResource"))
    return OperationSnapshot(
        operation_id=text(doc, "operationId") or text(doc, "id").rsplit("/", 1)[-1],
        operation=text(props, "provisioningOperation"),
        state=text(props, "provisioningState") or "Unknown",
        resource_type=text(target, "resourceType"),
        resource_name=text(target, "resourceName"),
        resource_id=text(target, "id"),
        timestamp=text(props, "timestamp"),
        duration=parse_duration(props.get("duration")),
        status_code=text(props, "statusCode"),
        status_message=error_from_wire(props.get("statusMessage")),
    )


def resource_type_of(resource_id: str) -> str:
    """`/subscriptions/S/resourceGroups/G/providers/Microsoft.Storage/storageAccounts/a/
    fileServices/default/shares/s` → `Microsoft.Storage/storageAccounts/fileServices/shares`."""
    parts = resource_id.strip("/").split("/")
    lowered = [p.lower() for p in parts]
    if "providers" not in lowered:
        return ""
    index = len(lowered) - 1 - lowered[::-1].index("providers")
    rest = parts[index + 1 :]
    if not rest:
        return ""
    types = [rest[0], *rest[1::2]]
    return types[0] + "/" + "/".join(types[1:]) if len(types) > 1 else types[0]
