"""ARM-shaped errors: `{"error": {"code", "message", "target"?, "details"?, "additionalInfo"?}}`
with an HTTP status.

Raise `ArmError` anywhere below a handler; the server turns it into the response Azure would
send. Nothing in localcloud answers a bad request with a 500.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ErrorDetail:
    code: str
    message: str
    target: str | None = None
    details: tuple[ErrorDetail, ...] = ()
    # ARM's `additionalInfo`: [{"type": "TemplateViolation", "info": {...}}, ...]
    additional_info: tuple[Mapping[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.target is not None:
            doc["target"] = self.target
        if self.details:
            doc["details"] = [d.to_json() for d in self.details]
        if self.additional_info:
            doc["additionalInfo"] = [dict(i) for i in self.additional_info]
        return doc

    @staticmethod
    def from_json(doc: Mapping[str, Any]) -> ErrorDetail:
        return ErrorDetail(
            code=str(doc.get("code", "")),
            message=str(doc.get("message", "")),
            target=doc.get("target"),
            details=tuple(ErrorDetail.from_json(d) for d in doc.get("details") or ()),
            additional_info=tuple(
                i for i in doc.get("additionalInfo") or () if isinstance(i, Mapping)
            ),
        )


@dataclass
class ArmError(Exception):
    status: int
    code: str
    message: str
    target: str | None = None
    details: Sequence[ErrorDetail] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    additional_info: Sequence[Mapping[str, Any]] = ()

    def __post_init__(self) -> None:
        super().__init__(f"{self.code}: {self.message}")

    @property
    def detail(self) -> ErrorDetail:
        return ErrorDetail(
            self.code,
            self.message,
            self.target,
            tuple(self.details),
            tuple(self.additional_info),
        )

    def body(self) -> dict[str, Any]:
        return {"error": self.detail.to_json()}


def not_found(kind: str, name: str) -> ArmError:
    """404 in Azure's words for the kinds localcloud serves."""
    if kind == "resourcegroup":
        return ArmError(
            404, "ResourceGroupNotFound", f"Resource group '{name}' could not be found."
        )
    if kind == "deployment":
        return ArmError(404, "DeploymentNotFound", f"Deployment '{name}' could not be found.")
    return ArmError(
        404,
        "ResourceNotFound",
        f"The Resource '{name}' under resource group was not found. For more details please go "
        "to https://aka.ms/ARMResourceNotFoundFix",
    )
