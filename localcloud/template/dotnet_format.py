"""`format()`: .NET composite formatting (`{0}`, `{1,-8}`, `{2:N0}`, `{{`/`}}` escapes)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from localcloud.template.errors import TemplateError
from localcloud.template.values import is_number, render, render_formatted

MAX_ALIGNMENT = 10_000
_ITEM = re.compile(r"\{\s*(\d+)\s*(?:,\s*(-?\d+)\s*)?(?::([^{}]*))?\}")
_STANDARD = re.compile(r"^([NnDdFfXxGgPpEe])(\d{0,2})$")


def _invalid(detail: str) -> TemplateError:
    return TemplateError(
        f"Unable to evaluate language function 'format': the format is invalid: '{detail}'. "
        "Please see https://aka.ms/arm-function-format for usage details."
    )


_BAD_INPUT = "Input string was not in a correct format."
_BAD_INDEX = (
    "Index (zero based) must be greater than or equal to zero and less than the size of the "
    "argument list."
)


def composite_format(template: str, args: Sequence[Any]) -> str:
    """Format `template` with `args` the way .NET's `string.Format` does."""
    out: list[str] = []
    i = 0
    while i < len(template):
        char = template[i]
        if char in "{}" and template[i + 1 : i + 2] == char:
            out.append(char)
            i += 2
        elif char == "}":
            raise _invalid(_BAD_INPUT)
        elif char == "{":
            match = _ITEM.match(template, i)
            if match is None:
                raise _invalid(_BAD_INPUT)
            out.append(_format_item(match, args))
            i = match.end()
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _format_item(match: re.Match[str], args: Sequence[Any]) -> str:
    index = int(match.group(1))
    if index >= len(args):
        raise _invalid(_BAD_INDEX)
    text = format_value(args[index], match.group(3))
    alignment = int(match.group(2) or 0)
    if abs(alignment) > MAX_ALIGNMENT:
        raise _invalid(_BAD_INPUT)
    return text.rjust(alignment) if alignment >= 0 else text.ljust(-alignment)


def format_value(value: Any, spec: str | None) -> str:
    """One argument rendered with an optional .NET format string (numbers only)."""
    if not spec or not is_number(value):
        return render_formatted(value)
    standard = _STANDARD.match(spec)
    if standard is None:
        return _custom(value, spec)
    letter, digits = standard.group(1), standard.group(2)
    precision = int(digits) if digits else None
    return _standard(value, letter, precision)


def _standard(value: int | float, letter: str, precision: int | None) -> str:
    upper = letter.upper()
    if upper == "N":
        return f"{value:,.{2 if precision is None else precision}f}"
    if upper == "F":
        return f"{value:.{2 if precision is None else precision}f}"
    if upper == "P":
        return f"{value * 100:,.{2 if precision is None else precision}f} %"
    if upper == "E":
        text = f"{value:.{6 if precision is None else precision}e}"
        mantissa, exponent = text.split("e")
        sign, digits = exponent[0], exponent[1:].rjust(3, "0")
        return f"{mantissa}{letter}{sign}{digits}"
    if isinstance(value, float):
        if upper in ("D", "X"):
            raise _invalid("Format specifier was invalid.")
        return render(value)
    if upper == "D":
        width = precision or 0
        return f"-{str(-value).rjust(width, '0')}" if value < 0 else str(value).rjust(width, "0")
    if upper == "X":
        text = format(value & 0xFFFFFFFFFFFFFFFF if value < 0 else value, "X")
        text = text.rjust(precision or 0, "0")
        return text if letter == "X" else text.lower()
    return render(value)


def _custom(value: int | float, spec: str) -> str:
    """The common custom numeric formats: `0`, `0.00`, `#,##0`, `#,##0.0`, `000`."""
    if not re.fullmatch(r"[#0,]*(\.[#0]*)?", spec):
        return spec
    decimals = spec.split(".", 1)[1] if "." in spec else ""
    places = len(decimals)
    grouping = "," if "," in spec.split(".", 1)[0] else ""
    text = f"{value:{grouping}.{places}f}"
    minimum = spec.split(".", 1)[0].replace(",", "").replace("#", "")
    whole, _, fraction = text.partition(".")
    negative = whole.startswith("-")
    whole = whole.lstrip("-")
    if len(minimum) > len(whole.replace(",", "")):
        whole = whole.replace(",", "").rjust(len(minimum), "0")
    if whole == "0" and not minimum:
        whole = ""
    fraction = fraction.rstrip("0").ljust(decimals.count("0"), "0") if places else ""
    sign = "-" if negative else ""
    return f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole or '0'}"
