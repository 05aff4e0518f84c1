"""Template outputs: condition, copy loops, type checks, secure outputs without values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from localcloud.template.context import Context
from localcloud.template.errors import TemplateError
from localcloud.template.parameters import ARM_TYPES, SECURE_TYPES
from localcloud.template.tree import evaluate_value, expand_copy
from localcloud.template.values import is_int, type_name

_PYTHON_TYPES = {
    "string": "String",
    "securestring": "String",
    "int": "Integer",
    "bool": "Boolean",
    "object": "Object",
    "secureobject": "Object",
    "array": "Array",
}


def evaluate_outputs(declarations: Any, ctx: Context) -> dict[str, dict[str, Any]]:
    """`{"NAME": {"type": "String", "value": ...}}` for every output whose condition holds."""
    if declarations is None:
        return {}
    if not isinstance(declarations, Mapping):
        raise TemplateError("The template 'outputs' must be an object.", target="outputs")
    ctx = ctx.at_stage("outputs")
    result: dict[str, dict[str, Any]] = {}
    for name, decl in declarations.items():
        path = f"outputs.{name}"
        if not isinstance(decl, Mapping):
            raise TemplateError("A template output must be an object.", target=path)
        if _condition(decl, ctx, path):
            result[name] = _output(name, decl, ctx, path)
    return result


def _condition(decl: Mapping[str, Any], ctx: Context, path: str) -> bool:
    if "condition" not in decl:
        return True
    value = evaluate_value(decl["condition"], ctx, f"{path}.condition")
    if not isinstance(value, bool):
        raise TemplateError(
            "The output condition must evaluate to a boolean.", target=f"{path}.condition"
        )
    return value


def _output(name: str, decl: Mapping[str, Any], ctx: Context, path: str) -> dict[str, Any]:
    copy = decl.get("copy")
    if isinstance(copy, Mapping):
        value: Any = expand_copy({**copy, "name": ""}, ctx, f"{path}.copy")
    else:
        value = evaluate_value(decl.get("value"), ctx, f"{path}.value")
    declared = decl.get("type")
    kind = declared.lower() if isinstance(declared, str) else None
    if kind is not None and kind not in ARM_TYPES:
        raise TemplateError(f"The template output '{name}' has an invalid type '{declared}'.")
    if kind is not None and value is not None and not _has_type(kind, value):
        raise TemplateError(
            f"The template output '{name}' is not valid: Template output JToken type is not "
            f"valid. Expected '{_PYTHON_TYPES[kind]}'. Actual '{type_name(value)}'.",
            target=path,
        )
    if kind in SECURE_TYPES:
        return {"type": ARM_TYPES[kind]}
    return {"type": ARM_TYPES[kind] if kind else type_name(value), "value": value}


def _has_type(kind: str, value: Any) -> bool:
    expected = _PYTHON_TYPES[kind]
    return is_int(value) if expected == "Integer" else type_name(value) == expected
