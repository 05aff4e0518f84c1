"""Console lines and system events per app: a ring buffer, a log file, live subscribers.

Console lines are what the replica wrote on stdout/stderr; system events are what the
supervisor did (replica started, probe failed, container exited) in the shape of Azure's
`eventstream` (`TimeStamp`, `Type`, `ContainerAppName`, `RevisionName`, `ReplicaName`,
`Msg`, `Reason`, `EventSource`, `Count`).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class LogLine:
    time: datetime
    revision: str
    replica: str
    container: str
    text: str

    def to_text(self) -> str:
        return f"{iso(self.time)} {self.text}"

    def to_json(self) -> dict[str, Any]:
        return {"TimeStamp": iso(self.time), "Log": self.text}


@dataclass(frozen=True)
class SystemEvent:
    time: datetime
    app: str
    revision: str
    replica: str
    reason: str
    message: str
    warning: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "TimeStamp": self.time.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S +0000 UTC"),
            "Type": "Warning" if self.warning else "Normal",
            "ContainerAppName": self.app,
            "RevisionName": self.revision,
            "ReplicaName": self.replica,
            "Msg": self.message,
            "Reason": self.reason,
            "EventSource": "ContainerAppController",
            "Count": 1,
        }


Entry = LogLine | SystemEvent
Listener = Callable[[str, Entry], None]


class Subscription:
    """Entries of one app written after `subscribe`; iterate with `await next_entry()`."""

    def __init__(self, book: LogBook, app_key: str, size: int = 10000) -> None:
        self.app_key = app_key
        self._book = book
        self._queue: asyncio.Queue[Entry] = asyncio.Queue(size)

    def push(self, entry: Entry) -> None:
        if self._queue.full():
            self._queue.get_nowait()  # a slow reader loses the oldest lines, never blocks us
        self._queue.put_nowait(entry)

    async def next_entry(self, timeout: float | None = None) -> Entry | None:
        try:
            return await asyncio.wait_for(self._queue.get(), timeout)
        except asyncio.TimeoutError:
            return None

    def close(self) -> None:
        self._book.unsubscribe(self)


class LogBook:
    def __init__(self, folder: Path, size: int = 2000) -> None:
        self._folder = folder
        self._size = size
        self._lines: dict[str, deque[LogLine]] = {}
        self._events: dict[str, deque[SystemEvent]] = {}
        self._files: dict[str, IO[str]] = {}
        self._subscribers: dict[str, list[Subscription]] = {}
        self._listeners: list[Listener] = []

    def add_listener(self, listener: Listener) -> None:
        """Call `listener(key, entry)` for every line and event written (a log sink)."""
        self._listeners.append(listener)

    def write(self, app_key: str, line: LogLine) -> None:
        self._lines.setdefault(app_key, deque(maxlen=self._size)).append(line)
        handle = self._file(app_key)
        if handle is not None:
            handle.write(f"{line.to_text()}\n")
            handle.flush()
        self._notify(app_key, line)

    def event(self, app_key: str, event: SystemEvent) -> None:
        self._events.setdefault(app_key, deque(maxlen=self._size)).append(event)
        self._notify(app_key, event)

    def lines(
        self, app_key: str, tail: int, keep: Callable[[LogLine], bool] | None = None
    ) -> list[LogLine]:
        chosen = [ln for ln in self._lines.get(app_key, ()) if keep is None or keep(ln)]
        return chosen[-tail:] if tail > 0 else []

    def events(self, app_key: str, tail: int) -> list[SystemEvent]:
        chosen = list(self._events.get(app_key, ()))
        return chosen[-tail:] if tail > 0 else []

    def subscribe(self, app_key: str) -> Subscription:
        sub = Subscription(self, app_key)
        self._subscribers.setdefault(app_key, []).append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with contextlib.suppress(ValueError):
            self._subscribers.get(sub.app_key, []).remove(sub)

    def forget(self, app_key: str) -> None:
        self._lines.pop(app_key, None)
        self._events.pop(app_key, None)
        handle = self._files.pop(app_key, None)
        if handle is not None:
            handle.close()

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
        self._files.clear()

    def _notify(self, app_key: str, entry: Entry) -> None:
        for listener in self._listeners:
            listener(app_key, entry)
        for sub in self._subscribers.get(app_key, ()):
            sub.push(entry)

    def _file(self, app_key: str) -> IO[str] | None:
        handle = self._files.get(app_key)
        if handle is None:
            name = re.sub(r"[^a-z0-9._-]+", "_", app_key.strip("/").lower())
            try:
                self._folder.mkdir(parents=True, exist_ok=True)
                handle = open(self._folder / f"{name}.log", "a", encoding="utf-8")  # noqa: SIM115
            except OSError:
                return None
            self._files[app_key] = handle
        return handle


def split_lines(buffer: bytes) -> Iterator[str]:
    """Decode a chunk of console output into lines (carriage returns end a line too)."""
    for raw in re.split(rb"\r\n|\n|\r", buffer):
        yield raw.decode("utf-8", errors="replace")
