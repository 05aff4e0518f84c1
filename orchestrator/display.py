"""Where events go: three renderers behind one `Display` protocol.

- `RichDisplay` (`richdisplay.py`): a live table of resources and the sync's progress bar
  on a terminal (stderr).
- `PlainDisplay`: one line per event when stderr is not a terminal (CI logs); of the sync's
  `Transfer` events only the first and the last (a few summary lines, not one per file).
- `JsonDisplay`: NDJSON (`--json`), on stderr, so stdout stays the one result document.
`SafeDisplay` wraps any of them: a display that fails is switched off with one warning; a
progress failure never fails a deployment.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterable
from typing import Protocol, TextIO

from orchestrator.events import Event, LogLine, Transfer, event_record, format_event


class Display(Protocol):
    def show(self, event: Event) -> None: ...

    def close(self) -> None:
        """Stop any live part (before a question, and at the end); later events show again."""
        ...


class PlainDisplay:
    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def show(self, event: Event) -> None:
        if isinstance(event, Transfer) and 0 < event.files_done < event.files_total:
            return
        self._stream.write(format_event(event) + "\n")
        self._stream.flush()

    def close(self) -> None:
        return None


def print_log_lines(lines: Iterable[str], stdout: TextIO, as_json: bool) -> tuple[int, bool]:
    """Each log line on stdout as it arrives (an NDJSON `log` record under --json); how many
    were printed, and whether Ctrl-C ended the stream."""
    count = 0
    try:
        for line in lines:
            stdout.write((json.dumps(event_record(LogLine(line))) if as_json else line) + "\n")
            stdout.flush()
            count += 1
    except KeyboardInterrupt:
        return count, True
    return count, False


def ndjson(record: dict[str, object]) -> str:
    return json.dumps(record, separators=(",", ":"), default=str)


class JsonDisplay:
    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.time) -> None:
        self._stream = stream
        self._clock = clock

    def show(self, event: Event) -> None:
        record = {"time": round(self._clock(), 3), **event_record(event)}
        self._stream.write(ndjson(record) + "\n")
        self._stream.flush()

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
            self._fallback.write(f"warning: progress display stopped ({exc}); still working\n")


def make_display(
    stream: TextIO, *, as_json: bool, terminal: bool, color: bool | None = None
) -> SafeDisplay:
    """The display for this invocation (rich only on a terminal)."""
    inner: Display
    if as_json:
        inner = JsonDisplay(stream)
    elif terminal:
        from orchestrator.richdisplay import RichDisplay

        inner = RichDisplay(stream, no_color=color is False)
    else:
        inner = PlainDisplay(stream)
    return SafeDisplay(inner, stream)
