"""One event model for both pipelines (provision and deploy) and `logs --follow`.

Events are frozen dataclasses (no I/O). `format_event` is the plain-text line of one;
`event_record` its NDJSON record (`docs/events.md` documents every kind). `display.py`
renders them three ways: rich on a terminal, plain lines when piped, NDJSON with `--json`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Started:
    """A deployment was created (provision)."""

    deployment: str
    deployment_id: str
    portal_url: str = ""


@dataclass(frozen=True)
class ResourceChanged:
    """A deployment operation changed state (provision)."""

    operation: str
    resource_type: str
    resource_name: str
    state: str
    duration: float | None = None


@dataclass(frozen=True)
class StateChanged:
    """The deployment's own state changed (provision)."""

    deployment: str
    state: str


@dataclass(frozen=True)
class Finished:
    """The deployment reached a terminal state (provision)."""

    deployment: str
    state: str
    duration: float | None = None


@dataclass(frozen=True)
class Notice:
    """Something worth saying (`level` info or warning)."""

    text: str
    level: str = "info"


@dataclass(frozen=True)
class Progress:
    """A step of deploy (or logs) moved on: `step` is sync, restart or logs."""

    step: str
    text: str


@dataclass(frozen=True)
class Transfer:
    """The sync moved on (deploy): files and bytes uploaded so far, of the plan's total
    (`path`: the file just uploaded; "" when the uploads start)."""

    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int
    path: str = ""

    @property
    def finished(self) -> bool:
        return self.files_done >= self.files_total


@dataclass(frozen=True)
class LogLine:
    """One line of the app's console (`logs --follow`)."""

    text: str


Event = Started | ResourceChanged | StateChanged | Finished | Notice | Progress | Transfer | LogLine

KINDS: dict[type, str] = {
    Started: "started",
    ResourceChanged: "resource",
    StateChanged: "state",
    Finished: "finished",
    Notice: "notice",
    Progress: "progress",
    Transfer: "transfer",
    LogLine: "log",
}


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}m{secs:02d}s"


def short_type(resource_type: str) -> str:
    """`Microsoft.App/managedEnvironments/storages` → `managedEnvironments/storages`."""
    return resource_type.split("/", 1)[1] if "/" in resource_type else resource_type


def mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"


def format_event(event: Event) -> str:
    """The plain-text line for one event."""
    match event:
        case Started(deployment=name, portal_url=url):
            tail = f"\n  portal: {url}" if url else ""
            return f"deployment {name} started{tail}"
        case ResourceChanged():
            took = format_duration(event.duration)
            took = f" ({took})" if took else ""
            kind = short_type(event.resource_type)
            return f"  {event.state:<10} {kind} {event.resource_name}{took}"
        case StateChanged(deployment=name, state=state):
            return f"deployment {name}: {state}"
        case Finished(deployment=name, state=state, duration=duration):
            took = format_duration(duration)
            return f"deployment {name} {state.lower()}" + (f" in {took}" if took else "")
        case Notice(text=text, level=level):
            return f"warning: {text}" if level == "warning" else text
        case Progress(text=text):
            return f"  {text}"
        case Transfer():
            verb = "uploaded" if event.finished else "uploading"
            files = f"{event.files_done}/{event.files_total} files"
            sizes = f"{mib(event.bytes_done)} of {mib(event.bytes_total)}"
            return f"  sync: {verb} {files} ({sizes})"
        case LogLine(text=text):
            return text
    raise AssertionError(f"unknown event {event!r}")  # pragma: no cover


def event_record(event: Event) -> dict[str, object]:
    """The NDJSON record for one event: {"event": KIND, ...its fields}."""
    return {"event": KINDS[type(event)], **asdict(event)}
