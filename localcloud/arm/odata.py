"""The `$filter` expressions ARM's list operations accept (pure).

Resource and resource-group lists take clauses joined by `and`:
`resourceType eq 'Microsoft.App/containerApps'`, `resourceGroup eq 'rg'`, `name eq 'x'`,
`location eq 'eastus'`, `tagName eq 'k' and tagValue eq 'v'` (a tag name alone matches any
value), `substringof('part', name)`. Names and values compare case-insensitively, as ARM
does. Anything else is ARM's 400 `InvalidFilterInQueryString`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from localcloud.arm.errors import ArmError

_EQ = re.compile(r"^(\w+)\s+eq\s+'((?:[^']|'')*)'$", re.IGNORECASE)
_SUBSTRING = re.compile(r"^substringof\(\s*'((?:[^']|'')*)'\s*,\s*(\w+)\s*\)$", re.IGNORECASE)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
FIELDS = ("resourcetype", "resourcegroup", "name", "location", "tagname", "tagvalue")


@dataclass(frozen=True)
class Filter:
    equals: tuple[tuple[str, str], ...] = ()  # (lower-cased field, value)
    contains: tuple[tuple[str, str], ...] = ()  # (lower-cased field, part)

    def matches(self, doc: Mapping[str, Any]) -> bool:
        wanted = dict(self.equals)
        tag_name, tag_value = wanted.pop("tagname", None), wanted.pop("tagvalue", None)
        if (tag_name is not None or tag_value is not None) and not _tag_matches(
            doc, tag_name, tag_value
        ):
            return False
        if any(_field(doc, f).lower() != v.lower() for f, v in wanted.items()):
            return False
        return all(part.lower() in _field(doc, f).lower() for f, part in self.contains)


def parse(text: str | None) -> Filter:
    """The filter of a `$filter` value; an empty or missing one matches everything."""
    if text is None or not text.strip():
        return Filter()
    equals: list[tuple[str, str]] = []
    contains: list[tuple[str, str]] = []
    for clause in _AND.split(text.strip()):
        clause = clause.strip()
        eq, sub = _EQ.match(clause), _SUBSTRING.match(clause)
        if eq and eq.group(1).lower() in FIELDS:
            equals.append((eq.group(1).lower(), eq.group(2).replace("''", "'")))
        elif sub and sub.group(2).lower() in FIELDS:
            contains.append((sub.group(2).lower(), sub.group(1).replace("''", "'")))
        else:
            raise ArmError(
                400,
                "InvalidFilterInQueryString",
                f"Invalid $filter '{text}' specified in the query string.",
            )
    return Filter(tuple(equals), tuple(contains))


def _field(doc: Mapping[str, Any], field: str) -> str:
    if field == "resourcegroup":
        parts = str(doc.get("id", "")).split("/")
        return parts[4] if len(parts) > 4 and parts[3].lower() == "resourcegroups" else ""
    if field == "resourcetype":
        return str(doc.get("type", ""))
    return str(doc.get(field, ""))


def _tag_matches(doc: Mapping[str, Any], name: str | None, value: str | None) -> bool:
    tags = doc.get("tags") if isinstance(doc.get("tags"), Mapping) else {}
    for key, tag_value in (tags or {}).items():
        if name is not None and key.lower() != name.lower():
            continue
        if value is None or str(tag_value).lower() == value.lower():
            return True
    return False
