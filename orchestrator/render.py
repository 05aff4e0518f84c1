"""The one place that prints a command's result (human text, or JSON with --json)."""

from __future__ import annotations

import json
from typing import TextIO

from orchestrator.result import CommandResult

_PREFIX = {"info": "", "success": "", "warning": "warning: ", "error": "error: ", "detail": "  "}


def render(result: CommandResult, *, as_json: bool, out: TextIO) -> int:
    if as_json and result.streamed:
        record = {"event": "end", "command": result.command, "exit_code": result.exit_code}
        out.write(json.dumps({**record, **dict(result.data)}, default=str) + "\n")
    elif as_json:
        doc = {"command": result.command, "exit_code": result.exit_code, **dict(result.data)}
        doc["messages"] = [{"level": m.level, "text": m.text} for m in result.messages]
        out.write(json.dumps(doc, indent=2, default=str) + "\n")
    else:
        for message in result.messages:
            out.write(f"{_PREFIX.get(message.level, '')}{message.text}\n")
    out.flush()
    return result.exit_code
