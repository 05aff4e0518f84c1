"""KQL tokens (pure): the pieces `kql.py` parses, and the error every KQL step raises."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

ErrorKind = Literal["syntax", "semantic", "unsupported"]


class KqlError(ValueError):
    def __init__(self, kind: ErrorKind, message: str, position: int = 0, token: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.position = position
        self.token = token


# -- tokens ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Token:
    kind: Literal["name", "string", "number", "timespan", "datetime", "op", "end"]
    text: str
    position: int  # 1-based column


_TOKEN = re.compile(
    r"""\s*(?:
    (?P<datetime>datetime\s*\([^)]*\))
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<timespan>\d+(?:\.\d+)?(?:ms|d|h|m|s)\b)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<op>==|!=|=~|!~|<=|>=|!in~|!in\b|in~|![a-z_]+|[|(),<>=])
  | (?P<name>[A-Za-z_][A-Za-z0-9_\-]*)
    )""",
    re.VERBOSE | re.IGNORECASE,
)
TIMESPAN_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        if not text[pos:].strip():
            break
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            start = len(text) - len(text[pos:].lstrip())
            bad = text[start:].split()[0]
            raise KqlError("syntax", f"Query could not be parsed at '{bad}'", start + 1, bad)
        kind = match.lastgroup
        assert kind is not None
        value = match.group(kind)
        tokens.append(Token(kind, value, match.start(kind) + 1))  # type: ignore[arg-type]
        pos = match.end()
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


def unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    return text


def timespan(text: str) -> timedelta:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|d|h|m|s)", text)
    if match is None:
        raise KqlError("syntax", f"'{text}' is not a timespan")
    return timedelta(seconds=float(match.group(1)) * TIMESPAN_UNITS[match.group(2)])
