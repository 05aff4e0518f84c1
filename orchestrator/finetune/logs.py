"""Console log lines of job executions (pure).

The live stream sends `<RFC 3339 time, up to nanoseconds>Z <text>` lines (the toolkit's
output channel shows them as `2024-05-07T06:53:56.635556647Z <text>`). It ends when the
replica ends or the connection drops; a reconnect replays the last lines (`tailLines`), so
`Deduplicator` lets each (timestamp, text) through once across reconnects.

For finished executions the history comes from Log Analytics with the query the portal's
"Console" link opens (`console_query`), or the system events (`system_query`); `rows_to_lines`
turns a query API answer into lines, oldest first.
"""

from __future__ import annotations

import collections
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from orchestrator.finetune.status import parse_time

CONSOLE_TABLE = "ContainerAppConsoleLogs_CL"
SYSTEM_TABLE = "ContainerAppSystemLogs_CL"
_STAMPED = re.compile(r"^(?P<stamp>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z) ?(?P<text>.*)\Z")
_TIME_COLUMNS = ("time_t", "TimeGenerated")
_TEXT_COLUMNS = ("Log_s",)
_REASON_COLUMN = "Reason_s"


@dataclass(frozen=True)
class LogLine:
    timestamp: str  # as sent ("" when the line carried none)
    text: str
    at: dt.datetime | None = None  # the timestamp parsed (to microseconds), UTC

    @property
    def key(self) -> tuple[str, str]:
        return (self.timestamp, self.text)

    def __str__(self) -> str:
        return f"{self.timestamp} {self.text}" if self.timestamp else self.text


def parse_line(raw: str) -> LogLine:
    """One stream line (a trailing newline is dropped); a line without a leading time is
    kept whole, with no timestamp."""
    line = raw.rstrip("\r\n")
    match = _STAMPED.match(line)
    if match is None:
        return LogLine("", line)
    stamp = match.group("stamp")
    return LogLine(stamp, match.group("text"), parse_time(stamp))


class Deduplicator:
    """Lets each (timestamp, text) through once; remembers the last `memory` keys (a replayed
    tail is at most 300 lines). Lines without a timestamp always pass: nothing tells a replay
    from a repeat."""

    def __init__(self, memory: int = 10_000) -> None:
        self._seen: set[tuple[str, str]] = set()
        self._order: collections.deque[tuple[str, str]] = collections.deque()
        self._memory = memory

    def admit(self, line: LogLine) -> bool:
        if not line.timestamp:
            return True
        if line.key in self._seen:
            return False
        self._seen.add(line.key)
        self._order.append(line.key)
        if len(self._order) > self._memory:
            self._seen.discard(self._order.popleft())
        return True

    def fresh(self, lines: Sequence[LogLine]) -> list[LogLine]:
        return [line for line in lines if self.admit(line)]


def kql_string(value: str) -> str:
    """A KQL single-quoted string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def console_query(execution: str) -> str:
    """The portal's query behind an execution's "Console" link (replicas are named
    `<execution>-<suffix>`, hence `startswith`)."""
    return (
        f"{CONSOLE_TABLE} | where ContainerGroupName_s startswith {kql_string(execution)} "
        "| order by time_t desc | project time_t, Log_s"
    )


def system_query(execution: str) -> str:
    """The execution's system events (AssigningReplica, BackoffLimitExceeded, ...)."""
    return (
        f"{SYSTEM_TABLE} | where ExecutionName_s == {kql_string(execution)} "
        "| order by time_t desc | project time_t, Reason_s, Log_s"
    )


def rows_to_lines(answer: Mapping[str, Any]) -> list[LogLine]:
    """The lines of a query API answer (`{"tables": [{"columns", "rows"}]}`), oldest first;
    a system event reads `<Reason> <message>`."""
    tables = answer.get("tables")
    first = tables[0] if isinstance(tables, list) and tables else {}
    columns = [c.get("name") for c in first.get("columns") or [] if isinstance(c, Mapping)]
    time_at = next((columns.index(c) for c in _TIME_COLUMNS if c in columns), None)
    text_at = next((columns.index(c) for c in _TEXT_COLUMNS if c in columns), None)
    reason_at = columns.index(_REASON_COLUMN) if _REASON_COLUMN in columns else None
    lines: list[LogLine] = []
    for row in first.get("rows") or []:
        if not isinstance(row, list):
            continue
        stamp = str(row[time_at]) if time_at is not None and row[time_at] is not None else ""
        parts = [row[i] for i in (reason_at, text_at) if i is not None and row[i] is not None]
        lines.append(LogLine(stamp, " ".join(str(p) for p in parts), parse_time(stamp)))
    floor = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    return sorted(lines, key=lambda line: line.at or floor)
