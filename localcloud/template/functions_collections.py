"""Array and object functions (several also accept strings)."""

from __future__ import annotations

from typing import Any

from localcloud.template.errors import TemplateError
from localcloud.template.registry import FunctionTable, expect, pure
from localcloud.template.values import equal, is_int, lookup, render, type_name

FUNCTIONS: FunctionTable = {}
MAX_RANGE = 10_000


@pure(FUNCTIONS, "array", 1)
def array(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


@pure(FUNCTIONS, "createArray", 0, None)
def create_array(*items: Any) -> list[Any]:
    return list(items)


@pure(FUNCTIONS, "createObject", 0, None)
def create_object(*pairs: Any) -> dict[str, Any]:
    if len(pairs) % 2:
        raise TemplateError(
            "The template language function 'createObject' must have an even number of "
            "parameters (name, value pairs)."
        )
    result: dict[str, Any] = {}
    for position in range(0, len(pairs), 2):
        result[expect("createObject", pairs[position], str, position + 1)] = pairs[position + 1]
    return result


@pure(FUNCTIONS, "concat", 0, None)
def concat(*args: Any) -> Any:
    if args and all(isinstance(a, list) for a in args):
        return [item for a in args for item in a]
    if any(isinstance(a, list) for a in args):
        raise TemplateError(
            "The template language function 'concat' expects its parameters to be either all "
            "arrays or all primitive values. Please see https://aka.ms/arm-functions for usage "
            "details."
        )
    return "".join(render(a) for a in args)


@pure(FUNCTIONS, "contains", 2)
def contains(container: Any, item: Any) -> bool:
    if isinstance(container, str):
        return render(item) in container
    if isinstance(container, list):
        return any(equal(element, item) for element in container)
    if isinstance(container, dict):
        return isinstance(item, str) and lookup(container, item)[0]
    raise _type_error("contains", container)


@pure(FUNCTIONS, "empty", 1)
def empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (str, list, dict)):
        return len(value) == 0
    raise _type_error("empty", value)


@pure(FUNCTIONS, "first", 1)
def first(value: Any) -> Any:
    if isinstance(value, (str, list)):
        return value[0] if value else ("" if isinstance(value, str) else None)
    raise _type_error("first", value)


@pure(FUNCTIONS, "last", 1)
def last(value: Any) -> Any:
    if isinstance(value, (str, list)):
        return value[-1] if value else ("" if isinstance(value, str) else None)
    raise _type_error("last", value)


@pure(FUNCTIONS, "length", 1)
def length(value: Any) -> int:
    if isinstance(value, (str, list, dict)):
        return len(value)
    raise _type_error("length", value)


@pure(FUNCTIONS, "skip", 2)
def skip(value: Any, count: Any) -> Any:
    expect("skip", count, int, 2)
    if isinstance(value, (str, list)):
        return value[max(count, 0) :]
    raise _type_error("skip", value)


@pure(FUNCTIONS, "take", 2)
def take(value: Any, count: Any) -> Any:
    expect("take", count, int, 2)
    if isinstance(value, (str, list)):
        return value[: max(count, 0)]
    raise _type_error("take", value)


@pure(FUNCTIONS, "indexOf", 2)
def index_of(value: Any, item: Any) -> int:
    if isinstance(value, str):
        return value.lower().find(expect("indexOf", item, str, 2).lower())
    if isinstance(value, list):
        return next((i for i, element in enumerate(value) if equal(element, item)), -1)
    raise _type_error("indexOf", value)


@pure(FUNCTIONS, "lastIndexOf", 2)
def last_index_of(value: Any, item: Any) -> int:
    if isinstance(value, str):
        return value.lower().rfind(expect("lastIndexOf", item, str, 2).lower())
    if isinstance(value, list):
        hits = [i for i, element in enumerate(value) if equal(element, item)]
        return hits[-1] if hits else -1
    raise _type_error("lastIndexOf", value)


@pure(FUNCTIONS, "items", 1)
def items(value: Any) -> list[dict[str, Any]]:
    """Entries ordered by key, ignoring case (ties keep their order), as ARM orders them."""
    expect("items", value, dict)
    return [{"key": key, "value": value[key]} for key in sorted(value, key=str.upper)]


@pure(FUNCTIONS, "objectKeys", 1)
def object_keys(value: Any) -> list[str]:
    return list(expect("objectKeys", value, dict))


@pure(FUNCTIONS, "flatten", 1)
def flatten(value: Any) -> list[Any]:
    expect("flatten", value, list)
    return [item for inner in value for item in expect("flatten", inner, list)]


@pure(FUNCTIONS, "tryGet", 2, None)
def try_get(value: Any, *keys: Any) -> Any:
    """Nested property/index lookup that yields null instead of failing. An index may be
    `{"value": n, "fromEnd": true}` (Bicep's `a[?^n]`)."""
    for key in keys:
        if isinstance(value, dict) and isinstance(key, str):
            value = lookup(value, key)[1]
        elif isinstance(value, list) and (position := _index(key, len(value))) is not None:
            value = value[position]
        else:
            return None
    return value


