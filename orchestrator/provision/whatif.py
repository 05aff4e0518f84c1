"""ARM what-if results as text, grouped by change type, property-level differences for
modifications (pure; the data is `orchestrator.azure.whatif`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from orchestrator.azure.whatif import REDACTED, PropertyChange, WhatIf

_SYMBOL = {"Create": "+", "Delete": "-", "Modify": "~", "Deploy": "!", "Ignore": "*"}


def _value(value: Any) -> str:
    if value == REDACTED:
        return REDACTED
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value is not None else "null"


def _property_lines(changes: Sequence[PropertyChange], indent: str) -> list[str]:
    lines = []
    for p in changes:
        if p.children and p.kind != "Array":
            lines.append(f"{indent}~ {p.path}:")
            lines += _property_lines(p.children, indent + "    ")
            continue
        match p.kind:
            case "Create":
                lines.append(f"{indent}+ {p.path}: {_value(p.after)}")
            case "Delete":
                lines.append(f"{indent}- {p.path}: {_value(p.before)}")
            case "Modify":
                lines.append(f"{indent}~ {p.path}: {_value(p.before)} => {_value(p.after)}")
            case "Array":
                lines.append(f"{indent}~ {p.path}: [")
                lines += _property_lines(p.children, indent + "    ")
                lines.append(f"{indent}  ]")
            case _:
                lines.append(f"{indent}= {p.path}")
    return lines


def render_what_if(plan: WhatIf) -> list[str]:
    """Text grouped by change type, with property-level differences for modifications."""
    if not plan.changes:
        return ["no resources in the plan"]
    lines: list[str] = []
    current = ""
    for change in plan.changes:
        if change.change_type != current:
            current = change.change_type
            count = plan.counts()[current]
            lines.append(f"{current} ({count}):")
        symbol = _SYMBOL.get(change.change_type, "=")
        lines.append(f"  {symbol} {change.resource_type} {change.name}")
        lines += _property_lines(change.delta, "      ")
        if change.reason:
            lines.append(f"      ({change.reason})")
    summary = ", ".join(f"{n} to {k.lower()}" for k, n in plan.counts().items())
    lines.append(f"summary: {summary}" if plan.has_changes else "summary: no changes")
    return lines
