"""Reading the plain part of ARM template expressions offline (pure).

Enough of the language for names and counts: string and integer literals, `parameters()`,
`variables()`, `resourceGroup().location` / `.name`, `subscription().subscriptionId`,
`format()` (`{0}` placeholders), `concat()`, `toLower()`, `toUpper()`, `string()`, `int()`,
property access and `[index]`. Anything else - `uniqueString()`, `reference()` - is
`UNRESOLVED`, and so is every expression that uses it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final


class _Unresolved:
    def __repr__(self) -> str:
        return "UNRESOLVED"


UNRESOLVED: Final = _Unresolved()
_TOKEN = re.compile(r"\s*(?:('(?:[^']|'')*')|(-?\d+)|([A-Za-z_][A-Za-z0-9_]*)|([().,\[\]]))")
_PLACEHOLDER = re.compile(r"\{(\d+)\}")


class _ParseError(ValueError):
    pass


@dataclass(frozen=True)
class Scope:
    """Where names come from: the lookups of parameters and variables, the deployment's
    resource group and subscription."""

    parameter: Callable[[str], object]
    variable: Callable[[str], object]
    group_location: str = ""
    group_name: str = ""
    subscription: str = ""


def evaluate(text: str, scope: Scope) -> object:
    """The value of one expression (the text between `[` and `]`)."""
    try:
        tokens = _tokens(text)
        value, rest = _expression(tokens, scope)
    except (_ParseError, IndexError):
        return UNRESOLVED
    return UNRESOLVED if rest else value


def _tokens(text: str) -> list[str]:
    out, position = [], 0
    while position < len(text.rstrip()):
        match = _TOKEN.match(text, position)
        if match is None:
            raise _ParseError(text[position:])
        out.append(match.group(match.lastindex or 0))
        position = match.end()
    return out


def _expression(tokens: Sequence[str], scope: Scope) -> tuple[object, Sequence[str]]:
    value, rest = _primary(tokens, scope)
    while rest and rest[0] in (".", "["):
        if rest[0] == ".":
            value, rest = _member(value, rest[1]), rest[2:]
        else:
            index, rest = _expression(rest[1:], scope)
            if not rest or rest[0] != "]":
                raise _ParseError("]")
            value, rest = _member(value, index), rest[1:]
    return value, rest


def _primary(tokens: Sequence[str], scope: Scope) -> tuple[object, Sequence[str]]:
    head = tokens[0]
    if head.startswith("'"):
        return head[1:-1].replace("''", "'"), tokens[1:]
    if head.lstrip("-").isdigit():
        return int(head), tokens[1:]
    if not tokens[1:] or tokens[1] != "(":
        raise _ParseError(head)
    args: list[object] = []
    rest = tokens[2:]
    while rest[0] != ")":
        value, rest = _expression(rest, scope)
        args.append(value)
        if rest[0] == ",":
            rest = rest[1:]
    return _call(head.lower(), args, scope), rest[1:]


def _member(value: object, key: object) -> object:
    if isinstance(value, Mapping):
        found = {str(k).lower(): v for k, v in value.items()}
        return found.get(str(key).lower(), UNRESOLVED)
    if isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
        return value[key]
    return UNRESOLVED


def _call(name: str, args: list[object], scope: Scope) -> object:
    if any(a is UNRESOLVED for a in args):
        return UNRESOLVED
    match name:
        case "parameters" if len(args) == 1:
            return scope.parameter(str(args[0]))
        case "variables" if len(args) == 1:
            return scope.variable(str(args[0]))
        case "resourcegroup" if not args:
            return {
                "location": scope.group_location or UNRESOLVED,
                "name": scope.group_name or UNRESOLVED,
            }
        case "subscription" if not args:
            return {"subscriptionId": scope.subscription or UNRESOLVED}
        case "format" if args and isinstance(args[0], str):
            return _format(args[0], args[1:])
        case "concat" if all(isinstance(a, str) for a in args):
            return "".join(str(a) for a in args)
        case "tolower" | "toupper" if len(args) == 1 and isinstance(args[0], str):
            return args[0].lower() if name == "tolower" else args[0].upper()
        case "string" if len(args) == 1 and isinstance(args[0], (str, int)):
            return str(args[0])
        case "int" if len(args) == 1 and str(args[0]).lstrip("-").isdigit():
            return int(str(args[0]))
    return UNRESOLVED


def _format(template: str, args: Sequence[object]) -> object:
    if any(isinstance(a, (Mapping, list)) for a in args):
        return UNRESOLVED

    def one(match: re.Match[str]) -> str:
        index = int(match[1])
        if index >= len(args):
            raise _ParseError(match[0])
        return str(args[index])

    try:
        return _PLACEHOLDER.sub(one, template)
    except _ParseError:
        return UNRESOLVED
