"""User-defined functions (the template's `functions` section, `namespace.member(...)`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from localcloud.template.context import Context, Missing, StaticLookup
from localcloud.template.errors import TemplateError
from localcloud.template.tree import evaluate_value

UserFunction = Callable[[Context, list[Any]], Any]


def user_functions(template: Mapping[str, Any]) -> dict[str, UserFunction]:
    """`{"ns.name": function}` (lower-cased) for every member of every namespace."""
    found: dict[str, UserFunction] = {}
    sections = template.get("functions", [])
    if not isinstance(sections, list):
        raise TemplateError("The template 'functions' must be an array.", target="functions")
    for i, section in enumerate(sections):
        path = f"functions[{i}]"
        namespace = section.get("namespace") if isinstance(section, Mapping) else None
        members = section.get("members") if isinstance(section, Mapping) else None
        if not isinstance(namespace, str) or not isinstance(members, Mapping):
            raise TemplateError(
                "A function namespace needs 'namespace' and 'members'.", target=path
            )
        for name, member in members.items():
            full = f"{namespace}.{name}"
            found[full.lower()] = _function(full, member, f"{path}.members.{name}")
    return found


def _function(full: str, member: Any, path: str) -> UserFunction:
    params = member.get("parameters", []) if isinstance(member, Mapping) else None
    output = member.get("output") if isinstance(member, Mapping) else None
    if not isinstance(params, list) or not isinstance(output, Mapping):
        raise TemplateError(f"The function '{full}' needs 'parameters' and 'output'.", target=path)
    names = [p.get("name") if isinstance(p, Mapping) else None for p in params]
    if not all(isinstance(n, str) for n in names):
        raise TemplateError(f"The parameters of '{full}' need names.", target=path)

    def call(ctx: Context, args: list[Any]) -> Any:
        if len(args) != len(names):
            raise TemplateError(
                f"The function '{full}' expects {len(names)} argument(s); {len(args)} were given."
            )
        bound = StaticLookup("parameter", dict(zip((str(n) for n in names), args, strict=True)))
        inner = replace(
            ctx,
            stage="variables",  # no reference()/list*() in user-defined functions
            parameters=bound,
            variables=Missing("variable"),
            copy_indexes={},
            lambda_vars={},
        )
        return evaluate_value(output.get("value"), inner, f"{path}.output.value")

    return call
