"""Restart the app's active revision, retrying while Azure says another operation runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from orchestrator.deploy.clients import DeployClients, raw
from orchestrator.errors import AzureError

RETRYABLE = {"ContainerAppOperationInProgress", "Conflict", "OperationInProgress"}
MAX_BACKOFF = 30.0


class NotFound(AzureError):
    """The app, revision or resource group is not there (ARM answered 404)."""

    def __init__(self, message: str, *, code: str = "", hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.code = code


@dataclass(frozen=True)
class AppState:
    provisioning: str
    running: str
    revision: str  # the active revision (empty when none)
    fqdn: str
    event_stream: str
    container: str  # the first container's name (its console log is the app's log)


@dataclass(frozen=True)
class Replica:
    name: str
    created: str
    running: str
    ready: bool
    restarts: int
    detail: str


def app_state(clients: DeployClients, group: str, app: str) -> AppState:
    doc = raw(_call(lambda: clients.apps.container_apps.get(group, app), f"read app {app}"))
    props = doc.get("properties") or {}
    revision = _active_revision(clients, group, app, props)
    ingress = (props.get("configuration") or {}).get("ingress") or {}
    return AppState(
        provisioning=str(props.get("provisioningState") or "Unknown"),
        running=str(props.get("runningStatus") or "Unknown"),
        revision=revision,
        fqdn=str(ingress.get("fqdn") or ""),
        event_stream=str(props.get("eventStreamEndpoint") or ""),
        container=str(
            ((props.get("template") or {}).get("containers") or [{}])[0].get("name") or ""
        ),
    )


def _active_revision(clients: DeployClients, group: str, app: str, props: dict[str, Any]) -> str:
    ready = str(props.get("latestReadyRevisionName") or "")
    revisions = _call(
        lambda: [raw(r) for r in clients.apps.container_apps_revisions.list_revisions(group, app)],
        f"list revisions of {app}",
    )
    active = [r["name"] for r in revisions if (r.get("properties") or {}).get("active")]
    if ready in active or (ready and not active):
        return ready
    return active[-1] if active else str(props.get("latestRevisionName") or "")


def replicas(clients: DeployClients, group: str, app: str, revision: str) -> list[Replica]:
    collection = _call(
        lambda: clients.apps.container_apps_revision_replicas.list_replicas(group, app, revision),
        f"list replicas of {revision}",
    )
    return [_replica(raw(r)) for r in (raw(collection).get("value") or [])]


def _replica(doc: dict[str, Any]) -> Replica:
    props = doc.get("properties") or {}
    containers = props.get("containers") or [{}]
    return Replica(
        name=str(doc.get("name") or ""),
        created=str(props.get("createdTime") or ""),
        running=str(props.get("runningState") or "Unknown"),
        ready=bool(containers) and all(bool(c.get("ready")) for c in containers),
        restarts=max(int(c.get("restartCount") or 0) for c in containers),
        detail=str(
            props.get("runningStateDetails") or containers[0].get("runningStateDetails") or ""
        ),
    )


def revision_state(clients: DeployClients, group: str, app: str, revision: str) -> dict[str, Any]:
    doc = raw(
        _call(
            lambda: clients.apps.container_apps_revisions.get_revision(group, app, revision),
            f"read revision {revision}",
        )
    )
    return dict(doc.get("properties") or {})


def restart(
    clients: DeployClients,
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
    from azure.core.exceptions import HttpResponseError

    for attempt in range(attempts):
        try:
            clients.apps.container_apps_revisions.restart_revision(group, app, revision)
            return attempt
        except HttpResponseError as exc:
            code = _code(exc)
            if exc.status_code == 409 and (code in RETRYABLE or not code):
                if attempt + 1 < attempts:
                    wait = min(backoff * 2**attempt, MAX_BACKOFF)
                    report(f"restart refused ({code or 'HTTP 409'}); retrying in {wait:g} s")
                    sleep(wait)
                    continue
                raise AzureError(
                    f"could not restart revision {revision}: still refused after {attempts} "
                    f"attempts ({code or 'HTTP 409'}: another operation on {app} is running)",
                    hint="wait for the other update of the app to finish, then run deploy again",
                ) from exc
            raise _translate(exc, f"restart revision {revision}") from exc
        except Exception as exc:
            raise _translate(exc, f"restart revision {revision}") from exc
    raise AzureError(f"restart of {revision}: still refused after {attempts} attempts")


def _code(exc: Any) -> str:
    return str(getattr(getattr(exc, "error", None), "code", "") or "")


def _call(action: Callable[[], Any], what: str) -> Any:
    try:
        return action()
    except Exception as exc:
        raise _translate(exc, what) from exc


def _translate(exc: Exception, what: str) -> AzureError:
    from azure.core.exceptions import (
        ClientAuthenticationError,
        HttpResponseError,
        ResourceNotFoundError,
        ServiceRequestError,
    )

    if isinstance(exc, ResourceNotFoundError):
        return NotFound(
            f"could not {what}: not found ({_code(exc) or 'HTTP 404'})",
            code=_code(exc),
            hint="check ACA_APP_NAME and RESOURCE_GROUP_NAME in infra/inference.config.json, "
            "or run `orchestrator provision`",
        )
    if isinstance(exc, ClientAuthenticationError):
        return AzureError(f"could not {what}: not signed in or not allowed ({exc.message})")
    if isinstance(exc, HttpResponseError):
        return AzureError(f"could not {what}: {_code(exc) or exc.status_code}: {exc.message}")
    if isinstance(exc, ServiceRequestError):
        return AzureError(f"could not {what}: cannot reach Azure ({exc.message})")
    raise exc
