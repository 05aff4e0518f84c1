"""The recorder: deployment and operation records in the store (kind "deployment" and
"deploymentoperation", keys = lower-cased ids), so history survives a restart."""

from __future__ import annotations

from typing import Any

from localcloud.arm.records import DeploymentRecord, OperationRecord, operation_key
from localcloud.cloud import Store

DEPLOYMENT = "deployment"
OPERATION = "deploymentoperation"


def deployments_prefix(subscription: str, resource_group: str) -> str:
    return (
        f"/subscriptions/{subscription}/resourcegroups/{resource_group}"
        "/providers/microsoft.resources/deployments/"
    ).lower()


def deployment_id(subscription: str, resource_group: str, name: str) -> str:
    return (
        f"/subscriptions/{subscription}/resourceGroups/{resource_group}"
        f"/providers/Microsoft.Resources/deployments/{name}"
    )


class History:
    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, dep_id: str) -> DeploymentRecord | None:
        return _deployment(self._store.get(DEPLOYMENT, dep_id.lower()))

    def save(self, rec: DeploymentRecord) -> None:
        self._store.put(DEPLOYMENT, rec.key, rec.to_doc())

    def in_group(self, subscription: str, resource_group: str) -> list[DeploymentRecord]:
        docs = self._store.list(DEPLOYMENT, deployments_prefix(subscription, resource_group))
        return sorted(_deployments(docs), key=lambda r: r.started)

    def everything(self) -> list[DeploymentRecord]:
        return _deployments(self._store.list(DEPLOYMENT))

    def delete(self, rec: DeploymentRecord) -> None:
        for op in self.operations(rec.id):
            self._store.delete(OPERATION, op.key)
        self._store.delete(DEPLOYMENT, rec.key)

    def save_operation(self, op: OperationRecord) -> None:
        self._store.put(OPERATION, op.key, op.to_doc())

    def operations(self, dep_id: str) -> list[OperationRecord]:
        docs = self._store.list(OPERATION, f"{dep_id}/operations/".lower())
        ops = [op for op in map(_operation, docs) if op is not None]
        return sorted(ops, key=lambda o: o.seq)

    def operation(self, dep_id: str, operation_id: str) -> OperationRecord | None:
        return _operation(self._store.get(OPERATION, operation_key(dep_id, operation_id)))


# Unreadable documents (another localcloud version's) count as absent rather than as 500s.
def _deployment(doc: dict[str, Any] | None) -> DeploymentRecord | None:
    try:
        return None if doc is None else DeploymentRecord.from_doc(doc)
    except TypeError:
        return None


def _deployments(docs: list[dict[str, Any]]) -> list[DeploymentRecord]:
    return [rec for rec in map(_deployment, docs) if rec is not None]


def _operation(doc: dict[str, Any] | None) -> OperationRecord | None:
    try:
        return None if doc is None else OperationRecord.from_doc(doc)
    except TypeError:
        return None
