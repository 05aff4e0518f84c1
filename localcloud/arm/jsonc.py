"""JSON with comments, as ARM accepts it in deployment requests.

The az CLI does not send strict JSON: its `JsonCTemplatePolicy` splices the template file's
text, verbatim, into the body after an unquoted key (`{"properties": {...}, template:{...}}`),
so the body can hold an unquoted property name, `//` and `/* */` comments (Bicep-generated
JSON and hand-written templates carry them) and trailing commas. ARM reads all of that.

`to_strict_json(text)` rewrites such text into strict JSON (pure, one pass, no recursion);
callers try `json.loads` first and use it only when that fails. Text it cannot rewrite is
returned as it was, so json's own error message reports the problem.
"""

from __future__ import annotations

import json
import re
from typing import Any

_BARE_KEY = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_SPACE = " \t\r\n"


def loads_lenient(text: str) -> Any:
    """`json.loads`, falling back to the JSONC rewrite; raises `json.JSONDecodeError`."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as strict_error:
        rewritten = to_strict_json(text)
        if rewritten == text:
            raise
        try:
            return json.loads(rewritten)
        except json.JSONDecodeError:
            raise strict_error from None


def to_strict_json(text: str) -> str:
    """`text` without comments and trailing commas, with bare property names quoted."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            end = _string_end(text, i)
            out.append(text[i:end])
            i = end
        elif text.startswith("//", i):
            i = _line_end(text, i)
        elif text.startswith("/*", i):
            close = text.find("*/", i + 2)
            if close < 0:
                return text
            out.append(" ")
            i = close + 2
        elif ch == ",":
            after = _skip_space_and_comments(text, i + 1)
            if after < n and text[after] in "}]":
                i = after
            else:
                out.append(ch)
                i += 1
        elif _BARE_KEY.match(text, i) and _previous_token(out) in ("{", ","):
            match = _BARE_KEY.match(text, i)
            assert match is not None
            after = _skip_space_and_comments(text, match.end())
            if after < n and text[after] == ":":
                out.append(json.dumps(match.group(0)))
            else:
                out.append(match.group(0))
            i = match.end()
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _string_end(text: str, start: int) -> int:
    """The index just past the string literal opening at `start` (or the end of the text)."""
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text[i] == '"':
            return i + 1
        else:
            i += 1
    return len(text)


def _line_end(text: str, start: int) -> int:
    newline = text.find("\n", start)
    return len(text) if newline < 0 else newline


def _skip_space_and_comments(text: str, i: int) -> int:
    n = len(text)
    while i < n:
        if text[i] in _SPACE:
            i += 1
        elif text.startswith("//", i):
            i = _line_end(text, i)
        elif text.startswith("/*", i):
            close = text.find("*/", i + 2)
            i = n if close < 0 else close + 2
        else:
            return i
    return i


def _previous_token(out: list[str]) -> str:
    """The last non-space character written so far ("" at the start)."""
    for piece in reversed(out):
        stripped = piece.rstrip(_SPACE)
        if stripped:
            return stripped[-1]
    return ""