def _index(key: Any, size: int) -> int | None:
    """The array position `key` names (an int, or a from-end index object), if in range."""
    if isinstance(key, dict) and lookup(key, "fromEnd")[1] is True:
        offset = lookup(key, "value")[1]
        key = size - offset if is_int(offset) and offset > 0 else -1
    return key if is_int(key) and 0 <= key < size else None


@pure(FUNCTIONS, "indexFromEnd", 2)
def index_from_end(value: Any, offset: Any) -> Any:
    """`value[^offset]`: the element `offset` places from the end (1 is the last)."""
    expect("indexFromEnd", value, list)
    expect("indexFromEnd", offset, int, 2)
    position = _index({"value": offset, "fromEnd": True}, len(value))
    if position is None:
        raise TemplateError(
            f"The language expression property array index '^{offset}' is out of bounds."
        )
    return value[position]


@pure(FUNCTIONS, "tryIndexFromEnd", 2)
def try_index_from_end(value: Any, offset: Any) -> Any:
    """`value[?^offset]`: like indexFromEnd, null when out of range or not an array."""
    if not isinstance(value, list) or not is_int(offset):
        return None
    position = _index({"value": offset, "fromEnd": True}, len(value))
    return None if position is None else value[position]


@pure(FUNCTIONS, "shallowMerge", 1)
def shallow_merge(objects: Any) -> dict[str, Any]:
    """Later objects win; keys match ignoring case and keep their first spelling."""
    merged: dict[str, Any] = {}
    for item in expect("shallowMerge", objects, list):
        for key, value in expect("shallowMerge", item, dict).items():
            merged[_existing_key(merged, key)] = value
    return merged


def _existing_key(obj: dict[str, Any], key: str) -> str:
    """The key of `obj` that `key` names, ignoring case; `key` itself when there is none."""
    if key in obj:
        return key
    lowered = key.lower()
    return next((k for k in obj if k.lower() == lowered), key)


@pure(FUNCTIONS, "distinct", 1)
def distinct(values: Any) -> list[Any]:
    """The array without repeated values (deep equality), first occurrences kept in order."""
    found: list[Any] = []
    for item in expect("distinct", values, list):
        if not any(equal(item, kept) for kept in found):
            found.append(item)
    return found


@pure(FUNCTIONS, "range", 2)
def range_(start: Any, count: Any) -> list[int]:
    expect("range", start, int)
    expect("range", count, int, 2)
    if not 0 <= count <= MAX_RANGE or start + count > 2_147_483_647:
        raise TemplateError(
            "Unable to evaluate language function 'range': the count must be between 0 and "
            f"{MAX_RANGE} and the sum of start index and count at most 2147483647."
        )
    return list(range(start, start + count))


@pure(FUNCTIONS, "union", 1, None)
def union(*values: Any) -> Any:
    if all(isinstance(v, list) for v in values):
        result: list[Any] = []
        for value in values:
            result.extend(item for item in value if not any(equal(item, r) for r in result))
        return result
    if all(isinstance(v, dict) for v in values):
        merged: dict[str, Any] = {}
        for value in values:
            merged = _merge(merged, value)
        return merged
    raise _mixed("union")


def _merge(left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    """Deep merge of objects; keys match ignoring case and keep their first spelling."""
    merged = dict(left)
    for key, value in right.items():
        key = _existing_key(merged, key)
        old = merged.get(key)
        both = isinstance(old, dict) and isinstance(value, dict)
        merged[key] = _merge(old, value) if both else value  # type: ignore[arg-type]
    return merged


@pure(FUNCTIONS, "intersection", 2, None)
def intersection(*values: Any) -> Any:
    head, rest = values[0], values[1:]
    if all(isinstance(v, list) for v in values):
        found: list[Any] = []
        for item in head:
            shared = all(any(equal(item, x) for x in other) for other in rest)
            if shared and not any(equal(item, f) for f in found):
                found.append(item)
        return found
    if all(isinstance(v, dict) for v in values):
        return {k: v for k, v in head.items() if all(k in o and equal(o[k], v) for o in rest)}
    raise _mixed("intersection")


def _numbers(function: str, args: tuple[Any, ...]) -> list[Any]:
    values = list(args[0]) if len(args) == 1 and isinstance(args[0], list) else list(args)
    if not values:
        raise TemplateError(f"The template language function '{function}' needs a value.")
    for position, value in enumerate(values, 1):
        if not is_int(value) and not isinstance(value, float):
            expect(function, value, int, position)
    return values


@pure(FUNCTIONS, "max", 1, None)
def max_(*args: Any) -> Any:
    return max(_numbers("max", args))


@pure(FUNCTIONS, "min", 1, None)
def min_(*args: Any) -> Any:
    return min(_numbers("min", args))


def _type_error(function: str, value: Any) -> TemplateError:
    return TemplateError(
        f"The template language function '{function}' expects its parameter to be a string, an "
        f"array or an object. The provided value is of type '{type_name(value)}'. Please see "
        "https://aka.ms/arm-functions for usage details."
    )


def _mixed(function: str) -> TemplateError:
    return TemplateError(
        f"The template language function '{function}' expects its parameters to be either all "
        "arrays or all objects. Please see https://aka.ms/arm-functions for usage details."
    )
