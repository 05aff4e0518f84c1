"""restart.restart: which refusals are waited out, how long, and what the user is told."""

from __future__ import annotations

import pytest

from orchestrator.azure.appmodels import AppView, Replica, Revision
from orchestrator.azure.errors import ArmRequestError, Conflict, NotFound
from orchestrator.deploy import restart
from orchestrator.errors import AzureError, InputError
from orchestrator.settings import retry_backoff


def refusal(status: int, code: str) -> ArmRequestError:
    kind = {404: NotFound, 409: Conflict}.get(status, ArmRequestError)
    return kind(f"restarting revision app--1: {code}: refused", code=code, status=status)


class Revisions:
    """The one call restart() makes, failing with `failures` first (the Apps protocol)."""

    def __init__(self, failures: list[Exception]) -> None:
        self.failures = failures
        self.calls = 0

    def restart_revision(self, group: str, app: str, revision: str) -> None:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)

    def view(self, group: str, name: str, *, with_replicas: bool = True) -> AppView:
        raise AssertionError("not read by restart")

    def revision(self, group: str, app: str, name: str) -> Revision:
        raise AssertionError("not read by restart")

    def replicas(self, group: str, app: str, revision: str) -> list[Replica]:
        raise AssertionError("not read by restart")

    def auth_token(self, group: str, app: str) -> str:
        raise AssertionError("not read by restart")


def test_operation_in_progress_is_waited_out_with_a_doubling_backoff_and_reported() -> None:
    busy = Revisions([refusal(409, "ContainerAppOperationInProgress") for _ in range(3)])
    slept: list[float] = []
    said: list[str] = []
    waited = restart.restart(
        busy, "rg", "app", "app--1", sleep=slept.append, report=said.append, backoff=0.5
    )
    assert waited == 3 and busy.calls == 4
    assert slept == [0.5, 1.0, 2.0]
    assert said[0] == "restart refused (ContainerAppOperationInProgress); retrying in 0.5 s"


def test_a_refusal_that_never_clears_ends_with_a_clear_error() -> None:
    busy = Revisions([refusal(409, "ContainerAppOperationInProgress") for _ in range(9)])
    with pytest.raises(AzureError) as caught:
        restart.restart(busy, "rg", "app", "app--1", sleep=lambda s: None, attempts=3)
    assert "still refused after 3 attempts" in caught.value.message
    assert busy.calls == 3


def test_other_conflicts_are_not_retried() -> None:
    other = Revisions([refusal(409, "ContainerAppInvalidRevisionName")])
    with pytest.raises(AzureError) as caught:
        restart.restart(other, "rg", "app", "app--1", sleep=lambda s: None)
    assert "ContainerAppInvalidRevisionName" in caught.value.message
    assert other.calls == 1


def test_a_missing_revision_is_not_found_with_its_code() -> None:
    gone = Revisions([refusal(404, "ContainerAppRevisionNotFound")])
    with pytest.raises(NotFound) as caught:
        restart.restart(gone, "rg", "app", "app--1", sleep=lambda s: None)
    assert caught.value.code == "ContainerAppRevisionNotFound"


@pytest.mark.parametrize(
    ("text", "expected"), [("", 1.0), (" ", 1.0), ("0.05", 0.05), ("60", 60.0)]
)
def test_retry_backoff_setting(text: str, expected: float) -> None:
    assert retry_backoff(text) == expected


@pytest.mark.parametrize("text", ["soon", "-1", "3600", "nan", "inf"])
def test_a_bad_retry_backoff_is_an_input_error(text: str) -> None:
    with pytest.raises(
        InputError, match=r"ORCHESTRATOR_RETRY_BACKOFF=.*expected seconds from 0 to 60"
    ):
        retry_backoff(text)
