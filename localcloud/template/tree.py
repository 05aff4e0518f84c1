"""Evaluation of template JSON values: expression strings, `copy` property loops, keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from localcloud.template.context import Context
from localcloud.template.errors import TemplateError, Unresolved
from localcloud.template.expressions import is_expression, unescape_literal
from localcloud.template.interpreter import evaluate_expression
from localcloud.template.values import is_int

MAX_COPY = 800


def evaluate_value(value: Any, ctx: Context, path: str, *, lenient: bool = False) -> Any:
    """`value` with every expression evaluated; `path` locates errors in the template.

    In lenient mode an expression that raises `Unresolved` is kept as its "[...]" text.
    """
    if isinstance(value, str):
        return evaluate_string(value, ctx, path, lenient=lenient)
    if isinstance(value, list):
        return [
            evaluate_value(item, ctx, f"{path}[{i}]", lenient=lenient)
            for i, item in enumerate(value)
        ]
    if isinstance(value, Mapping):
        return _evaluate_object(value, ctx, path, lenient)
    return value


def evaluate_string(text: str, ctx: Context, path: str, *, lenient: bool = False) -> Any:
    if not is_expression(text):
        return unescape_literal(text)
    try:
        return evaluate_expression(text, ctx)
    except Unresolved as exc:
        if lenient:
            return text
        raise exc.at(path) from None
    except TemplateError as exc:
        raise exc.at(path) from None
    except RecursionError as exc:
        raise TemplateError("The expression is nested too deeply.", target=path) from exc


def _evaluate_object(obj: Mapping[str, Any], ctx: Context, path: str, lenient: bool) -> Any:
    result: dict[str, Any] = {}
    for key, value in obj.items():
        if key.lower() == "copy" and is_property_copy(value):
            for spec_path, spec in _specs(value, f"{path}.copy"):
                result[spec["name"]] = expand_copy(spec, ctx, spec_path, lenient=lenient)
            continue
        name = evaluate_string(key, ctx, f"{path}.{key}", lenient=lenient)
        if not isinstance(name, str):
            raise TemplateError(
                f"The property name expression '{key}' must evaluate to a string.",
                target=f"{path}.{key}",
            )
        result[name] = evaluate_value(value, ctx, f"{path}.{name}", lenient=lenient)
    return result


def is_property_copy(value: Any) -> bool:
    """True for a property-iteration `copy`: a list of {name, count, input} objects."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(s, Mapping) and "name" in s and "input" in s for s in value)
    )


def _specs(value: list[Any], path: str) -> list[tuple[str, Mapping[str, Any]]]:
    specs = []
    for i, spec in enumerate(value):
        if not isinstance(spec.get("name"), str):
            raise TemplateError("The copy name must be a string.", target=f"{path}[{i}].name")
        specs.append((f"{path}[{i}]", spec))
    return specs


def copy_count(spec: Mapping[str, Any], ctx: Context, path: str) -> int:
    """The evaluated `count` of a copy block (0..800)."""
    count = evaluate_value(spec.get("count"), ctx, f"{path}.count")
    if not is_int(count) or not 0 <= count <= MAX_COPY:
        raise TemplateError(
            f"The copy count must be a non-negative integer not greater than {MAX_COPY}; "
            f"got '{count}'.",
            target=f"{path}.count",
        )
    return int(count)


def expand_copy(
    spec: Mapping[str, Any], ctx: Context, path: str, *, lenient: bool = False
) -> list[Any]:
    """A `{name, count, input}` loop: the list of evaluated inputs."""
    name = spec.get("name", "")
    count = copy_count(spec, ctx, path)
    return [
        evaluate_value(spec["input"], ctx.with_copy(str(name), i), f"{path}.input", lenient=lenient)
        for i in range(count)
    ]
