"""Functions taking lambdas: filter, map, reduce, sort, toObject, groupBy, mapValues."""

from __future__ import annotations

from functools import cmp_to_key
from typing import Any

from localcloud.template.errors import TemplateError
from localcloud.template.registry import FunctionTable, expect, pure
from localcloud.template.values import Closure, render

FUNCTIONS: FunctionTable = {}


def _lambda(function: str, value: Any, position: int) -> Closure:
    if not isinstance(value, Closure):
        raise TemplateError(
            f"The template language function '{function}' expects its parameter {position} to "
            "be a lambda expression."
        )
    return value


def _apply(fn: Closure, item: Any, index: int) -> Any:
    return fn(item, index) if len(fn.params) == 2 else fn(item)


@pure(FUNCTIONS, "filter", 2)
def filter_(items: Any, predicate: Any) -> list[Any]:
    expect("filter", items, list)
    fn = _lambda("filter", predicate, 2)
    return [x for i, x in enumerate(items) if expect("filter", _apply(fn, x, i), bool, 2)]


@pure(FUNCTIONS, "map", 2)
def map_(items: Any, mapper: Any) -> list[Any]:
    expect("map", items, list)
    fn = _lambda("map", mapper, 2)
    return [_apply(fn, x, i) for i, x in enumerate(items)]


@pure(FUNCTIONS, "reduce", 3)
def reduce_(items: Any, initial: Any, reducer: Any) -> Any:
    expect("reduce", items, list)
    fn = _lambda("reduce", reducer, 3)
    result = initial
    for i, item in enumerate(items):
        result = fn(result, item, i) if len(fn.params) == 3 else fn(result, item)
    return result


@pure(FUNCTIONS, "sort", 2)
def sort(items: Any, before: Any) -> list[Any]:
    expect("sort", items, list)
    fn = _lambda("sort", before, 2)

    def compare(a: Any, b: Any) -> int:
        if expect("sort", fn(a, b), bool, 2):
            return -1
        return 1 if fn(b, a) else 0

    return sorted(items, key=cmp_to_key(compare))


@pure(FUNCTIONS, "toObject", 2, 3)
def to_object(items: Any, key: Any, value: Any = None) -> dict[str, Any]:
    expect("toObject", items, list)
    key_fn = _lambda("toObject", key, 2)
    value_fn = _lambda("toObject", value, 3) if value is not None else None
    return {expect("toObject", key_fn(x), str, 2): value_fn(x) if value_fn else x for x in items}


@pure(FUNCTIONS, "groupBy", 2, 3)
def group_by(items: Any, key: Any, value: Any = None) -> dict[str, list[Any]]:
    """Items grouped by `key(item)`; `value(item)` (when given) is what each group holds."""
    expect("groupBy", items, list)
    key_fn = _lambda("groupBy", key, 2)
    value_fn = _lambda("groupBy", value, 3) if value is not None else None
    groups: dict[str, list[Any]] = {}
    for item in items:
        groups.setdefault(render(key_fn(item)), []).append(value_fn(item) if value_fn else item)
    return groups


@pure(FUNCTIONS, "mapValues", 2)
def map_values(obj: Any, mapper: Any) -> dict[str, Any]:
    expect("mapValues", obj, dict)
    fn = _lambda("mapValues", mapper, 2)
    return {k: fn(v) for k, v in obj.items()}
