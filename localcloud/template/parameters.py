"""Parameters: supplied values checked like ARM (strict types, constraints), defaults evaluated."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from localcloud.template.context import Context, Lookup
from localcloud.template.errors import TemplateError
from localcloud.template.tree import evaluate_value
from localcloud.template.values import equal, is_int, render, type_name

ARM_TYPES = {
    "string": "String",
    "securestring": "SecureString",
    "int": "Int",
    "bool": "Bool",
    "object": "Object",
    "secureobject": "SecureObject",
    "array": "Array",
}
SECURE_TYPES = frozenset({"securestring", "secureobject"})
_JTOKEN = {
    "string": "String",
    "securestring": "String",
    "int": "Integer",
    "bool": "Boolean",
    "object": "Object",
    "secureobject": "Object",
    "array": "Array",
}
_HELP = "Please see https://aka.ms/resource-manager-parameter-files for usage details."


def _declared_type(name: str, decl: Mapping[str, Any]) -> str | None:
    """The lower-case declared type; None for 2.0 `$ref` types and for a declaration without a
    type (Bicep's `any`, e.g. baselines/Parameters_CRLF/main.json in Azure/bicep): not checked."""
    declared = decl.get("type")
    if declared is None and ("$ref" in decl or "type" not in decl):
        return None
    if not isinstance(declared, str) or declared.lower() not in ARM_TYPES:
        raise TemplateError(
            f"The template parameter '{name}' has an invalid type '{declared}'. The supported "
            f"types are '{', '.join(ARM_TYPES.values())}'.",
            target=f"parameters.{name}.type",
        )
    return declared.lower()


def check_value(name: str, decl: Mapping[str, Any], value: Any) -> None:
    """Raise the ARM error when `value` does not satisfy the parameter's declaration."""
    declared = _declared_type(name, decl)
    if declared is not None and not _has_type(declared, value):
        raise TemplateError(
            f"The provided value for the template parameter '{name}' is not valid. Template "
            f"parameter JToken type is not valid. Expected '{_JTOKEN[declared]}'. Actual "
            f"'{type_name(value)}'. {_HELP}",
            target=f"parameters.{name}",
        )
    _check_allowed(name, decl, value)
    _check_limits(name, decl, value)


def _has_type(declared: str, value: Any) -> bool:
    expected = _JTOKEN[declared]
    if expected == "Integer":
        return is_int(value)
    return type_name(value) == expected


def _check_allowed(name: str, decl: Mapping[str, Any], value: Any) -> None:
    allowed = decl.get("allowedValues")
    if not isinstance(allowed, list):
        return
    values = value if isinstance(value, list) and not _allows_arrays(allowed) else [value]
    for item in values:
        if not any(equal(item, option) for option in allowed):
            options = ", ".join(render(option) for option in allowed)
            raise TemplateError(
                f"The provided value '{render(item)}' for the template parameter '{name}' is not "
                f"valid. The parameter value is not part of the allowed value(s): '{options}'.",
                target=f"parameters.{name}",
            )


def _allows_arrays(allowed: list[Any]) -> bool:
    return any(isinstance(option, list) for option in allowed)


def _check_limits(name: str, decl: Mapping[str, Any], value: Any) -> None:
    problem = None
    if isinstance(value, (str, list)):
        low, high = decl.get("minLength"), decl.get("maxLength")
        if is_int(low) and len(value) < _as_int(low):
            problem = f"Length of the value should be greater than or equal to '{low}'."
        elif is_int(high) and len(value) > _as_int(high):
            problem = f"Length of the value should be less than or equal to '{high}'."
    elif is_int(value):
        low, high = decl.get("minValue"), decl.get("maxValue")
        if is_int(low) and value < _as_int(low):
            problem = f"Value should be greater than or equal to '{low}'."
        elif is_int(high) and value > _as_int(high):
            problem = f"Value should be less than or equal to '{high}'."
    if problem:
        raise TemplateError(
            f"The provided value for the template parameter '{name}' is not valid. {problem} "
            f"{_HELP}",
            target=f"parameters.{name}",
        )


def _as_int(value: Any) -> int:
    return int(value)


class ParameterTable(Lookup):
    """Declared parameters with supplied values; defaults evaluated lazily, cycles detected."""

    def __init__(self, declarations: Any, supplied: Mapping[str, Any]):
        if declarations is None:
            declarations = {}
        if not isinstance(declarations, Mapping) or not all(
            isinstance(d, Mapping) for d in declarations.values()
        ):
            raise TemplateError(
                "The template 'parameters' must be an object of objects.", target="parameters"
            )
        self._decls = {key.lower(): (key, decl) for key, decl in declarations.items()}
        for declared, decl in self._decls.values():
            _declared_type(declared, decl)
        self._supplied = _supplied_values(self._decls, supplied)
        self._values: dict[str, Any] = {}
        self._active: list[str] = []
        self._ctx: Context | None = None

    def bind(self, ctx: Context) -> None:
        self._ctx = ctx.at_stage("parameters")

    def get(self, name: str) -> Any:
        key = name.lower()
        if key in self._values:
            return self._values[key]
        if key not in self._decls:
            raise TemplateError(
                f"The template parameter '{name}' is not found. Please see "
                "https://aka.ms/arm-template/#parameters for usage details."
            )
        if key in self._active:
            chain = " -> ".join([*self._active, key])
            raise TemplateError(f"Circular reference detected between parameters: {chain}.")
        self._active.append(key)
        try:
            self._values[key] = self._resolve(key)
        finally:
            self._active.pop()
        return self._values[key]

    def _resolve(self, key: str) -> Any:
        declared, decl = self._decls[key]
        if key in self._supplied:
            value = self._supplied[key]
        elif "defaultValue" in decl and decl["defaultValue"] is not None:
            assert self._ctx is not None, "ParameterTable.bind() was not called"
            path = f"parameters.{declared}.defaultValue"
            value = evaluate_value(decl["defaultValue"], self._ctx, path)
        elif decl.get("nullable") is True or "defaultValue" in decl:
            return None
        else:
            raise TemplateError(
                f"The value for the template parameter '{declared}' is not provided. Please see "
                "https://aka.ms/resource-manager-parameter-files for usage details.",
                target=f"parameters.{declared}",
            )
        check_value(declared, decl, value)
        return value

    def final(self) -> dict[str, dict[str, Any]]:
        """Every parameter as ARM reports it: `{"type": "String", "value": ...}`."""
        result: dict[str, dict[str, Any]] = {}
        for key, (declared, decl) in self._decls.items():
            value = self.get(key)
            kind = _declared_type(declared, decl)
            entry: dict[str, Any] = {"type": ARM_TYPES[kind] if kind else type_name(value)}
            if kind not in SECURE_TYPES:
                entry["value"] = value
            result[declared] = entry
        return result


def _supplied_values(
    decls: Mapping[str, tuple[str, Any]], supplied: Mapping[str, Any]
) -> dict[str, Any]:
    unknown = [name for name in supplied if name.lower() not in decls]
    if unknown:
        allowed = ", ".join(declared for declared, _ in decls.values())
        raise TemplateError(
            f"The template parameters '{', '.join(unknown)}' in the parameters file are not "
            "valid; they are not present in the original template and can therefore not be "
            f"provided at deployment time. The only supported parameters for this template are "
            f"'{allowed}'. {_HELP}"
        )
    values: dict[str, Any] = {}
    for name, entry in supplied.items():
        # azd sends `"reference": null` next to every value; only a non-null one is a reference.
        if not isinstance(entry, Mapping) or entry.get("reference") is not None:
            raise TemplateError(
                f"The value of the template parameter '{name}' must be an object with a 'value' "
                "property (Key Vault references are not supported here).",
                target=f"parameters.{name}",
            )
        if entry.get("value") is not None:
            values[name.lower()] = entry["value"]
    return values
