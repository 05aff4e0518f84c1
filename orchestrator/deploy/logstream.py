"""The app's console log, through the Container Apps log stream (as `az containerapp logs`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

from orchestrator.deploy.clients import DeployClients, raw
from orchestrator.deploy.restart import AppState, Replica, app_state, replicas
from orchestrator.errors import AzureError

REPLACEMENT_BACKLOG = 300  # lines of a replacement replica shown first (the API's maximum)


def console_url(state: AppState, subscription: str, group: str, app: str, replica: str) -> str:
    base = state.event_stream.split("/subscriptions/", 1)[0]
    if not base:
        raise AzureError(f"app {app} reports no eventStreamEndpoint; cannot read its log")
    return (
        f"{base}/subscriptions/{subscription}/resourceGroups/{group}/containerApps/{app}"
        f"/revisions/{state.revision}/replicas/{replica}/containers/{state.container}/logstream"
    )


def _token(clients: DeployClients, group: str, app: str) -> str:
    try:
        doc = raw(clients.apps.container_apps.get_auth_token(group, app))
    except Exception as exc:
        raise AzureError(f"could not get a log-stream token for {app}: {exc}") from exc
    return str((doc.get("properties") or {}).get("token") or "")


def _newest(clients: DeployClients, state: AppState, group: str, app: str) -> Replica | None:
    found = replicas(clients, group, app, state.revision) if state.revision else []
    return max(reversed(found), key=lambda r: r.created) if found else None  # ISO times sort


def _headers(clients: DeployClients, group: str, app: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {_token(clients, group, app)}"}


def tail(
    clients: DeployClients, state: AppState, subscription: str, group: str, app: str, lines: int
) -> list[str]:
    """The last `lines` console lines of the newest replica (empty when there is none)."""
    replica = _newest(clients, state, group, app)
    if replica is None:
        return []
    url = console_url(state, subscription, group, app, replica.name)
    query = urlencode({"follow": "false", "tailLines": lines, "output": "text"})
    try:
        status, body = clients.http_get(f"{url}?{query}", _headers(clients, group, app), 30.0)
    except OSError as exc:  # requests' errors are OSErrors
        raise AzureError(f"could not read the log stream of {app}: {type(exc).__name__}") from exc
    if status != 200:
        return [f"(log stream answered {status})"]
    return body.decode("utf-8", errors="replace").splitlines()[-lines:] if lines else []


@dataclass(frozen=True)
class Follow:
    """How `follow` waits for the next replica once the followed one is gone."""

    report: Callable[[str], None]
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], float] = time.monotonic
    patience: float = 300.0  # seconds to wait for a replacement replica
    interval: float = 1.0


def follow(
    clients: DeployClients,
    state: AppState,
    subscription: str,
    group: str,
    app: str,
    lines: int,
    how: Follow,
) -> Iterator[str]:
    """The newest replica's console, as it is written. When its stream ends (the replica was
    deleted, e.g. by a restart) the next replica's console follows, from its first lines."""
    replica = _newest(clients, state, group, app)
    if replica is None:
        raise AzureError(f"app {app} has no running replica to stream logs from")
    while replica is not None:
        url = console_url(state, subscription, group, app, replica.name)
        yield from _stream(clients, url, lines, group, app)
        gone, lines = replica.name, REPLACEMENT_BACKLOG
        state, replica = _replacement(clients, group, app, gone, how)
        how.report(
            f"replica {gone} is gone; following {replica.name}"
            if replica is not None
            else f"replica {gone} is gone and none replaced it within {how.patience:g} s"
        )


def _stream(clients: DeployClients, url: str, lines: int, group: str, app: str) -> Iterator[str]:
    query = urlencode({"follow": "true", "tailLines": lines, "output": "text"})
    try:
        yield from clients.http_stream(f"{url}?{query}", _headers(clients, group, app))
    except OSError as exc:  # requests' errors are OSErrors
        raise AzureError(
            f"the log stream of {app} was cut off: {type(exc).__name__}",
            hint="run `orchestrator logs --follow` again",
        ) from exc


def _replacement(
    clients: DeployClients, group: str, app: str, gone: str, how: Follow
) -> tuple[AppState, Replica | None]:
    deadline = how.now() + how.patience
    while True:
        state = app_state(clients, group, app)
        replica = _newest(clients, state, group, app)
        if replica is not None and replica.name != gone:
            return state, replica
        if how.now() >= deadline:
            return state, None
        how.sleep(how.interval)
