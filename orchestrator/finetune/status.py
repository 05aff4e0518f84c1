"""Execution statuses and durations (pure).

Azure reports `properties.status` of a job execution as one of Running, Processing, Stopped,
Degraded, Failed, Unknown, Succeeded (Microsoft.App Jobs.json 2025-07-01). Processing (queued,
no replica yet), Running and Degraded (going on after a replica failed, a retry under way) are
in flight; Succeeded, Failed and Stopped are final. Unknown is neither: a caller waiting for
the end keeps waiting, and says so.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


class ExecutionStatus(enum.Enum):
    PROCESSING = "Processing"
    RUNNING = "Running"
    DEGRADED = "Degraded"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    STOPPED = "Stopped"
    UNKNOWN = "Unknown"

    @property
    def terminal(self) -> bool:
        return self in _TERMINAL

    @property
    def in_flight(self) -> bool:
        return self in _IN_FLIGHT

    @property
    def succeeded(self) -> bool:
        return self is ExecutionStatus.SUCCEEDED


_TERMINAL = frozenset({ExecutionStatus.SUCCEEDED, ExecutionStatus.FAILED, ExecutionStatus.STOPPED})
_IN_FLIGHT = frozenset(
    {ExecutionStatus.PROCESSING, ExecutionStatus.RUNNING, ExecutionStatus.DEGRADED}
)
_BY_LOWER = {s.value.lower(): s for s in ExecutionStatus}
# RFC 3339 with any number of fraction digits (Azure sends 7, the log stream 9).
_TIME = re.compile(
    r"^(?P<base>\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2})(?:\.(?P<frac>\d+))?"
    r"(?P<zone>[Zz]|[+-]\d{2}:?\d{2})?\Z"
)


def parse_status(text: object) -> ExecutionStatus:
    """The status of `properties.status` (any case); anything else is UNKNOWN."""
    return _BY_LOWER.get(str(text).strip().lower(), ExecutionStatus.UNKNOWN)


def parse_time(text: object) -> dt.datetime | None:
    """An RFC 3339 time as an aware UTC datetime (fractions cut to microseconds; no zone
    means UTC); None when absent or not a time."""
    if not isinstance(text, str):
        return None
    match = _TIME.match(text.strip())
    if match is None:
        return None
    frac = (match.group("frac") or "")[:6].ljust(6, "0")
    zone = match.group("zone") or "Z"
    zone = "+00:00" if zone in "Zz" else zone
    try:
        parsed = dt.datetime.fromisoformat(f"{match.group('base').replace(' ', 'T')}.{frac}{zone}")
    except ValueError:
        return None
    return parsed.astimezone(dt.timezone.utc)


@dataclass(frozen=True)
class ExecutionSummary:
    name: str
    status: ExecutionStatus
    start: dt.datetime | None
    end: dt.datetime | None

    def duration(self, now: dt.datetime) -> dt.timedelta | None:
        """Start to end, or to `now` while in flight; None before it started."""
        if self.start is None:
            return None
        until = self.end if self.end is not None else (now if not self.status.terminal else None)
        if until is None:
            return None
        return max(until - self.start, dt.timedelta(0))

    def describe(self, now: dt.datetime) -> dict[str, object]:
        took = self.duration(now)
        return {
            "name": self.name,
            "status": self.status.value,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "duration_s": round(took.total_seconds(), 3) if took is not None else None,
        }


def summary(doc: Mapping[str, Any]) -> ExecutionSummary:
    """One execution as `GET .../executions[/{name}]` returns it."""
    props = doc.get("properties")
    props = props if isinstance(props, Mapping) else {}
    return ExecutionSummary(
        name=str(doc.get("name") or ""),
        status=parse_status(props.get("status")),
        start=parse_time(props.get("startTime")),
        end=parse_time(props.get("endTime")),
    )


def newest_first(items: Sequence[ExecutionSummary]) -> list[ExecutionSummary]:
    """By start time, newest first (not started yet counts as newest)."""
    floor = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    return sorted(items, key=lambda e: (e.start is None, e.start or floor), reverse=True)


def latest_in_flight(items: Sequence[ExecutionSummary]) -> ExecutionSummary | None:
    """The newest execution still queued or running (what `logs`/`stop` pick by default)."""
    return next((e for e in newest_first(items) if e.status.in_flight), None)


def format_duration(took: dt.timedelta) -> str:
    """`42s`, `3m 05s`, `1h 02m 03s`."""
    seconds = int(took.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m {secs:02d}s"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def exit_code(status: ExecutionStatus) -> int:
    """`run --wait`: 0 only when the execution succeeded."""
    return 0 if status.succeeded else 1
