"""The evaluation context of an expression: where it is and what it may see."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Literal, Protocol

from localcloud.template.errors import TemplateError
from localcloud.template.scope import Resolver, Scope

# Where an expression sits decides which functions it may call:
# parameter defaults may call newGuid()/utcNow() but not variables(); only resource
# properties and outputs may call reference()/list*().
Stage = Literal["parameters", "variables", "names", "properties", "outputs"]


class Lookup(Protocol):
    """Named values (parameters or variables); `get` raises TemplateError when unknown."""

    def get(self, name: str) -> Any: ...


class Missing(Lookup):
    """A lookup with nothing in it."""

    def __init__(self, what: str):
        self._what = what

    def get(self, name: str) -> Any:
        raise TemplateError(f"The template {self._what} '{name}' is not found.")


class StaticLookup(Lookup):
    """Fixed named values (case-insensitive names)."""

    def __init__(self, what: str, values: Mapping[str, Any]):
        self._what = what
        self._values = {k.lower(): v for k, v in values.items()}

    def get(self, name: str) -> Any:
        if name.lower() not in self._values:
            raise TemplateError(f"The template {self._what} '{name}' is not found.")
        return self._values[name.lower()]


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _new_guid() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class TemplateResources:
    """The template's own resources, for `reference('name')` and `resourceInfo('symbol')`."""

    by_name: Mapping[str, str] = field(default_factory=dict)  # lower name/symbol -> id
    api_versions: Mapping[str, str] = field(default_factory=dict)  # lower id -> apiVersion
    types: Mapping[str, str] = field(default_factory=dict)  # lower id -> type
    collections: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # symbol -> ids

    def find(self, name: str) -> str | None:
        return self.by_name.get(name.lower())


@dataclass(frozen=True)
class Context:
    scope: Scope
    template: Mapping[str, Any]
    stage: Stage
    parameters: Lookup = field(default_factory=lambda: Missing("parameter"))
    variables: Lookup = field(default_factory=lambda: Missing("variable"))
    resolver: Resolver | None = None
    resources: TemplateResources = field(default_factory=TemplateResources)
    copy_indexes: Mapping[str, int] = field(default_factory=dict)  # lower name; "" = innermost
    lambda_vars: Mapping[str, Any] = field(default_factory=dict)
    deployment_parameters: Mapping[str, Any] = field(default_factory=dict)
    now: datetime = field(default_factory=_utc_now)
    new_guid: Callable[[], str] = _new_guid
    # user-defined functions by lower-case "namespace.name"
    user_functions: Mapping[str, Callable[[Context, list[Any]], Any]] = field(default_factory=dict)

    def at_stage(self, stage: Stage) -> Context:
        return replace(self, stage=stage)

    def with_copy(self, name: str, index: int) -> Context:
        indexes = {**self.copy_indexes, name.lower(): index, "": index}
        return replace(self, copy_indexes=indexes)

    def with_lambda(self, names: tuple[str, ...], values: tuple[Any, ...]) -> Context:
        bound = dict(self.lambda_vars)
        bound.update({n.lower(): v for n, v in zip(names, values, strict=True)})
        return replace(self, lambda_vars=bound)

    def require_runtime(self, function: str) -> Resolver:
        """The resolver, when `function` (reference/list*) is allowed here."""
        if self.stage not in ("properties", "outputs"):
            raise TemplateError(
                f"The template function '{function}' is not expected at this location. "
                "Please see https://aka.ms/arm-functions for usage details."
            )
        if self.resolver is None:
            raise TemplateError(
                f"The template function '{function}' cannot be evaluated before deployment."
            )
        return self.resolver
