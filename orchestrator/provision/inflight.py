"""`.orchestrator/inflight.json`: the deployment being watched, so `attach` can resume.

Written atomically right after the create is accepted, removed once its outputs are recorded
(or it failed). A crash or Ctrl-C leaves it behind on purpose.
"""

from __future__ import annotations

import contextlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from orchestrator.errors import InputError
from orchestrator.jsonio import load_json, write_json_atomic
from orchestrator.provision.outputs import OutputSpec
from orchestrator.workspace import Workspace

FILE_NAME = "inflight.json"
INFERENCE = "inference"  # the template whose record is `inflight.json` (what `attach` reads)


@dataclass(frozen=True)
class InflightRecord:
    cloud: str
    subscription: str
    resource_group: str
    deployment: str
    deployment_id: str
    started_at: str
    param_hash: str
    outputs: tuple[OutputSpec, ...] = ()

    def to_json(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["outputs"] = [{"name": o.name, "secure": o.secure} for o in self.outputs]
        return doc

    @classmethod
    def from_json(cls, doc: Any, shown: str) -> InflightRecord:
        if not isinstance(doc, dict):
            raise InputError(f"{shown}: expected a JSON object")
        try:
            outputs = tuple(
                OutputSpec(str(o["name"]), bool(o.get("secure"))) for o in doc.get("outputs", [])
            )
            return cls(
                cloud=str(doc["cloud"]),
                subscription=str(doc["subscription"]),
                resource_group=str(doc["resource_group"]),
                deployment=str(doc["deployment"]),
                deployment_id=str(doc.get("deployment_id", "")),
                started_at=str(doc.get("started_at", "")),
                param_hash=str(doc.get("param_hash", "")),
                outputs=outputs,
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise InputError(
                f"{shown}: not an in-flight record ({exc})",
                hint="delete it and use `orchestrator attach --deployment NAME`",
            ) from None


def path_for(workspace: Workspace, template: str = INFERENCE) -> Path:
    """`inflight.json` for the inference template, `<template>-inflight.json` for another."""
    name = FILE_NAME if template == INFERENCE else f"{template}-{FILE_NAME}"
    return workspace.state_dir / name


def record(workspace: Workspace, entry: InflightRecord, template: str = INFERENCE) -> None:
    workspace.ensure_state_dir()
    write_json_atomic(path_for(workspace, template), entry.to_json())


def read(workspace: Workspace, template: str = INFERENCE) -> InflightRecord | None:
    """The recorded in-flight deployment, or None when nothing is in flight."""
    path = path_for(workspace, template)
    if not path.is_file():
        return None
    shown = workspace.shown(path)
    return InflightRecord.from_json(load_json(path, shown), shown)


def clear(workspace: Workspace, deployment: str, template: str = INFERENCE) -> None:
    """Remove the record if it still names `deployment` (another run may have replaced it)."""
    current = None
    with contextlib.suppress(InputError):
        current = read(workspace, template)
    if current is not None and current.deployment == deployment:
        with contextlib.suppress(FileNotFoundError):
            path_for(workspace, template).unlink()
