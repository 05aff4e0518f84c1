"""The app's console log, through the Container Apps log stream (as `az containerapp logs`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlencode

from orchestrator.azure.appmodels import AppView, Replica
from orchestrator.deploy.restart import Apps
from orchestrator.errors import AzureError

REPLACEMENT_BACKLOG = 300  # lines of a replacement replica shown first (the API's maximum)


class Http(Protocol):
    def get(self, url: str, headers: Mapping[str, str], timeout: float) -> tuple[int, bytes]: ...
    def stream(self, url: str, headers: Mapping[str, str]) -> Iterator[str]: ...


@dataclass(frozen=True)
class Where:
    """The app whose console is read."""

    subscription: str
    group: str
    app: str


def console_url(view: AppView, where: Where, replica: str) -> str:
    base = view.app.event_stream.split("/subscriptions/", 1)[0]
    if not base:
        raise AzureError(f"app {where.app} reports no eventStreamEndpoint; cannot read its log")
    return (
        f"{base}/subscriptions/{where.subscription}/resourceGroups/{where.group}"
        f"/containerApps/{where.app}/revisions/{view.revision_name}/replicas/{replica}"
        f"/containers/{view.app.container}/logstream"
    )


def _headers(apps: Apps, where: Where) -> dict[str, str]:
    return {"Authorization": f"Bearer {apps.auth_token(where.group, where.app)}"}


def tail(apps: Apps, http: Http, view: AppView, where: Where, lines: int) -> list[str]:
    """The last `lines` console lines of the newest replica (empty when there is none)."""
    replica = view.newest_replica()
    if replica is None:
        return []
    url = console_url(view, where, replica.name)
    query = urlencode({"follow": "false", "tailLines": lines, "output": "text"})
    try:
        status, body = http.get(f"{url}?{query}", _headers(apps, where), 30.0)
    except OSError as exc:  # requests' errors are OSErrors
        raise AzureError(
            f"could not read the log stream of {where.app}: {type(exc).__name__}"
        ) from exc
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
    apps: Apps, http: Http, view: AppView, where: Where, lines: int, how: Follow
) -> Iterator[str]:
    """The newest replica's console, as it is written. When its stream ends (the replica was
    deleted, e.g. by a restart) the next replica's console follows, from its first lines."""
    replica = view.newest_replica()
    if replica is None:
        raise AzureError(f"app {where.app} has no running replica to stream logs from")
    while replica is not None:
        url = console_url(view, where, replica.name)
        yield from _stream(apps, http, url, lines, where)
        gone, lines = replica.name, REPLACEMENT_BACKLOG
        view, replica = _replacement(apps, where, gone, how)
        how.report(
            f"replica {gone} is gone; following {replica.name}"
            if replica is not None
            else f"replica {gone} is gone and none replaced it within {how.patience:g} s"
        )


def _stream(apps: Apps, http: Http, url: str, lines: int, where: Where) -> Iterator[str]:
    query = urlencode({"follow": "true", "tailLines": lines, "output": "text"})
    try:
        yield from http.stream(f"{url}?{query}", _headers(apps, where))
    except OSError as exc:  # requests' errors are OSErrors
        raise AzureError(
            f"the log stream of {where.app} was cut off: {type(exc).__name__}",
            hint="run `orchestrator logs --follow` again",
        ) from exc


def _replacement(
    apps: Apps, where: Where, gone: str, how: Follow
) -> tuple[AppView, Replica | None]:
    deadline = how.now() + how.patience
    while True:
        view = apps.view(where.group, where.app)
        replica = view.newest_replica()
        if replica is not None and replica.name != gone:
            return view, replica
        if how.now() >= deadline:
            return view, None
        how.sleep(how.interval)
