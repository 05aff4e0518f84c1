"""Expected values in golden files: placeholders, markers and inferred formats (pure).

A golden string is matched against what localcloud answered:

- `{subscription}`, `{group}`, `{tenant}`, `{location}`, `{account}`, `{name}`, `{endpoint}`
  and any value captured by a setup step are replaced by this run's values (only known names;
  any other `{...}` is literal text);
- `<marker>` stands for a format, either as the whole value or inside a longer string
  (`{endpoint}/subscriptions/{subscription}/operationresults/<base64url>?api-version=...`);
- a plain recorded value that is a timestamp, a GUID or an ISO-8601 duration is matched by
  format (a timestamp keeps its zone style: `Z`, `+00:00` or none), since those differ on
  every call; a long decimal string (a template hash) is matched as digits;
- anything else must be equal, casing included; a value written `<=>text` is compared with
  `text` exactly, without markers or inference (e.g. a template hash that must be identical).

Whole-value markers that match any JSON type: `<any>` (present, any value), `<optional>`
(absent or any value), `<absent>` (must be absent; for headers and object keys).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_DATE = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?"
_ZONES = {"Z": "Z", "offset": r"[+-]\d{2}:\d{2}", "none": ""}

# Markers usable inside a string or as a whole string value.
MARKERS: Mapping[str, str] = {
    "guid": GUID,
    "datetime": _DATE + r"(?:Z|[+-]\d{2}:\d{2})?",
    "datetimeZ": _DATE + "Z",
    "datetime+": _DATE + r"[+-]\d{2}:\d{2}",
    "duration": r"P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?",
    "httpdate": r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT",
    "digits": r"\d+",
    "int": r"-?\d+",
    "hex": r"[0-9a-fA-F]+",
    "HEX": r"[0-9A-F]+",
    "base64": r"[A-Za-z0-9+/]+={0,2}",
    "base64url": r"[A-Za-z0-9_-]+={0,2}",
    "etag": r'(?:W/)?"[^"]*"|0x[0-9A-F]+',
    "url": r"https://[^\s]+",
    "host": r"[A-Za-z0-9.-]+(?::\d+)?",
    "ipv4": r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}",
    "segment": r"[^/?#]+",
    "text": r"[\s\S]*",
    "nonempty": r"[\s\S]+",
}
# Whole-value markers for a JSON value's type (not usable inside a string).
TYPE_MARKERS = ("string", "number", "bool", "object", "array", "null")
ANY, OPTIONAL, ABSENT, PRESENT = "<any>", "<optional>", "<absent>", "<present>"
EXACT = "<=>"

_TOKEN = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}|<([A-Za-z0-9+]+)>")
_INFER_DATETIME = re.compile(r"^" + _DATE + r"(Z|[+-]\d{2}:\d{2})?$")
_INFER_GUID = re.compile(r"^" + GUID + r"$")
_INFER_DURATION = re.compile(r"^P(?:\d+D)?T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?$")
_INFER_DIGITS = re.compile(r"^\d{10,}$")


@dataclass(frozen=True)
class Expected:
    """A compiled expectation for one string: `regex` is None for plain equality."""

    text: str  # the expectation with placeholders filled in (for messages)
    regex: re.Pattern[str] | None

    def matches(self, actual: str) -> bool:
        if self.regex is None:
            return actual == self.text
        return self.regex.fullmatch(actual) is not None


def fill(text: str, values: Mapping[str, str]) -> str:
    """`text` with known `{placeholders}` replaced (markers and unknown braces kept)."""

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name is not None and name in values:
            return values[name]
        return m.group(0)

    return _TOKEN.sub(sub, text)


def inferred(text: str) -> str | None:
    """The regex a plain recorded value is matched by, when its format is volatile."""
    m = _INFER_DATETIME.match(text)
    if m:
        zone = m.group(1)
        style = "none" if zone is None else ("Z" if zone == "Z" else "offset")
        return _DATE + _ZONES[style]
    if _INFER_GUID.match(text):
        return GUID
    if _INFER_DURATION.match(text) and text != "P":
        return MARKERS["duration"]
    if _INFER_DIGITS.match(text):
        return r"\d+"
    return None


def expect(text: str, values: Mapping[str, str]) -> Expected:
    """Compile a golden string against this run's placeholder values."""
    if text.startswith(EXACT):
        return Expected(fill(text[len(EXACT) :], values), None)
    filled = fill(text, values)
    has_marker = any(m.group(2) in MARKERS for m in _TOKEN.finditer(text))
    if not has_marker:
        guess = inferred(filled)
        if guess is not None and filled == text:
            return Expected(filled, re.compile(guess))
        return Expected(filled, None)
    parts: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        parts.append(re.escape(fill(text[pos : m.start()], values)))
        name, marker = m.group(1), m.group(2)
        if name is not None:
            parts.append(re.escape(values.get(name, m.group(0))))
        elif marker in MARKERS:
            parts.append(f"(?:{MARKERS[marker]})")
        else:
            parts.append(re.escape(m.group(0)))
        pos = m.end()
    parts.append(re.escape(fill(text[pos:], values)))
    return Expected(filled, re.compile("".join(parts)))


def type_marker(value: object) -> str | None:
    """The JSON type name a whole-value `<type>` marker names, else None."""
    if isinstance(value, str) and value.startswith("<") and value.endswith(">"):
        name = value[1:-1]
        if name in TYPE_MARKERS:
            return name
    return None


def json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"
