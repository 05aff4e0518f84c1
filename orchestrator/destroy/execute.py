"""Carrying a destroy plan out: one DELETE at a time, in the plan's order, each waited for
(adaptive polling: 1 s growing to 10 s, or what Retry-After asks), with progress events. A
resource already gone counts as done, so a second run finishes what a first one left.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from orchestrator.azure.teardown import Deletion, Teardown
from orchestrator.destroy.plan import DestroyPlan, Step
from orchestrator.display import Display
from orchestrator.errors import AzureError, Interrupted
from orchestrator.events import Progress

STEP = "destroy"
FIRST_POLL = 1.0
MAX_POLL = 10.0
MAX_RETRY_AFTER = 30.0
SAY_EVERY = 10.0


@dataclass(frozen=True)
class Done:
    step: Step
    result: str  # "deleted" | "already gone"
    seconds: float

    def as_data(self) -> dict[str, object]:
        return {
            "role": self.step.resource.role,
            "id": self.step.resource.resource_id,
            "result": self.result,
            "seconds": round(self.seconds, 1),
        }


def next_wait(previous: float, retry_after: float) -> float:
    """The pause before the next look (pure)."""
    if retry_after > 0:
        return min(retry_after, MAX_RETRY_AFTER)
    return min(previous * 1.5, MAX_POLL) if previous else FIRST_POLL


class Executor:
    def __init__(
        self,
        teardown: Teardown,
        display: Display,
        *,
        timeout: float = 1800.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.teardown = teardown
        self.display = display
        self.timeout = timeout
        self.clock = clock
        self.sleep = sleep

    def run(self, plan: DestroyPlan) -> tuple[Done, ...]:
        return tuple(self.delete(step) for step in plan.delete)

    def delete(self, step: Step) -> Done:
        shown = step.describe()
        self.display.show(Progress(STEP, f"deleting {shown}"))
        start = self.clock()
        deletion = self.teardown.delete(step.resource.resource_id, force=step.force)
        gone_before = deletion.gone_before
        try:
            deletion = self.wait(deletion, shown, start)
        except KeyboardInterrupt:
            raise Interrupted(
                f"stopped waiting for {shown}; Azure goes on deleting it",
                hint="run `orchestrator destroy` again to finish what is left",
            ) from None
        seconds = self.clock() - start
        result = "already gone" if gone_before else "deleted"
        self.display.show(Progress(STEP, f"{result}: {step.resource.describe()} ({seconds:.0f} s)"))
        return Done(step, result, seconds)

    def wait(self, deletion: Deletion, shown: str, start: float) -> Deletion:
        pause = 0.0
        said = start
        while not deletion.done:
            now = self.clock()
            if now - start > self.timeout:
                raise AzureError(
                    f"{shown} is still being deleted after {now - start:.0f} s",
                    hint="Azure goes on deleting it; run `orchestrator destroy` again later to "
                    "finish",
                )
            if now - said >= SAY_EVERY:
                self.display.show(Progress(STEP, f"still deleting {shown} ({now - start:.0f} s)"))
                said = now
            pause = next_wait(pause, deletion.retry_after)
            self.sleep(pause)
            deletion = self.teardown.poll(deletion)
        return deletion
