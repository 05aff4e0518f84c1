"""Where console lines and system events become Log Analytics rows.

`LogSink.record(key, entry)` is a LogBook listener (the runtime's for apps, the executions'
for jobs): `key` is the app's or job's lower-cased resource ID. The row goes to the workspace
named by the environment's `appLogsConfiguration.logAnalyticsConfiguration.customerId`; an
environment without one sends nothing, as in Azure. Rows are kept in memory (the newest
`MAX_ROWS` per workspace) and appended to `<state>/loganalytics/<customerId>.jsonl`, so the
history survives a restart. Ingestion is immediate (Azure takes minutes).
"""

from __future__ import annotations

import json
import logging
import time
from collections import deque
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from localcloud.cloud import Store
from localcloud.ids import ResourceId
from localcloud.loganalytics.evaluate import parse_datetime
from localcloud.loganalytics.tables import SCHEMAS, Source, console_row, system_row
from localcloud.providers.loganalytics import customer_ids_and_keys
from localcloud.runtime.logs import Entry, LogLine, SystemEvent

log = logging.getLogger("localcloud.loganalytics")

RESOURCE = "resource"
MAX_ROWS = 200_000
SOURCE_TTL_S = 2.0
DATETIME_COLUMNS = {
    name for schema in SCHEMAS.values() for name, kind in schema if kind == "datetime"
}


def source_of(store: Store, key: str, tenant: str) -> Source | None:
    """The workspace and names for rows of the app or job stored under `key`."""
    doc = store.get(RESOURCE, key)
    if doc is None:
        return None
    props = doc.get("properties") or {}
    env_id = props.get("environmentId") or props.get("managedEnvironmentId")
    env = store.get(RESOURCE, ResourceId.parse(str(env_id)).key) if env_id else None
    if env is None:
        return None
    logs = (env.get("properties") or {}).get("appLogsConfiguration") or {}
    workspace = (logs.get("logAnalyticsConfiguration") or {}).get("customerId")
    if logs.get("destination") not in (None, "log-analytics") or not workspace:
        return None
    containers = (props.get("template") or {}).get("containers") or [{}]
    return Source(
        workspace=str(workspace).lower(),
        tenant=tenant,
        resource_id=str(doc["id"]),
        environment=str(env.get("name", "")),
        app=str(doc.get("name", "")),
        job=str(doc.get("type", "")).lower() == "microsoft.app/jobs",
        image=str(containers[0].get("image", "")),
    )


def to_row(source: Source, entry: Entry) -> tuple[str, dict[str, Any]]:
    """(table, row) for one LogBook entry."""
    if isinstance(entry, LogLine):
        row = console_row(
            source, entry.time, entry.revision, entry.replica, entry.container, entry.text
        )
        return "ContainerAppConsoleLogs_CL", row
    assert isinstance(entry, SystemEvent)
    row = system_row(
        source,
        entry.time,
        entry.revision,
        entry.replica,
        entry.reason,
        entry.message,
        entry.warning,
    )
    return "ContainerAppSystemLogs_CL", row


def encode(table: str, row: Mapping[str, Any]) -> str:
    doc = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}
    return json.dumps({"table": table, "row": doc}, sort_keys=True)


def decode(line: str) -> tuple[str, dict[str, Any]] | None:
    try:
        doc = json.loads(line)
        table, row = str(doc["table"]), dict(doc["row"])
        for name in DATETIME_COLUMNS & set(row):
            row[name] = parse_datetime(str(row[name]))
    except (ValueError, KeyError, TypeError):
        return None
    return table, row


class LogSink:
    def __init__(self, store: Store, folder: Path, tenant: str) -> None:
        self._store = store
        self._folder = folder
        self._tenant = tenant
        self._sources: dict[str, tuple[Source | None, float]] = {}
        self._tables: dict[str, dict[str, deque[dict[str, Any]]]] = {}
        self._files: dict[str, IO[str]] = {}

    def record(self, key: str, entry: Entry) -> None:
        """A LogBook listener; never raises (a logging failure must not stop a replica)."""
        try:
            source = self._source(key)
            if source is not None:
                self._append(source.workspace, *to_row(source, entry))
        except Exception:
            log.exception("could not record a log row for %s", key)

    def tables(self, workspace: str) -> dict[str, list[dict[str, Any]]]:
        """The workspace's rows by table (only tables that received rows)."""
        loaded = self._workspace(workspace.lower())
        return {name: list(rows) for name, rows in loaded.items() if rows}

    def workspace_exists(self, workspace: str) -> bool:
        wanted = workspace.lower()
        return any(
            str(d.get("customerId", "")).lower() == wanted
            for d in customer_ids_and_keys(self._store)
        )

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
        self._files.clear()

    def _source(self, key: str) -> Source | None:
        cached = self._sources.get(key)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        source = source_of(self._store, key, self._tenant)
        self._sources[key] = (source, time.monotonic() + SOURCE_TTL_S)
        return source

    def _workspace(self, workspace: str) -> dict[str, deque[dict[str, Any]]]:
        tables = self._tables.get(workspace)
        if tables is None:
            tables = {name: deque(maxlen=MAX_ROWS) for name in SCHEMAS}
            for line in self._read(workspace):
                decoded = decode(line)
                if decoded is not None and decoded[0] in tables:
                    tables[decoded[0]].append(decoded[1])
            self._tables[workspace] = tables
        return tables

    def _read(self, workspace: str) -> list[str]:
        try:
            return (self._folder / f"{workspace}.jsonl").read_text(encoding="utf-8").splitlines()
        except OSError:
            return []

    def _append(self, workspace: str, table: str, row: dict[str, Any]) -> None:
        self._workspace(workspace)[table].append(row)
        handle = self._files.get(workspace)
        if handle is None:
            self._folder.mkdir(parents=True, exist_ok=True)
            handle = open(self._folder / f"{workspace}.jsonl", "a", encoding="utf-8")  # noqa: SIM115
            self._files[workspace] = handle
        handle.write(encode(table, row) + "\n")
        handle.flush()
