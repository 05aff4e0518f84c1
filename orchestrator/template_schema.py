"""A JSON Schema for parameter values, derived from a compiled template's `parameters` section
(pure, no I/O).

ARM types map to JSON types (string/securestring -> string, int -> integer, bool -> boolean,
array -> array, object/secureobject -> object); `allowedValues` -> `enum` (for arrays: every
element), `minLength`/`maxLength` -> string length or array size, `minValue`/`maxValue` ->
`minimum`/`maximum`. A parameter without `defaultValue` is required; names the template does
not declare are not allowed (ARM rejects them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# ARM's `int` is a 64-bit signed integer.
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

_JSON_TYPES = {
    "string": "string",
    "securestring": "string",
    "int": "integer",
    "bool": "boolean",
    "array": "array",
    "object": "object",
    "secureobject": "object",
}

_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "boolean": "true or false",
    "array": "an array",
    "object": "an object",
}


def declared_parameters(template: Mapping[str, Any]) -> Mapping[str, Mapping[str, Any]]:
    section = template.get("parameters")
    if not isinstance(section, Mapping):
        return {}
    return {k: v for k, v in section.items() if isinstance(v, Mapping)}


def arm_type(declaration: Mapping[str, Any]) -> str:
    kind = declaration.get("type")
    return kind.lower() if isinstance(kind, str) else ""


def required_parameters(template: Mapping[str, Any]) -> list[str]:
    """Parameters without a default value (ARM fails the deployment when they are missing)."""
    return [n for n, d in declared_parameters(template).items() if "defaultValue" not in d]


def parameter_schema(declaration: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON Schema one parameter's value must satisfy."""
    kind = arm_type(declaration)
    json_type = _JSON_TYPES.get(kind)
    if json_type is None:
        return {}
    schema: dict[str, Any] = {"type": json_type}
    words = [f"{_WORDS[json_type]} (template type {kind})"]
    _add_allowed(schema, words, declaration, json_type)
    _add_lengths(schema, words, declaration, json_type)
    _add_range(schema, words, declaration, json_type)
    schema["description"] = ", ".join(words)
    return schema


def _add_allowed(
    schema: dict[str, Any], words: list[str], declaration: Mapping[str, Any], json_type: str
) -> None:
    allowed = declaration.get("allowedValues")
    if not isinstance(allowed, list):
        return
    if json_type == "array":
        schema["items"] = {"enum": allowed, "description": f"each one of {allowed}"}
        words.append(f"each element one of {allowed}")
    else:
        schema["enum"] = allowed
        words.append("one of " + ", ".join(_literal(v) for v in allowed))


def _add_lengths(
    schema: dict[str, Any], words: list[str], declaration: Mapping[str, Any], json_type: str
) -> None:
    low, high = declaration.get("minLength"), declaration.get("maxLength")
    unit = "items" if json_type == "array" else "characters"
    key_low, key_high = (
        ("minItems", "maxItems") if json_type == "array" else ("minLength", "maxLength")
    )
    if isinstance(low, int):
        schema[key_low] = low
        words.append(f"at least {low} {unit}")
    if isinstance(high, int):
        schema[key_high] = high
        words.append(f"at most {high} {unit}")


def _add_range(
    schema: dict[str, Any], words: list[str], declaration: Mapping[str, Any], json_type: str
) -> None:
    """`minValue`/`maxValue`, within ARM's 64-bit integers (a wider value never deploys)."""
    if json_type != "integer":
        return
    low, high = declaration.get("minValue"), declaration.get("maxValue")
    schema["minimum"], schema["maximum"] = INT64_MIN, INT64_MAX
    if isinstance(low, int) and not isinstance(low, bool):
        schema["minimum"] = max(low, INT64_MIN)
        words.append(f">= {low}")
    if isinstance(high, int) and not isinstance(high, bool):
        schema["maximum"] = min(high, INT64_MAX)
        words.append(f"<= {high}")
    if not (isinstance(low, int) and isinstance(high, int)):
        words.append("a 64-bit integer")


def _literal(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)
