"""The two tables Container Apps writes to a Log Analytics workspace, and how a console line
or a system event becomes a row (pure).

Column names follow the classic custom-log tables (`_s` string, `_t` datetime, `_d` real,
`_g` guid) that the portal's queries use: `ContainerAppConsoleLogs_CL` (`Log_s`, `time_t`,
`ContainerGroupName_s` = the replica, `ContainerJobName_s` for jobs) and
`ContainerAppSystemLogs_CL` (`Reason_s`, `Log_s`, `ReplicaName_s`, `JobName_s`,
`ExecutionName_s`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

CONSOLE = "ContainerAppConsoleLogs_CL"
SYSTEM = "ContainerAppSystemLogs_CL"

# (name, type) in the order a query without `project` returns them.
SCHEMAS: dict[str, tuple[tuple[str, str], ...]] = {
    CONSOLE: (
        ("TenantId", "string"),
        ("SourceSystem", "string"),
        ("TimeGenerated", "datetime"),
        ("time_t", "datetime"),
        ("_timestamp_d", "real"),
        ("EnvironmentName_s", "string"),
        ("ContainerAppName_s", "string"),
        ("ContainerJobName_s", "string"),
        ("RevisionName_s", "string"),
        ("ContainerGroupName_s", "string"),
        ("ContainerGroupId_g", "guid"),
        ("ContainerName_s", "string"),
        ("ContainerId_s", "string"),
        ("ContainerImage_s", "string"),
        ("Stream_s", "string"),
        ("Log_s", "string"),
        ("Type", "string"),
        ("_ResourceId", "string"),
    ),
    SYSTEM: (
        ("TenantId", "string"),
        ("SourceSystem", "string"),
        ("TimeGenerated", "datetime"),
        ("time_t", "datetime"),
        ("_timestamp_d", "real"),
        ("EnvironmentName_s", "string"),
        ("ContainerAppName_s", "string"),
        ("RevisionName_s", "string"),
        ("ReplicaName_s", "string"),
        ("JobName_s", "string"),
        ("ExecutionName_s", "string"),
        ("Log_s", "string"),
        ("Reason_s", "string"),
        ("EventSource_s", "string"),
        ("Type_s", "string"),
        ("Count_d", "real"),
        ("Type", "string"),
        ("_ResourceId", "string"),
    ),
}


@dataclass(frozen=True)
class Source:
    """Where a line came from: an app revision or a job execution, and its environment."""

    workspace: str  # the Log Analytics customerId
    tenant: str
    resource_id: str
    environment: str
    app: str  # the container app, or the job
    job: bool
    image: str


def console_row(
    source: Source,
    when: datetime,
    revision: str,
    replica: str,
    container: str,
    text: str,
) -> dict[str, Any]:
    return {
        **_common(source, when, CONSOLE),
        "ContainerJobName_s": source.app if source.job else "",
        "RevisionName_s": "" if source.job else revision,
        "ContainerGroupName_s": replica,
        "ContainerGroupId_g": str(uuid.uuid5(uuid.NAMESPACE_URL, replica)),
        "ContainerName_s": container,
        "ContainerId_s": "",
        "ContainerImage_s": source.image,
        "Stream_s": "stdout",
        "Log_s": text,
    }


def system_row(
    source: Source,
    when: datetime,
    revision: str,
    replica: str,
    reason: str,
    message: str,
    warning: bool,
) -> dict[str, Any]:
    return {
        **_common(source, when, SYSTEM),
        "RevisionName_s": "" if source.job else revision,
        "ReplicaName_s": replica,
        "JobName_s": source.app if source.job else "",
        "ExecutionName_s": revision if source.job else "",
        "Log_s": message,
        "Reason_s": reason,
        "EventSource_s": "ContainerAppController",
        "Type_s": "Warning" if warning else "Normal",
        "Count_d": 1.0,
    }


def _common(source: Source, when: datetime, table: str) -> dict[str, Any]:
    return {
        "TenantId": source.tenant,
        "SourceSystem": "RestAPI",
        "TimeGenerated": when,
        "time_t": when,
        "_timestamp_d": when.timestamp(),
        "EnvironmentName_s": source.environment,
        "ContainerAppName_s": source.app,
        "Type": table,
        "_ResourceId": source.resource_id.lower(),
    }
