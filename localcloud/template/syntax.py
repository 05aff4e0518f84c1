"""Every expression of a template parsed before anything is evaluated.

ARM rejects a template at validation when any expression in it does not parse - an output's
included, although outputs are evaluated only after the resources deploy. `check_syntax`
walks the template (metadata is not evaluated, so not checked) and raises the first parse
error located at its JSON path ("outputs.x.value", "resources[2].properties.y",
"resources.sym.properties.y" for a symbolic name).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from localcloud.template.errors import TemplateError
from localcloud.template.expressions import is_expression, parse_expression

# Keys whose values ARM does not evaluate (descriptions may well start with "[").
_NOT_EVALUATED = frozenset(
    {"metadata", "$schema", "contentversion", "definitions", "allowedvalues"}
)


def check_syntax(template: Mapping[str, Any]) -> None:
    """Raise the parse error of the first expression (in document order) that is not valid."""
    for path, text in template_expressions(template):
        try:
            parse_expression(text)
        except TemplateError as e:
            raise e.at(path) from None


def template_expressions(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(JSON path, text) of every expression string in `value`, property names included."""
    if isinstance(value, str):
        if is_expression(value):
            yield path, value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from template_expressions(item, f"{path}[{i}]")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if key.lower() in _NOT_EVALUATED:
                continue
            where = f"{path}.{key}" if path else key
            yield from template_expressions(key, where)
            yield from template_expressions(item, where)
