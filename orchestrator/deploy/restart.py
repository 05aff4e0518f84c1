"""Restart the app's active revision, retrying while Azure says another operation runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from orchestrator.azure.appmodels import AppView, Replica, Revision
from orchestrator.azure.errors import Conflict
from orchestrator.errors import AzureError

RETRYABLE = frozenset({"containerappoperationinprogress", "conflict", "operationinprogress"})
MAX_BACKOFF = 30.0


class Apps(Protocol):
    """What deploy and logs need of Container Apps (`orchestrator.azure.containerapps`)."""

    def view(self, group: str, name: str, *, with_replicas: bool = True) -> AppView: ...
    def revision(self, group: str, app: str, name: str) -> Revision: ...
    def replicas(self, group: str, app: str, revision: str) -> list[Replica]: ...
    def restart_revision(self, group: str, app: str, revision: str) -> None: ...
    def auth_token(self, group: str, app: str) -> str: ...


def restart(
    apps: Apps,
    group: str,
    app: str,
    revision: str,
    *,
    sleep: Callable[[float], None],
    report: Callable[[str], None] = lambda _text: None,
    backoff: float = 1.0,
    attempts: int = 8,
) -> int:
    """Restart `revision`; returns how many 409s were waited out (waits `backoff`, doubled
    per attempt up to MAX_BACKOFF seconds)."""
    for attempt in range(attempts):
        try:
            apps.restart_revision(group, app, revision)
            return attempt
        except Conflict as exc:
            if exc.code and exc.code.lower() not in RETRYABLE:
                raise
            said = exc.code or "HTTP 409"
            if attempt + 1 >= attempts:
                raise AzureError(
                    f"could not restart revision {revision}: still refused after {attempts} "
                    f"attempts ({said}: another operation on {app} is running)",
                    hint="wait for the other update of the app to finish, then run deploy again",
                ) from exc
            wait = min(backoff * 2**attempt, MAX_BACKOFF)
            report(f"restart refused ({said}); retrying in {wait:g} s")
            sleep(wait)
    raise AzureError(f"restart of {revision}: still refused after {attempts} attempts")
