"""The app's console log, through the Container Apps log stream (as `az containerapp logs`)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

from orchestrator.deploy.clients import DeployClients, raw
from orchestrator.deploy.restart import AppState, replicas
from orchestrator.errors import AzureError


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


def _target(
    clients: DeployClients, state: AppState, subscription: str, group: str, app: str
) -> tuple[str, dict[str, str]] | None:
    found = replicas(clients, group, app, state.revision) if state.revision else []
    if not found:
        return None
    newest = max(reversed(found), key=lambda r: r.created)  # ISO 8601 UTC sorts as text
    url = console_url(state, subscription, group, app, newest.name)
    return url, {"Authorization": f"Bearer {_token(clients, group, app)}"}


def tail(
    clients: DeployClients, state: AppState, subscription: str, group: str, app: str, lines: int
) -> list[str]:
    """The last `lines` console lines of the newest replica (empty when there is none)."""
    target = _target(clients, state, subscription, group, app)
    if target is None:
        return []
    url, headers = target
    query = urlencode({"follow": "false", "tailLines": lines, "output": "text"})
    try:
        status, body = clients.http_get(f"{url}?{query}", headers, 30.0)
    except OSError as exc:  # requests' errors are OSErrors
        raise AzureError(f"could not read the log stream of {app}: {type(exc).__name__}") from exc
    if status != 200:
        return [f"(log stream answered {status})"]
    return body.decode("utf-8", errors="replace").splitlines()[-lines:] if lines else []


def follow(
    clients: DeployClients, state: AppState, subscription: str, group: str, app: str, lines: int
) -> Iterator[str]:
    target = _target(clients, state, subscription, group, app)
    if target is None:
        raise AzureError(f"app {app} has no running replica to stream logs from")
    url, headers = target
    query = urlencode({"follow": "true", "tailLines": lines, "output": "text"})
    try:
        yield from clients.http_stream(f"{url}?{query}", headers)
    except OSError as exc:  # requests' errors are OSErrors
        raise AzureError(
            f"the log stream of {app} was cut off: {type(exc).__name__}",
            hint="run `orchestrator logs --follow` again",
        ) from exc
