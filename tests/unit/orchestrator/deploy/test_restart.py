"""restart.restart: which refusals are waited out, how long, and what the user is told."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from azure.core.exceptions import HttpResponseError, ODataV4Format, ResourceNotFoundError

from orchestrator.deploy import restart
from orchestrator.deploy.clients import DeployClients, retry_backoff
from orchestrator.errors import AzureError


def refusal(status: int, code: str, kind: type[HttpResponseError] = HttpResponseError) -> Exception:
    exc = kind(message=f"{code}: refused")
    exc.status_code = status
    exc.error = ODataV4Format({"error": {"code": code, "message": "refused"}})
    return exc


class Revisions:
    """The one SDK call restart() makes, failing with `failures` first."""

    def __init__(self, failures: list[Exception]) -> None:
        self.failures = failures
        self.calls = 0

    def restart_revision(self, group: str, app: str, revision: str) -> None:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)


def clients(revisions: Revisions) -> DeployClients:
    apps = SimpleNamespace(container_apps_revisions=revisions)
    return DeployClients(
        None, apps, lambda *a: None, lambda *a: (0, b""), lambda *a: iter(()), None
    )


def test_operation_in_progress_is_waited_out_with_a_doubling_backoff_and_reported() -> None:
    busy = Revisions([refusal(409, "ContainerAppOperationInProgress") for _ in range(3)])
    slept: list[float] = []
    said: list[str] = []
    waited = restart.restart(
        clients(busy), "rg", "app", "app--1", sleep=slept.append, report=said.append, backoff=0.5
    )
    assert waited == 3 and busy.calls == 4
    assert slept == [0.5, 1.0, 2.0]
    assert said[0] == "restart refused (ContainerAppOperationInProgress); retrying in 0.5 s"


def test_a_refusal_that_never_clears_ends_with_a_clear_error() -> None:
    busy = Revisions([refusal(409, "ContainerAppOperationInProgress") for _ in range(9)])
    with pytest.raises(AzureError) as caught:
        restart.restart(clients(busy), "rg", "app", "app--1", sleep=lambda s: None, attempts=3)
    assert "still refused after 3 attempts" in caught.value.message
    assert busy.calls == 3


def test_other_conflicts_are_not_retried() -> None:
    other = Revisions([refusal(409, "ContainerAppInvalidRevisionName")])
    with pytest.raises(AzureError) as caught:
        restart.restart(clients(other), "rg", "app", "app--1", sleep=lambda s: None)
    assert "ContainerAppInvalidRevisionName" in caught.value.message
    assert other.calls == 1


def test_a_missing_revision_is_not_found_with_its_code() -> None:
    gone = Revisions([refusal(404, "ContainerAppRevisionNotFound", ResourceNotFoundError)])
    with pytest.raises(restart.NotFound) as caught:
        restart.restart(clients(gone), "rg", "app", "app--1", sleep=lambda s: None)
    assert caught.value.code == "ContainerAppRevisionNotFound"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, 1.0),
        ({"ORCHESTRATOR_RETRY_BACKOFF": "0.05"}, 0.05),
        ({"ORCHESTRATOR_RETRY_BACKOFF": "soon"}, 1.0),
        ({"ORCHESTRATOR_RETRY_BACKOFF": "-1"}, 1.0),
        ({"ORCHESTRATOR_RETRY_BACKOFF": "3600"}, 1.0),
    ],
)
def test_retry_backoff_setting(env: dict[str, str], expected: float) -> None:
    assert retry_backoff(env) == expected
