"""Comparing one answer of localcloud with a golden answer (pure).

Every difference is a `Divergence` named by where it is: `status`, `header.<Name>`,
`body`, `body.properties.provisioningState`, `body.value[0].type`, ... (a prefix such as
`poll.final.` or `after[0].` is added by the harness for later steps of a flow).

- Status: equal.
- Headers (case-insensitive names): `<present>`, `<absent>`, `<optional>`, or a string
  expectation (fid_patterns.py). Headers the golden file does not name are not compared.
- Body: the key set of every object (placeholders in keys filled), recursively and with
  casing, must be equal (a key whose
  expected value is `<optional>` may be missing, one marked `<absent>` must be missing);
  arrays are compared item by item (equal length), except `["<each>", template]`: at least
  one item, each matching the template; scalars by fid_patterns.py (`<string>`, `<number>`,
  `<bool>`, `<object>`, `<array>`, `<null>` check only the JSON type).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fid_patterns import (
    ABSENT,
    ANY,
    OPTIONAL,
    PRESENT,
    expect,
    fill,
    json_type,
    type_marker,
)

EACH = "<each>"


@dataclass(frozen=True)
class Divergence:
    where: str
    expected: str
    actual: str

    def __str__(self) -> str:
        return f"{self.where}: expected {self.expected}, got {self.actual}"


def _short(value: Any, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def compare_status(expected: int, actual: int, where: str = "status") -> list[Divergence]:
    if expected == actual:
        return []
    return [Divergence(where, str(expected), str(actual))]


def compare_headers(
    expected: Mapping[str, str],
    actual: Mapping[str, str],
    values: Mapping[str, str],
    prefix: str = "header.",
) -> list[Divergence]:
    lowered = {k.lower(): v for k, v in actual.items()}
    out: list[Divergence] = []
    for name, want in expected.items():
        got = lowered.get(name.lower())
        where = prefix + name
        if want == ABSENT:
            if got is not None:
                out.append(Divergence(where, "absent", _short(got)))
            continue
        if got is None:
            if want != OPTIONAL:
                out.append(Divergence(where, _short(want), "absent"))
            continue
        if want in (PRESENT, ANY, OPTIONAL):
            continue
        expectation = expect(want, values)
        if not expectation.matches(got):
            out.append(Divergence(where, _short(expectation.text), _short(got)))
    return out


def compare_body(
    expected: Any, actual: Any, values: Mapping[str, str], where: str = "body"
) -> list[Divergence]:
    if expected in (ANY, OPTIONAL):
        return []
    marker = type_marker(expected)
    if marker is not None:
        got = json_type(actual)
        return [] if got == marker else [Divergence(where, f"a {marker}", f"a {got}")]
    if isinstance(expected, dict):
        return _compare_object(expected, actual, values, where)
    if isinstance(expected, list):
        return _compare_array(expected, actual, values, where)
    if isinstance(expected, str):
        if not isinstance(actual, str):
            return [Divergence(where, _short(expected), _short(actual))]
        expectation = expect(expected, values)
        if expectation.matches(actual):
            return []
        return [Divergence(where, _short(expectation.text), _short(actual))]
    if json_type(expected) != json_type(actual) or expected != actual:
        return [Divergence(where, _short(expected), _short(actual))]
    return []


def _compare_object(
    expected: dict[str, Any], actual: Any, values: Mapping[str, str], where: str
) -> list[Divergence]:
    if not isinstance(actual, dict):
        return [Divergence(where, "an object", f"a {json_type(actual)}")]
    out: list[Divergence] = []
    expected = {fill(key, values): want for key, want in expected.items()}
    for key, want in expected.items():
        path = f"{where}.{key}"
        if key not in actual:
            if want not in (OPTIONAL, ABSENT):
                out.append(Divergence(path, "present", "absent" + _casing_hint(key, actual)))
            continue
        if want == ABSENT:
            out.append(Divergence(path, "absent", _short(actual[key])))
            continue
        out.extend(compare_body(want, actual[key], values, path))
    for key in actual:
        if key not in expected:
            out.append(Divergence(f"{where}.{key}", "absent", _short(actual[key])))
    return out


def _casing_hint(key: str, actual: Mapping[str, Any]) -> str:
    for other in actual:
        if other.lower() == key.lower():
            return f" (present as '{other}')"
    return ""


def _compare_array(
    expected: list[Any], actual: Any, values: Mapping[str, str], where: str
) -> list[Divergence]:
    if not isinstance(actual, list):
        return [Divergence(where, "an array", f"a {json_type(actual)}")]
    if len(expected) == 2 and expected[0] == EACH:
        if not actual:
            return [Divergence(where, "at least one item", "an empty array")]
        out: list[Divergence] = []
        for i, item in enumerate(actual):
            out.extend(compare_body(expected[1], item, values, f"{where}[{i}]"))
        return out
    if len(expected) != len(actual):
        return [Divergence(f"{where}.length", str(len(expected)), str(len(actual)))]
    out = []
    for i, (want, got) in enumerate(zip(expected, actual, strict=True)):
        out.extend(compare_body(want, got, values, f"{where}[{i}]"))
    return out
