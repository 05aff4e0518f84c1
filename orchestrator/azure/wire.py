"""Reading the JSON Azure sent (as the SDK's models carry it) into typed values (pure).

Adapters parse wire documents with these helpers once, into `models` dataclasses; nothing
outside the adapters sees a wire document.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

JsonObject = Mapping[str, object]
EMPTY: JsonObject = {}


def as_object(value: object) -> JsonObject:
    """`value` when it is a JSON object, else an empty one."""
    return value if isinstance(value, Mapping) else EMPTY


def as_list(value: object) -> Sequence[object]:
    return value if isinstance(value, list) else ()


def objects(value: object) -> list[JsonObject]:
    """The JSON objects of a list (anything else skipped)."""
    return [item for item in as_list(value) if isinstance(item, Mapping)]


def at(doc: object, *path: str) -> object:
    """The value at `path` (None when any step is missing)."""
    node = doc
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node


def text(doc: object, *path: str) -> str:
    value = at(doc, *path)
    return value if isinstance(value, str) else ""


def integer(doc: object, *path: str) -> int:
    value = at(doc, *path)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def flag(doc: object, *path: str) -> bool:
    return at(doc, *path) is True


def wire(model: object) -> JsonObject:
    """An SDK model (hybrid models are mappings of wire names), a mapping or None as a plain
    JSON object."""
    if model is None:
        return EMPTY
    as_dict: Any = getattr(model, "as_dict", None)
    if callable(as_dict):
        return as_object(json.loads(json.dumps(as_dict(), default=str)))
    if isinstance(model, Mapping):
        return as_object(json.loads(json.dumps(dict(model), default=str)))
    raise TypeError(f"cannot read {type(model).__name__} as JSON")


def same(left: str, right: str) -> bool:
    """Azure compares resource types, names and ids without regard to case."""
    return left.casefold() == right.casefold()
