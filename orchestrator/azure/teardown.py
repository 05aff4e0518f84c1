"""Deleting resources by ID, and reading what is needed to find them (ARM, plain requests).

A DELETE is answered 200 / 204 (done), 202 with `Location` or `Azure-AsyncOperation` (in
progress: `poll` follows it), or 404 (already gone: done as well). A Log Analytics workspace
deleted with `force=True` skips its 14-day soft delete, so its name can be used again
(`DELETE …/workspaces/{name}?force=true`, as azd's `down --purge`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from orchestrator.azure.errors import NotFound
from orchestrator.azure.parse import resource_type_of
from orchestrator.azure.rest import Answer, ArmRest
from orchestrator.azure.wire import JsonObject, text
from orchestrator.errors import AzureError

# The API version each deleted type is addressed with (stable versions).
API_VERSIONS: Mapping[str, str] = {
    "microsoft.app/containerapps": "2024-03-01",
    "microsoft.app/jobs": "2024-03-01",
    "microsoft.app/managedenvironments": "2024-03-01",
    "microsoft.app/managedenvironments/storages": "2024-03-01",
    "microsoft.operationalinsights/workspaces": "2022-10-01",
    "microsoft.storage/storageaccounts": "2023-01-01",
    "microsoft.storage/storageaccounts/fileservices/shares": "2023-01-01",
}
FAILED_STATES = ("failed", "canceled", "cancelled")


def api_version(resource_id: str) -> str:
    return API_VERSIONS.get(resource_type_of(resource_id).lower(), "2024-03-01")


@dataclass(frozen=True)
class Deletion:
    """Where a deletion stands: `done` (deleted or already gone), else `poll_url` to follow."""

    resource_id: str
    done: bool
    poll_url: str = ""
    async_operation: bool = False
    retry_after: float = 0.0
    gone_before: bool = False  # it did not exist when the DELETE arrived


class DeleteFailed(AzureError):
    """The service reported the deletion failed (status document `Failed`)."""


class Teardown:
    """Reads and deletions by resource ID."""

    def __init__(self, rest: ArmRest) -> None:
        self._rest = rest
        self.endpoint = rest.endpoint

    def read(self, resource_id: str) -> JsonObject | None:
        """The resource, or None when it (or its group) does not exist."""
        try:
            return self._rest.get(resource_id, api_version(resource_id), f"reading {resource_id}")
        except NotFound:
            return None

    def delete(self, resource_id: str, *, force: bool = False) -> Deletion:
        params = {"api-version": api_version(resource_id)}
        if force:
            params["force"] = "true"
        try:
            answer = self._rest.send("DELETE", resource_id, f"deleting {resource_id}", params)
        except NotFound:
            return Deletion(resource_id, done=True, gone_before=True)
        return _deletion(resource_id, answer)

    def poll(self, deletion: Deletion) -> Deletion:
        """One look at a deletion in progress."""
        try:
            answer = self._rest.send(
                "GET", deletion.poll_url, f"waiting for {deletion.resource_id}"
            )
        except NotFound:
            return Deletion(deletion.resource_id, done=True)
        if deletion.async_operation:
            status = text(answer.body, "status").lower()
            if status in FAILED_STATES:
                message = text(answer.body, "error", "message") or status
                raise DeleteFailed(
                    f"deleting {deletion.resource_id}: {message}",
                    hint="run `orchestrator destroy` again; it finishes what is left",
                )
            done = status == "succeeded"
            return Deletion(
                deletion.resource_id,
                done,
                deletion.poll_url,
                True,
                answer.retry_after,
            )
        if answer.status == 202:
            url = answer.location or deletion.poll_url
            return Deletion(deletion.resource_id, False, url, False, answer.retry_after)
        return Deletion(deletion.resource_id, done=True)


def _deletion(resource_id: str, answer: Answer) -> Deletion:
    if answer.status == 202 and answer.location:
        return Deletion(
            resource_id,
            False,
            answer.location,
            answer.async_operation,
            answer.retry_after,
        )
    return Deletion(resource_id, done=True, gone_before=answer.status == 204)
