"""Variables: evaluated lazily on first use, with `copy` loops and cycle detection."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from localcloud.template.context import Context, Lookup
from localcloud.template.errors import TemplateError
from localcloud.template.tree import evaluate_value, expand_copy, is_property_copy


class VariableTable(Lookup):
    """The `variables` section as a Lookup; bind the evaluation context before use."""

    def __init__(self, declarations: Any):
        if declarations is None:
            declarations = {}
        if not isinstance(declarations, Mapping):
            raise TemplateError("The template 'variables' must be an object.", target="variables")
        self._decls: dict[str, tuple[str, Any, bool]] = {}
        for key, value in declarations.items():
            if key.lower() == "copy" and is_property_copy(value):
                for spec in value:
                    self._decls[str(spec["name"]).lower()] = (str(spec["name"]), spec, True)
            else:
                self._decls[key.lower()] = (key, value, False)
        self._values: dict[str, Any] = {}
        self._active: list[str] = []
        self._ctx: Context | None = None

    def bind(self, ctx: Context) -> None:
        self._ctx = ctx.at_stage("variables")

    def names(self) -> list[str]:
        return [name for name, _, _ in self._decls.values()]

    def get(self, name: str) -> Any:
        key = name.lower()
        if key in self._values:
            return self._values[key]
        if key not in self._decls:
            raise TemplateError(
                f"The template variable '{name}' is not found. Please see "
                "https://aka.ms/arm-template/#variables for usage details."
            )
        if key in self._active:
            chain = " -> ".join([*self._active, key])
            raise TemplateError(f"Circular reference detected between variables: {chain}.")
        self._active.append(key)
        try:
            self._values[key] = self._evaluate(key)
        finally:
            self._active.pop()
        return self._values[key]

    def _evaluate(self, key: str) -> Any:
        assert self._ctx is not None, "VariableTable.bind() was not called"
        declared, value, is_copy = self._decls[key]
        path = f"variables.{declared}"
        if is_copy:
            return expand_copy(value, self._ctx, path)
        return evaluate_value(value, self._ctx, path)
