"""The terminal display: a live table of resources (type, name, state, duration) for
provision, a progress bar for deploy's sync; other events print above them as plain lines.
`close` stops both (before a question is asked, so the answer is typed on a still screen)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from rich.console import Console
from rich.live import Live
from rich.progress import BarColumn, DownloadColumn, TaskID, TextColumn
from rich.progress import Progress as Bar
from rich.table import Table

from orchestrator.events import (
    Event,
    Finished,
    LogLine,
    Notice,
    Progress,
    ResourceChanged,
    Started,
    StateChanged,
    Transfer,
    format_duration,
    format_event,
    short_type,
)

_STYLE = {"succeeded": "green", "failed": "red", "canceled": "yellow", "running": "cyan"}


class RichDisplay:
    def __init__(
        self,
        stream: TextIO,
        clock: Callable[[], float] = time.monotonic,
        *,
        force_terminal: bool | None = None,
        width: int | None = None,
        auto_refresh: bool = True,
        no_color: bool = False,
    ) -> None:
        self._console = Console(
            file=stream,
            stderr=True,
            highlight=False,
            force_terminal=force_terminal,
            width=width,
            no_color=no_color,
        )
        self._auto_refresh = auto_refresh
        self._clock = clock
        self._rows: dict[tuple[str, str], tuple[ResourceChanged, float]] = {}
        self._state = "Accepted"
        self._live: Live | None = None
        self._bar: tuple[Bar, TaskID] | None = None

    def show(self, event: Event) -> None:
        match event:
            case Started() | Notice() | Progress() | LogLine():
                self._print(format_event(event))
            case Transfer():
                self._transfer(event)
                return
            case ResourceChanged():
                key = (event.resource_type, event.resource_name)
                first_seen = self._rows.get(key, (event, self._clock()))[1]
                self._rows[key] = (event, first_seen)
            case StateChanged(state=state):
                self._state = state
            case Finished(state=state):
                self._state = state
                self.close()
                self._console.print(format_event(event), markup=False)
                return
        self._refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar[0].stop()
            self._bar = None
        if self._live is not None:
            self._refresh()
            self._live.stop()
            self._live = None

    def _print(self, text: str) -> None:
        self._console.print(text, markup=False)  # above a live table or bar, when one runs

    def _transfer(self, event: Transfer) -> None:
        if self._bar is None:
            if event.finished:
                self._print(format_event(event))
                return
            bar = Bar(
                TextColumn("  sync"),
                BarColumn(),
                TextColumn("{task.fields[files]}"),
                DownloadColumn(binary_units=True),
                console=self._console,
                auto_refresh=self._auto_refresh,
            )
            task = bar.add_task("sync", total=max(event.bytes_total, 1), files="")
            bar.start()
            self._bar = (bar, task)
        bar, task = self._bar
        files = f"{event.files_done}/{event.files_total} files"
        bar.update(task, completed=event.bytes_done, files=files)
        bar.refresh()
        if event.finished:
            bar.stop()
            self._bar = None

    def _refresh(self) -> None:
        if not self._rows:
            return
        if self._live is None:
            # The table is rebuilt on every refresh (4 a second), so running resources' durations
            # tick between polls; updates from events refresh at once.
            self._live = Live(
                console=self._console,
                get_renderable=self._table,
                auto_refresh=self._auto_refresh,
                refresh_per_second=4,
            )
            self._live.start()
        self._live.refresh()

    def _table(self) -> Table:
        table = Table(title=f"deployment: {self._state}", title_justify="left", box=None)
        for column in ("resource", "name", "state", "duration"):
            table.add_column(column)
        now = self._clock()
        for event, first_seen in list(self._rows.values()):  # a snapshot: events may arrive
            running = event.state.lower() not in ("succeeded", "failed", "canceled")
            took = now - first_seen if running else event.duration
            style = _STYLE.get(event.state.lower(), "")
            table.add_row(
                short_type(event.resource_type),
                event.resource_name,
                f"[{style}]{event.state}[/]" if style else event.state,
                format_duration(took),
            )
        return table
