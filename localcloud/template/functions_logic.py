"""Comparison, logical, numeric and conversion functions (and/or/if are in functions_special)."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from localcloud.template.errors import TemplateError
from localcloud.template.registry import FunctionTable, expect, pure
from localcloud.template.values import checked_int, equal, is_int, is_number, type_name

FUNCTIONS: FunctionTable = {}


@pure(FUNCTIONS, "equals", 2)
def equals(left: Any, right: Any) -> bool:
    return equal(left, right)


def _ordered(function: str, left: Any, right: Any) -> tuple[Any, Any]:
    if is_number(left) and is_number(right):
        return left, right
    if isinstance(left, str) and isinstance(right, str):
        return collation_key(left), collation_key(right)
    raise TemplateError(
        f"The template language function '{function}' expects two integers or two strings; "
        f"got '{type_name(left)}' and '{type_name(right)}'. Please see "
        "https://aka.ms/arm-functions for usage details."
    )


def collation_key(text: str) -> tuple[str, tuple[bool, ...]]:
    """How ARM orders strings: by letters ignoring case, then lower case before upper case
    ("A" is greater than "a": greater/less examples of template-functions-comparison.md in
    MicrosoftDocs/azure-docs) - .NET's culture-aware order, approximated by its first two
    levels."""
    return text.casefold(), tuple(char.isupper() for char in text)


@pure(FUNCTIONS, "greater", 2)
def greater(left: Any, right: Any) -> bool:
    a, b = _ordered("greater", left, right)
    return bool(a > b)


@pure(FUNCTIONS, "greaterOrEquals", 2)
def greater_or_equals(left: Any, right: Any) -> bool:
    a, b = _ordered("greaterOrEquals", left, right)
    return bool(a >= b)


@pure(FUNCTIONS, "less", 2)
def less(left: Any, right: Any) -> bool:
    a, b = _ordered("less", left, right)
    return bool(a < b)


@pure(FUNCTIONS, "lessOrEquals", 2)
def less_or_equals(left: Any, right: Any) -> bool:
    a, b = _ordered("lessOrEquals", left, right)
    return bool(a <= b)


@pure(FUNCTIONS, "coalesce", 1, None)
def coalesce(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


@pure(FUNCTIONS, "not", 1)
def not_(value: Any) -> bool:
    return not expect("not", value, bool)


@pure(FUNCTIONS, "true", 0)
def true() -> bool:
    return True


@pure(FUNCTIONS, "false", 0)
def false() -> bool:
    return False


@pure(FUNCTIONS, "null", 0)
def null() -> None:
    return None


@pure(FUNCTIONS, "bool", 1)
def bool_(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if is_int(value) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise TemplateError(
        "The template language function 'bool' was invoked with a parameter that is not valid. "
        "The value cannot be converted to the target type."
    )


@pure(FUNCTIONS, "int", 1)
def int_(value: Any) -> int:
    if is_int(value):
        return int(value)
    if isinstance(value, float) and math.isfinite(value) and abs(value) < 2**63:
        return int(value)
    text = value.strip() if isinstance(value, str) else ""
    if re.fullmatch(r"[+-]?[0-9]+", text):
        return checked_int(int(text), "int")
    raise TemplateError(
        f"The template language function 'int' cannot convert provided value '{value}' to "
        "integer value. Please see https://aka.ms/arm-function-int for usage details."
    )


@pure(FUNCTIONS, "float", 1)
def float_(value: Any) -> float:
    if is_number(value):
        return float(value)
    if isinstance(value, str):
        try:
            result = float(value)
        except ValueError:
            result = float("nan")
        if result == result and abs(result) != float("inf"):
            return result
    raise TemplateError(
        f"The template language function 'float' cannot convert provided value '{value}' to "
        "float value. Please see https://aka.ms/arm-functions for usage details."
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"'{name}' is not valid JSON")


@pure(FUNCTIONS, "json", 1)
def json_(text: Any) -> Any:
    """The JSON value of `text`, read as ARM's JSON reader reads it: `//` and `/* */` comments
    and single-quoted strings are allowed (Bicep's loadJsonContent() passes a file's comments
    through to json(); the docs' base64ToJson example parses "{'one': 'a', 'two': 'b'}")."""
    expect("json", text, str)
    try:
        try:
            value = _loads(text)
        except ValueError:
            value = _loads(lenient_json(text))
    except (ValueError, RecursionError) as exc:
        raise TemplateError(
            f"The template language function 'json' has an invalid parameter: '{text}' is not "
            "valid JSON. Please see https://aka.ms/arm-functions for usage details."
        ) from exc
    return value


def _loads(text: str) -> Any:
    return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)


_TOKEN = re.compile(
    r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|//[^\n]*|/\*.*?\*/|[^"'/]+|.""", re.DOTALL
)


def lenient_json(text: str) -> str:
    """`text` as strict JSON: comments become a space, single-quoted strings double-quoted."""
    return "".join(_strict(token) for token in _TOKEN.findall(text))


def _strict(token: str) -> str:
    if token.startswith(("//", "/*")):
        return " "
    if len(token) > 1 and token[0] == token[-1] == "'":
        body = re.sub(r"\\(.)|\"", _requote_escape, token[1:-1], flags=re.DOTALL)
        return f'"{body}"'
    return token


def _requote_escape(match: re.Match[str]) -> str:
    escaped = match.group(1)
    if escaped is None:
        return '\\"'  # a bare double quote inside single quotes
    return "'" if escaped == "'" else "\\" + escaped


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"'{text}' is out of range")
    return value


def _ints(function: str, left: Any, right: Any) -> tuple[int, int]:
    return expect(function, left, int, 1), expect(function, right, int, 2)


@pure(FUNCTIONS, "add", 2)
def add(left: Any, right: Any) -> int:
    a, b = _ints("add", left, right)
    return checked_int(a + b, "add")


@pure(FUNCTIONS, "sub", 2)
def sub(left: Any, right: Any) -> int:
    a, b = _ints("sub", left, right)
    return checked_int(a - b, "sub")


@pure(FUNCTIONS, "mul", 2)
def mul(left: Any, right: Any) -> int:
    a, b = _ints("mul", left, right)
    return checked_int(a * b, "mul")


def _quotient(function: str, a: int, b: int) -> int:
    if b == 0:
        raise TemplateError(
            f"Unable to evaluate language function '{function}': Attempted to divide by zero."
        )
    quotient = abs(a) // abs(b)
    return quotient if (a < 0) == (b < 0) else -quotient


@pure(FUNCTIONS, "div", 2)
def div(left: Any, right: Any) -> int:
    a, b = _ints("div", left, right)
    return checked_int(_quotient("div", a, b), "div")


@pure(FUNCTIONS, "mod", 2)
def mod(left: Any, right: Any) -> int:
    a, b = _ints("mod", left, right)
    return a - b * _quotient("mod", a, b)
