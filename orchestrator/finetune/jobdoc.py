"""Reading a Container Apps job as ARM returns it (camelCase wire JSON), leniently."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def template(job: Mapping[str, Any]) -> Mapping[str, Any]:
    """`properties.template` ({} when absent)."""
    props = job.get("properties")
    found = props.get("template") if isinstance(props, Mapping) else None
    return found if isinstance(found, Mapping) else {}


def objects(value: object) -> list[Mapping[str, Any]]:
    """The objects of a JSON array ([] for anything else)."""
    if not isinstance(value, Sequence) or isinstance(value, str):
        return []
    return [v for v in value if isinstance(v, Mapping)]


def containers(job: Mapping[str, Any], key: str = "containers") -> list[Mapping[str, Any]]:
    """`properties.template.containers` (or `initContainers`)."""
    return objects(template(job).get(key))
