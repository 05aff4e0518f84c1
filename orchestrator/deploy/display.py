"""Live progress lines for deploy and logs: plain lines on stderr, or NDJSON with --json."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from orchestrator.invocation import Invocation


def reporter(inv: Invocation, step: str) -> Callable[[str], None]:
    """A sink for progress lines. Writing never fails the deploy (a closed pipe is ignored)."""

    def report(text: str) -> None:
        try:
            if inv.as_json:
                event = {"event": "progress", "step": step, "time": time.time(), "text": text}
                inv.stderr.write(json.dumps(event) + "\n")
            else:
                inv.stderr.write(f"  {text}\n")
            inv.stderr.flush()
        except (OSError, ValueError):
            pass

    return report
