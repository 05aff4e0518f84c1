"""The function table type and the decorators the function modules register with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from localcloud.template.context import Context
from localcloud.template.errors import TemplateError
from localcloud.template.nodes import Call, Node
from localcloud.template.values import type_name

Impl = Callable[[Context, list[Any]], Any]
Evaluate = Callable[[Node, Context], Any]
SpecialImpl = Callable[[Call, Context, Evaluate], Any]


@dataclass(frozen=True)
class Function:
    """A template function taking evaluated arguments."""

    name: str
    min_args: int
    max_args: int | None
    impl: Impl

    def check_arity(self, count: int) -> None:
        if count < self.min_args or (self.max_args is not None and count > self.max_args):
            raise TemplateError(arity_message(self.name, self.min_args, self.max_args, count))


def arity_message(name: str, low: int, high: int | None, count: int) -> str:
    if high == low:
        wanted = f"{low}"
    elif high is None:
        wanted = f"at least {low}"
    else:
        wanted = f"between {low} and {high}"
    return (
        f"The template language function '{name}' must have {wanted} parameter(s); "
        f"{count} were given. Please see https://aka.ms/arm-functions for usage details."
    )


FunctionTable = dict[str, Function]


def pure(
    table: FunctionTable, name: str, low: int, high: int | None = -1
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register `f(*args)`; `high` defaults to `low`, None means variadic."""

    def register(f: Callable[..., Any]) -> Callable[..., Any]:
        top = low if high == -1 else high
        table[name.lower()] = Function(name, low, top, lambda _ctx, args: f(*args))
        return f

    return register


def contextual(
    table: FunctionTable, name: str, low: int, high: int | None = -1
) -> Callable[[Impl], Impl]:
    """Register `f(ctx, args)`, for functions that read the context."""

    def register(f: Impl) -> Impl:
        top = low if high == -1 else high
        table[name.lower()] = Function(name, low, top, f)
        return f

    return register


def expect(function: str, value: Any, kind: type | tuple[type, ...], position: int = 1) -> Any:
    """`value` when it has the expected Python type (bools are not ints), else an ARM error."""
    ok = isinstance(value, kind) and not (isinstance(value, bool) and bool not in _types(kind))
    if not ok:
        raise TemplateError(
            f"The template language function '{function}' expects its parameter {position} to "
            f"be of type '{_expected_name(kind)}'. The provided value is of type "
            f"'{type_name(value)}'. Please see https://aka.ms/arm-functions for usage details."
        )
    return value


def _types(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


_NAMES = {str: "String", int: "Integer", bool: "Boolean", list: "Array", dict: "Object"}


def _expected_name(kind: type | tuple[type, ...]) -> str:
    return " or ".join(_NAMES.get(k, k.__name__) for k in _types(kind))
