"""Live progress of a deployment: events, and three displays for them.

- `RichDisplay`: a live table of resources on a terminal (stderr).
- `PlainDisplay`: one line per change when stderr is not a terminal (CI logs).
- `JsonDisplay`: newline-delimited JSON events (`--json`), on stderr, so stdout stays the one
  result document.
`SafeDisplay` wraps any of them: a display that fails is switched off with one warning; a
progress failure never fails a deployment.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Protocol, TextIO


@dataclass(frozen=True)
class Started:
    deployment: str
    deployment_id: str
    portal_url: str = ""


@dataclass(frozen=True)
class ResourceChanged:
    operation: str
    resource_type: str
    resource_name: str
    state: str
    duration: float | None = None


@dataclass(frozen=True)
class StateChanged:
    deployment: str
    state: str


@dataclass(frozen=True)
class Notice:
    text: str
    level: str = "info"


@dataclass(frozen=True)
class Finished:
    deployment: str
    state: str
    duration: float | None = None


Event = Started | ResourceChanged | StateChanged | Notice | Finished


class Display(Protocol):
    def show(self, event: Event) -> None: ...
    def close(self) -> None: ...


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


def format_event(event: Event) -> str:
    """The plain-text line for one event."""
    match event:
        case Started(deployment=name, portal_url=url):
            tail = f"\n  portal: {url}" if url else ""
            return f"deployment {name} started{tail}"
        case ResourceChanged():
            took = format_duration(event.duration)
            took = f" ({took})" if took else ""
            return (
                f"  {event.state:<10} {short_type(event.resource_type)} {event.resource_name}{took}"
            )
        case StateChanged(deployment=name, state=state):
            return f"deployment {name}: {state}"
        case Notice(text=text, level=level):
            return f"warning: {text}" if level == "warning" else text
        case Finished(deployment=name, state=state, duration=duration):
            took = format_duration(duration)
            return f"deployment {name} {state.lower()}" + (f" in {took}" if took else "")
    raise AssertionError(f"unknown event {event!r}")  # pragma: no cover


def event_record(event: Event) -> dict[str, Any]:
    """The NDJSON record for one event: {"event": "resource", ...fields}."""
    kinds: dict[type[Any], str] = {
        Started: "started",
        ResourceChanged: "resource",
        StateChanged: "state",
        Notice: "notice",
        Finished: "finished",
    }
    return {"event": kinds[type(event)], **asdict(event)}


class PlainDisplay:
    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def show(self, event: Event) -> None:
        self._stream.write(format_event(event) + "\n")
        self._stream.flush()

    def close(self) -> None:
        return None


class JsonDisplay:
    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.time) -> None:
        self._stream = stream
        self._clock = clock

    def show(self, event: Event) -> None:
        record = {"time": round(self._clock(), 3), **event_record(event)}
        self._stream.write(json.dumps(record, separators=(",", ":")) + "\n")
        self._stream.flush()

    def close(self) -> None:
        return None


class NullDisplay:
    def show(self, event: Event) -> None:
        return None

    def close(self) -> None:
        return None


class SafeDisplay:
    """Forward events; if the display raises, warn once on `fallback` and stop showing."""

    def __init__(self, inner: Display, fallback: TextIO) -> None:
        self._inner: Display | None = inner
        self._fallback = fallback

    def show(self, event: Event) -> None:
        if self._inner is None:
            return
        try:
            self._inner.show(event)
        except Exception as exc:  # a display must never fail a deployment
            self._disable(exc)

    def close(self) -> None:
        if self._inner is None:
            return
        try:
            self._inner.close()
        except Exception as exc:
            self._disable(exc)

    def _disable(self, exc: Exception) -> None:
        self._inner = None
        with contextlib.suppress(Exception):
            self._fallback.write(f"warning: progress display stopped ({exc}); still watching\n")


def make_display(stream: TextIO, *, as_json: bool, terminal: bool) -> SafeDisplay:
    """The display for this invocation (rich only on a terminal)."""
    inner: Display
    if as_json:
        inner = JsonDisplay(stream)
    elif terminal:
        from orchestrator.provision.richdisplay import RichDisplay

        inner = RichDisplay(stream)
    else:
        inner = PlainDisplay(stream)
    return SafeDisplay(inner, stream)
