"""What a command returns: data for `--json`, lines for people, and an exit code."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Message:
    text: str
    level: str = "info"  # info | success | warning | error | detail


@dataclass(frozen=True)
class CommandResult:
    command: str
    data: Mapping[str, object] = field(default_factory=dict)
    messages: tuple[Message, ...] = ()
    exit_code: int = 0
    streamed: bool = False  # the output was a stream (`logs --follow`): NDJSON to the end
