"""What the deployment adapters return: deployments, their operations, preflight answers and ARM's
error trees (`ErrorDetail`), as frozen dataclasses (no I/O, no SDK types)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

TERMINAL_STATES = frozenset({"succeeded", "failed", "canceled"})


# --- errors ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorDetail:
    """One node of an ARM error tree (`{"code", "message", "target", "details": [...]}`).

    A message that is itself a JSON error document (resource providers do that) is parsed
    into `details` when the tree is read, so the tree is walked once, typed."""

    code: str
    message: str
    target: str = ""
    details: tuple[ErrorDetail, ...] = ()


# --- deployments ----------------------------------------------------------------------------


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
    outputs: Mapping[str, object] = field(default_factory=dict)  # ARM's {name: {type, value}}
    output_resources: tuple[str, ...] = ()
    error: ErrorDetail | None = None

    @property
    def is_terminal(self) -> bool:
        return self.state.lower() in TERMINAL_STATES

    @property
    def succeeded(self) -> bool:
        return self.state.lower() == "succeeded"

    @property
    def canceled(self) -> bool:
        return self.state.lower() == "canceled"


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
    status_message: ErrorDetail | None = None

    @property
    def is_terminal(self) -> bool:
        return self.state.lower() in TERMINAL_STATES

    @property
    def failed(self) -> bool:
        return self.state.lower() == "failed"

    @property
    def has_resource(self) -> bool:
        return bool(self.resource_type)


@dataclass(frozen=True)
class Preflight:
    """ARM's answer to a validate request that it accepted: its warnings."""

    warnings: tuple[str, ...] = ()
