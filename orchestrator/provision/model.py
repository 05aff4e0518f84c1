"""Plain data for what ARM reports: deployments and their operations (no I/O).

`arm.py` turns SDK models into these (through their wire-format dicts), so every decision
and every display works on frozen dataclasses and can be tested without a client.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

TERMINAL_STATES = frozenset({"succeeded", "failed", "canceled"})

_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?"
    r"(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: object) -> float | None:
    """ISO-8601 duration (`PT20.7905082S`) in seconds; None when absent or malformed."""
    if not isinstance(text, str):
        return None
    match = _DURATION.match(text.strip().upper())
    if not match or text.strip().upper() in ("P", "PT"):
        return None
    parts = {k: float(v) for k, v in match.groupdict().items() if v}
    return (
        parts.get("d", 0.0) * 86400
        + parts.get("h", 0.0) * 3600
        + parts.get("m", 0.0) * 60
        + parts.get("s", 0.0)
    )


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _map(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


@dataclass(frozen=True)
class DeploymentSnapshot:
    """One GET of a deployment (or one entry of the deployments list)."""

    name: str
    id: str
    state: str
    timestamp: str = ""
    duration: float | None = None
    template_hash: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)
    outputs: Mapping[str, Any] = field(default_factory=dict)
    output_resources: tuple[str, ...] = ()
    error: Mapping[str, Any] | None = None

    @property
    def is_terminal(self) -> bool:
        return self.state.lower() in TERMINAL_STATES

    @property
    def succeeded(self) -> bool:
        return self.state.lower() == "succeeded"


@dataclass(frozen=True)
class OperationSnapshot:
    """One deployment operation: a resource being created, read or evaluated."""

    operation_id: str
    operation: str  # Create, Read, EvaluateDeploymentOutput, ...
    state: str
    resource_type: str = ""
    resource_name: str = ""
    resource_id: str = ""
    timestamp: str = ""
    duration: float | None = None
    status_code: str = ""
    status_message: Any = None

    @property
    def is_terminal(self) -> bool:
        return self.state.lower() in TERMINAL_STATES

    @property
    def failed(self) -> bool:
        return self.state.lower() == "failed"

    @property
    def has_resource(self) -> bool:
        return bool(self.resource_type)


def deployment_from_wire(doc: Mapping[str, Any]) -> DeploymentSnapshot:
    props = _map(doc.get("properties"))
    tags = {str(k): str(v) for k, v in _map(doc.get("tags")).items()}
    resources = props.get("outputResources")
    error = props.get("error")
    return DeploymentSnapshot(
        name=_str(doc.get("name")),
        id=_str(doc.get("id")),
        state=_str(props.get("provisioningState")) or "Unknown",
        timestamp=_str(props.get("timestamp")),
        duration=parse_duration(props.get("duration")),
        template_hash=_str(props.get("templateHash")),
        tags=tags,
        outputs=dict(_map(props.get("outputs"))),
        output_resources=tuple(
            _str(r.get("id")) for r in resources if isinstance(r, Mapping) and r.get("id")
        )
        if isinstance(resources, list)
        else (),
        error=dict(error) if isinstance(error, Mapping) else None,
    )


def operation_from_wire(doc: Mapping[str, Any]) -> OperationSnapshot:
    props = _map(doc.get("properties"))
    target = _map(props.get("targetResource"))
    return OperationSnapshot(
        operation_id=_str(doc.get("operationId")) or _str(doc.get("id")).rsplit("/", 1)[-1],
        operation=_str(props.get("provisioningOperation")),
        state=_str(props.get("provisioningState")) or "Unknown",
        resource_type=_str(target.get("resourceType")),
        resource_name=_str(target.get("resourceName")),
        resource_id=_str(target.get("id")),
        timestamp=_str(props.get("timestamp")),
        duration=parse_duration(props.get("duration")),
        status_code=_str(props.get("statusCode")),
        status_message=props.get("statusMessage"),
    )
