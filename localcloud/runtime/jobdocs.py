"""Job executions and their replicas in Azure's shapes, and the `$filter` of an execution
list (pure, no I/O). Shapes: Jobs.json 2025-07-01 (`JobExecution`, `ContainerAppJobExecutions`)
and the az CLI's `GET .../executions/{exec}/replicas` (a ReplicaCollection, as for apps)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from localcloud.ids import ResourceId
from localcloud.runtime.jobreplica import JobReplicaStatus
from localcloud.runtime.logs import iso

EXECUTION_TYPE = "Microsoft.App/jobs/executions"
REPLICA_TYPE = "Microsoft.App/jobs/executions/replicas"


class FilterError(ValueError):
    """A `$filter` this emulator does not understand (answered with 400)."""


def execution_time(moment: datetime) -> str:
    """`2023-02-13T20:37:30+00:00`, as the service writes startTime / endTime."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def execution_doc(
    execution: ResourceId,
    status: str,
    started: datetime,
    ended: datetime | None,
    template: Mapping[str, Any],
) -> dict[str, Any]:
    props: dict[str, Any] = {"status": status, "startTime": execution_time(started)}
    if ended is not None:
        props["endTime"] = execution_time(ended)
    props["template"] = dict(template)
    return {
        "id": execution.id,
        "name": execution.name,
        "type": EXECUTION_TYPE,
        "properties": props,
    }


def logstream_url(base_url: str, job: ResourceId, execution: str, replica: str, c: str) -> str:
    return (
        f"{base_url}/logstream/subscriptions/{job.subscription}/resourceGroups/"
        f"{job.resource_group}/jobs/{job.name}/executions/{execution}/replicas/{replica}"
        f"/containers/{c}/logstream"
    )


def replica_doc(
    job: ResourceId, execution: str, status: JobReplicaStatus, base_url: str
) -> dict[str, Any]:
    running = status.state == "Running"
    container = {
        "name": status.container,
        "containerId": f"localcloud://{status.pid}" if status.pid else "",
        "ready": running,
        "started": status.state != "Waiting",
        "restartCount": 0,
        "runningState": status.state,
        "runningStateDetails": status.details,
        "logStreamEndpoint": logstream_url(base_url, job, execution, status.name, status.container),
        "execEndpoint": "",
    }
    return {
        "id": f"{job.id}/executions/{execution}/replicas/{status.name}",
        "name": status.name,
        "type": REPLICA_TYPE,
        "properties": {
            "createdTime": iso(status.created),
            "runningState": "Running" if running else "NotRunning",
            "runningStateDetails": status.details,
            "containers": [container],
            "initContainers": [],
        },
    }


def newest_first(docs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return sorted(
        (dict(d) for d in docs),
        key=lambda d: str((d.get("properties") or {}).get("startTime") or ""),
        reverse=True,
    )


# -- $filter ---------------------------------------------------------------------------------
_CLAUSE = re.compile(
    r"^\s*(?P<field>[\w/]+)\s+(?P<op>eq|ne|gt|ge|lt|le)\s+'(?P<value>[^']*)'\s*$", re.IGNORECASE
)
_FIELDS = {
    "status": ("properties", "status"),
    "properties/status": ("properties", "status"),
    "name": ("name",),
    "starttime": ("properties", "startTime"),
    "properties/starttime": ("properties", "startTime"),
}
Predicate = Callable[[Mapping[str, Any]], bool]


def parse_filter(text: str | None) -> Predicate:
    """`status eq 'Running'`, `name ne 'x'`, `startTime ge '2026-01-01T00:00:00Z'`, joined by
    `and` / `or` (`and` binds tighter). Values compare case-insensitively as text."""
    if not text or not text.strip():
        return lambda _doc: True
    alternatives = re.split(r"\s+or\s+", text.strip(), flags=re.IGNORECASE)
    groups = [
        [_clause(c) for c in re.split(r"\s+and\s+", a, flags=re.IGNORECASE)] for a in alternatives
    ]
    return lambda doc: any(all(p(doc) for p in group) for group in groups)


def _clause(text: str) -> Predicate:
    match = _CLAUSE.match(text)
    if match is None or match["field"].lower() not in _FIELDS:
        raise FilterError(
            f"Unsupported $filter clause '{text.strip()}': use <field> <op> '<value>' with field "
            "status, name or startTime and op eq, ne, gt, ge, lt or le."
        )
    path, op, wanted = _FIELDS[match["field"].lower()], match["op"].lower(), match["value"].lower()

    def predicate(doc: Mapping[str, Any]) -> bool:
        value: Any = doc
        for key in path:
            value = value.get(key) if isinstance(value, Mapping) else None
        have = str(value or "").lower()
        return _compare(have, op, wanted)

    return predicate


def _compare(have: str, op: str, wanted: str) -> bool:
    match op:
        case "eq":
            return have == wanted
        case "ne":
            return have != wanted
        case "gt":
            return have > wanted
        case "ge":
            return have >= wanted
        case "lt":
            return have < wanted
        case _:
            return have <= wanted
