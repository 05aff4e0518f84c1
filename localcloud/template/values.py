"""Template values (JSON data plus lambdas): type names, string rendering, lookups."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from localcloud.template.errors import TemplateError

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


@dataclass(frozen=True)
class Closure:
    """The value of `lambda('x', ..., body)`: callable only by the lambda functions."""

    params: tuple[str, ...]
    invoke: Callable[[Sequence[Any]], Any]

    def __call__(self, *args: Any) -> Any:
        if len(args) != len(self.params):
            raise TemplateError(
                f"The lambda expects {len(self.params)} argument(s) but is given {len(args)}."
            )
        return self.invoke(args)


def type_name(value: Any) -> str:
    """ARM's name for a value's type, as used in error messages."""
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Float"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "Array"
    if isinstance(value, dict):
        return "Object"
    if isinstance(value, Closure):
        return "Lambda"
    return type(value).__name__


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def checked_int(value: int, function: str) -> int:
    """`value` if it fits ARM's 64-bit integers, else an error."""
    if INT64_MIN <= value <= INT64_MAX:
        return value
    raise TemplateError(
        f"Unable to evaluate language function '{function}': the result is outside the range "
        "of a 64-bit integer."
    )


def render(value: Any) -> str:
    """The text `string()`, `format()` and `concat()` produce for a value."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return to_json(value)
    if isinstance(value, float):
        return repr(value) if value != int(value) else str(int(value))
    return str(value)


def render_formatted(value: Any) -> str:
    """The text `format()` (and so Bicep's string interpolation) produces for a value: like
    `render`, but objects and arrays print as JSON with single quotes, `{'a':'b','n':[true]}`
    (Azure/bicep src/Bicep.Core.IntegrationTests/EvaluationTests.cs,
    String_expressions_are_evaluated_successfully)."""
    if isinstance(value, (list, dict)):
        return _single_quoted(value)
    return render(value)


_ESCAPES = {
    "'": "\\'",
    "\\": "\\\\",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}


def _quote(text: str) -> str:
    out = [_ESCAPES.get(c) or (f"\\u{ord(c):04x}" if ord(c) < 0x20 else c) for c in text]
    return "'" + "".join(out) + "'"


def _single_quoted(value: Any) -> str:
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[" + ",".join(_single_quoted(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{_quote(k)}:{_single_quoted(v)}" for k, v in value.items())
        return "{" + ",".join(pairs) + "}"
    return render(value)


def to_json(value: Any) -> str:
    """Compact JSON, as ARM renders objects and arrays."""
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise TemplateError(f"The value cannot be serialised as JSON: {exc}.") from exc


def lookup(obj: Mapping[str, Any], name: str) -> tuple[bool, Any]:
    """Case-insensitive property lookup (exact match first), as ARM's JSON objects do."""
    if name in obj:
        return True, obj[name]
    lowered = name.lower()
    for key, value in obj.items():
        if key.lower() == lowered:
            return True, value
    return False, None


def equal(left: Any, right: Any) -> bool:
    """ARM's `equals`: deep, type-strict (1 != true), case-sensitive strings."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(equal, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        if left.keys() != right.keys():
            return False
        return all(equal(left[key], right[key]) for key in left)
    if type(left) is not type(right) and not (is_number(left) and is_number(right)):
        return False
    return bool(left == right)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def strip_nulls(value: Any) -> Any:
    """`value` with null-valued object properties removed, recursively (ARM: null = absent)."""
    if isinstance(value, dict):
        return {k: strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strip_nulls(v) for v in value]
    return value
