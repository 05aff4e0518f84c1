"""Where a value sits in JSON text: the line and column ARM reports in template errors.

`value_position(text, path)` scans the request text (JSON, or the JSON with comments, bare
property names and trailing commas that ARM also reads) down the given path of property names
and array indexes and returns the position ARM reports for that value: Json.NET's, the 1-based
line and the column of the token's last character (an object's `{`, a string's closing
quote). ARM's errors quoted by (an earlier revision of) Azure/bicep's LocalJsonModuleTests
show both: "The template output '[resourceGroup().id]' at line '6' and column '29'" points at
the `{` of the output, "Template parameter 'foo' at line '6' and column '19' has invalid type
'12345'" at the last digit. The scan stops at the
value: text after it is never read, and nothing is built.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

_SPACE = re.compile(r"(?:\s+|//[^\n]*|/\*.*?\*/)+", re.DOTALL)
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BARE_KEY = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_SCALAR = re.compile(r"[^\s,:\]}/]+")

Path = Sequence[str | int]


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0

    def skip_space(self) -> None:
        match = _SPACE.match(self.text, self.i)
        if match:
            self.i = match.end()

    def peek(self) -> str:
        self.skip_space()
        return self.text[self.i : self.i + 1]

    def key(self) -> str | None:
        """The property name at the cursor (quoted or bare), consumed with its colon."""
        self.skip_space()
        match = _STRING.match(self.text, self.i) or _BARE_KEY.match(self.text, self.i)
        if match is None:
            return None
        raw = match.group(0)
        self.i = match.end()
        if self.peek() != ":":
            return None
        self.i += 1
        return _unquote(raw) if raw.startswith('"') else raw

    def skip_value(self) -> bool:
        """Move past the value at the cursor; False when the text is not JSON here."""
        char = self.peek()
        if char in "{[":
            return self._skip_container("}" if char == "{" else "]")
        match = _STRING.match(self.text, self.i) or _SCALAR.match(self.text, self.i)
        if match is None:
            return False
        self.i = match.end()
        return True

    def _skip_container(self, close: str) -> bool:
        self.i += 1
        while True:
            if self.peek() == close:
                self.i += 1
                return True
            if close == "}" and self.key() is None:
                return False
            if not self.skip_value():
                return False
            if self.peek() == ",":
                self.i += 1
            elif self.peek() != close:
                return False


def _unquote(raw: str) -> str:
    try:
        value = json.loads(raw)
    except ValueError:
        return raw[1:-1]
    return value if isinstance(value, str) else raw[1:-1]


def _enter(scanner: _Scanner, step: str | int) -> bool:
    """Move the cursor from a container's opening to the value `step` names."""
    opening = scanner.peek()
    if isinstance(step, int) and opening == "[":
        scanner.i += 1
        for _ in range(step):
            if scanner.peek() == "]" or not scanner.skip_value():
                return False
            if scanner.peek() != ",":
                return False
            scanner.i += 1
        return scanner.peek() not in ("]", "")
    if isinstance(step, str) and opening == "{":
        scanner.i += 1
        fallback = None  # a key matching only when case is ignored, as ARM's lookups do
        while scanner.peek() not in ("}", ""):
            name = scanner.key()
            if name is None:
                break
            if name == step:
                scanner.skip_space()
                return True
            if fallback is None and name.lower() == step.lower():
                scanner.skip_space()
                fallback = scanner.i
            if not scanner.skip_value():
                break
            if scanner.peek() == ",":
                scanner.i += 1
        if fallback is not None:
            scanner.i = fallback
            return True
    return False


def value_position(text: str, path: Path) -> tuple[int, int] | None:
    """(line, column) of the value at `path` in `text` as Json.NET reports a token's position
    (ARM's "at line 'L' and column 'C'"): 1-based, the column of the token's last character -
    an object's or array's opening bracket, a string's closing quote. None when not found."""
    scanner = _Scanner(text[1:] if text.startswith("\ufeff") else text)
    for step in path:
        if not _enter(scanner, step):
            return None
    scanner.skip_space()
    if scanner.i >= len(scanner.text):
        return None
    last = scanner.i
    if scanner.text[last] not in "{[":
        token = _STRING.match(scanner.text, last) or _SCALAR.match(scanner.text, last)
        last = token.end() - 1 if token else last
    before = scanner.text[:last]
    return before.count("\n") + 1, last - (before.rfind("\n") + 1) + 1
