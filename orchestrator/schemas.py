"""The JSON Schemas this tool ships (orchestrator/schemas/*.json) and the translation of
jsonschema errors into `Problem` lines: `FILE: JSON.PATH: what is wrong (what is expected)`.

jsonschema is imported inside the functions so that `orchestrator --help` does not pay for it.
The schemas are read as the package's files (they are installed next to this module), without
importlib.resources and its zip support, which `deploy` would otherwise import for them.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestrator.errors import Problem

if TYPE_CHECKING:
    from jsonschema import ValidationError

    from orchestrator.jsonio import SourceMap

Locate = Callable[[Sequence[str | int]], str]  # JSON path -> `FILE` or `FILE:LINE:COLUMN`

DEPLOYMENT_PARAMETERS = "deployment_parameters"
INFERENCE_CONFIG = "inference_config"
FINETUNING_CONFIG = "finetuning_config"

_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$-]*$")

_TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "array": "an array",
    "object": "an object",
    "null": "null",
}


@functools.cache
def load_schema(name: str) -> Mapping[str, Any]:
    """One of the shipped schemas, by base name (e.g. "inference_config")."""
    path = Path(__file__).with_name("schemas") / f"{name}.schema.json"
    text = path.read_text(encoding="utf-8")
    schema: Mapping[str, Any] = json.loads(text)
    return schema


def json_path(parts: Iterable[str | int]) -> str:
    """`["parameters", "x", "value", 0]` -> `parameters.x.value[0]`; the document itself is `$`."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENTIFIER.match(part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part)}]"
    return out or "$"


def json_type(value: Any) -> str:
    """The JSON type of a Python value as a phrase: 'a string', 'null', ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def short(value: Any, limit: int = 60) -> str:
    """A value as JSON, cut to `limit` characters."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def locator(file: str, source_map: SourceMap | None) -> Locate:
    """Where a JSON path of `file` is: `FILE:LINE:COLUMN` when the positions are known."""
    if source_map is None or source_map.file != file:
        return lambda _parts: file
    return source_map.where


def schema_problems(
    schema: Mapping[str, Any],
    instance: Any,
    file: str,
    prefix: Sequence[str | int] = (),
    *,
    source_map: SourceMap | None = None,
    secret: bool = False,
) -> list[Problem]:
    """Every problem of `instance` under `schema` (Draft 2020-12), in document order. With
    `source_map` each problem names FILE:LINE:COLUMN; with `secret` no value is quoted."""
    validator = _validator_class()(schema)
    locate = locator(file, source_map)
    problems: list[Problem] = []
    for error in validator.iter_errors(instance):
        problems.extend(_translate(error, locate, [*prefix, *error.path], secret))
    return list(dict.fromkeys(problems))  # one `required` error may name every missing key


def _schema(error: ValidationError) -> Mapping[str, Any]:
    return error.schema if isinstance(error.schema, Mapping) else {}


def _expected(error: ValidationError) -> str:
    schema = _schema(error)
    described = schema.get("description")
    if isinstance(described, str):
        return described
    wanted = schema.get("type")
    if isinstance(wanted, str):
        return _TYPE_WORDS.get(wanted, wanted)
    if isinstance(wanted, list):
        return " or ".join(_TYPE_WORDS.get(str(t), str(t)) for t in wanted)
    return ""


def _translate(
    error: ValidationError, locate: Locate, parts: list[str | int], secret: bool
) -> list[Problem]:
    where = json_path(parts)
    kind = error.validator
    value: Any = error.instance
    expected = _expected(error)
    if kind == "required":
        names = error.validator_value if isinstance(error.validator_value, list) else []
        missing = [[*parts, k] for k in names if k not in value]
        return [Problem(locate(p), json_path(p), "is missing", expected) for p in missing]
    if kind == "additionalProperties":
        allowed = list(_schema(error).get("properties") or {})
        extra = [[*parts, k] for k in value if k not in allowed]
        hint = f"one of: {', '.join(allowed)}" if allowed else expected
        return [Problem(locate(p), json_path(p), "unknown key", hint) for p in extra]
    file = locate(parts)
    if kind == "oneOf" and isinstance(value, Mapping):
        return [Problem(file, where, "needs exactly one of 'value' or 'reference'", expected)]
    shown = "the secure value" if secret else short(value)
    return [Problem(file, where, _message(kind, value, shown, error), expected)]


def _message(kind: Any, value: Any, shown: str, error: ValidationError) -> str:
    limit = error.validator_value
    if kind == "type":
        return f"is {json_type(value)}"
    if kind == "enum":
        return f"{shown} is not an allowed value"
    if kind == "const":
        return f"is {shown}"
    if kind in ("pattern", "format"):
        return f"{shown} has the wrong form"
    if kind in ("minLength", "maxLength"):
        return f"{shown} is {len(value)} characters long (limit {limit})"
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return f"is {shown} (limit {limit})"
    if kind in ("minItems", "maxItems"):
        return f"has {len(value)} items (limit {limit})"
    return "is not valid" if shown != short(value) else str(error.message)


# --- ECMA-262 regular expressions --------------------------------------------------------------


def ecma_pattern(pattern: str) -> str:
    """A JSON Schema `pattern` (ECMA-262) as a Python regex with the same meaning: ECMA's `$`
    matches only at the very end, Python's also before a final newline, so each `$` anchor
    (outside a character class, not escaped) becomes `\\Z`."""
    out: list[str] = []
    escaped = in_class = False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch == "$" and not in_class:
            out.append("\\Z")
            continue
        out.append(ch)
    return "".join(out)


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(ecma_pattern(pattern))


def _pattern_keyword(
    validator: Any, pattern: str, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    from jsonschema import ValidationError

    if isinstance(instance, str) and _compiled(pattern).search(instance) is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@functools.cache
def _validator_class() -> Any:
    """Draft 2020-12 with ECMA `pattern` anchoring (a trailing newline is not accepted)."""
    from jsonschema import Draft202012Validator, validators

    extend: Callable[..., Any] = validators.extend
    return extend(Draft202012Validator, {"pattern": _pattern_keyword})
