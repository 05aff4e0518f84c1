"""Background work of the runtime: stops and starts scheduled from synchronous code (ARM
handlers) onto the event loop, kept until done so they can be awaited (`settle`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

Job = Callable[[], Coroutine[Any, Any, None]]

log = logging.getLogger("localcloud.runtime")


class Background:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._pending: list[Job] = []

    def spawn(self, job: Job) -> None:
        """Run `job` on the running loop; without one, keep it for `start_pending`."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._pending.append(job)
            return
        task = loop.create_task(job())
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def start_pending(self) -> None:
        pending, self._pending = self._pending, []
        for job in pending:
            self.spawn(job)

    async def settle(self) -> None:
        """Wait for everything scheduled so far (and what it schedules in turn)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("runtime background task failed", exc_info=task.exception())
