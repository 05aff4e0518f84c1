"""Declaration checks ARM makes when it reads a template, before any expression is evaluated.

Messages and positions as ARM's engine gives them - an earlier revision of Azure/bicep's
src/Bicep.Core.IntegrationTests/Scenarios/LocalJsonModuleTests.cs ran invalid templates
through the engine and quoted its errors: a parameter or output name may not be an
expression; a declared type must be one of the seven (a string that is not is a Json.NET
conversion error, located by `located.locate`); `allowedValues` must be a non-empty list of
plain values of the declared type.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from localcloud.template.errors import TemplateError
from localcloud.template.expressions import is_expression

TYPES = ("string", "securestring", "int", "bool", "object", "secureobject", "array")
_SUPPORTED = "String,SecureString,Int,Bool,Array,Object,SecureObject"


def check_structure(template: Mapping[str, Any]) -> None:
    """Raise the first declaration error of `template`'s parameters and outputs."""
    for section, kind in (("parameters", "parameter"), ("outputs", "output")):
        declarations = template.get(section)
        if not isinstance(declarations, Mapping):
            continue
        for name, decl in declarations.items():
            if is_expression(name):
                raise TemplateError(
                    f"The template {kind} '{name}' is not valid. The {kind} name cannot be an "
                    f"expression. Please see https://aka.ms/arm-template/#{section} for usage "
                    "details.",
                    target=f"{section}.{name}",
                    steps=(section, name),
                )
            if isinstance(decl, Mapping):
                _check_type(kind, section, name, decl)
                if kind == "parameter":
                    _check_allowed_values(decl)


def _check_type(kind: str, section: str, name: str, decl: Mapping[str, Any]) -> None:
    if "type" not in decl:
        return
    declared = decl["type"]
    steps = (section, name, "type")
    if isinstance(declared, str):
        if declared.lower() in TYPES:
            return
        raise TemplateError(
            f'Error converting value "{declared}" to type '
            "'Azure.Deployments.Core.Entities.TemplateParameterType'. Path ''.",
            target=f"{section}.{name}.type",
            steps=steps,
        )
    if isinstance(declared, bool):
        message = "Unexpected token Boolean when parsing enum. Path ''."
    else:
        shown = "null" if declared is None else declared
        message = (
            f"Template {kind} '{name}' has invalid type '{shown}'. Supported types are "
            f"'{_SUPPORTED}'. Please see https://aka.ms/arm-template/#{section} for usage details."
        )
    raise TemplateError(message, target=f"{section}.{name}.type", steps=steps)


def _check_allowed_values(decl: Mapping[str, Any]) -> None:
    allowed = decl.get("allowedValues")
    if not isinstance(allowed, list):
        return
    if not allowed:
        raise TemplateError('The "allowedValues" array must contain one or more items.')
    for text in _strings(allowed):
        if is_expression(text):
            raise TemplateError(f'The value "{text}" cannot be an expression.')
    declared = decl.get("type")
    if isinstance(declared, str) and declared.lower() == "bool":
        for value in allowed:
            if not isinstance(value, bool):
                raise TemplateError(f'Expected the value "{_plain(value)}" to be a Boolean.')


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else str(value)
