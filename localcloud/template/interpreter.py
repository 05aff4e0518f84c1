"""Evaluation of expression ASTs: property/index access and function dispatch."""

from __future__ import annotations

from typing import Any

from localcloud.template import (
    functions_cidr,
    functions_collections,
    functions_date,
    functions_deployment,
    functions_lambda,
    functions_logic,
    functions_resource,
    functions_special,
    functions_string,
)
from localcloud.template.context import Context
from localcloud.template.errors import TemplateError
from localcloud.template.expressions import parse_expression
from localcloud.template.nodes import Call, Index, Literal, Member, Node
from localcloud.template.registry import FunctionTable
from localcloud.template.values import is_int, lookup, type_name

FUNCTIONS: FunctionTable = {
    **functions_string.FUNCTIONS,
    **functions_collections.FUNCTIONS,
    **functions_logic.FUNCTIONS,
    **functions_date.FUNCTIONS,
    **functions_deployment.FUNCTIONS,
    **functions_resource.FUNCTIONS,
    **functions_lambda.FUNCTIONS,
    **functions_cidr.FUNCTIONS,
}
SPECIAL = functions_special.SPECIAL

# Python errors a function body may raise on odd input; they become ARM errors.
_RUNTIME_ERRORS = (TypeError, ValueError, KeyError, IndexError, OverflowError, ZeroDivisionError)


def evaluate_expression(text: str, ctx: Context) -> Any:
    """Evaluate one `[...]` expression string."""
    return evaluate(parse_expression(text), ctx)


def evaluate(node: Node, ctx: Context) -> Any:
    """The value of an expression AST in `ctx`."""
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Member):
        return member(evaluate(node.target, ctx), node.name)
    if isinstance(node, Index):
        return index(evaluate(node.target, ctx), evaluate(node.index, ctx))
    return call(node, ctx)


def member(value: Any, name: str) -> Any:
    """`value.name` (case-insensitive for objects)."""
    if not isinstance(value, dict):
        raise TemplateError(
            f"The language expression property '{name}' can't be evaluated: the value is of "
            f"type '{type_name(value)}', not 'Object'."
        )
    found, result = lookup(value, name)
    if not found:
        available = ", ".join(value.keys())
        raise TemplateError(
            f"The language expression property '{name}' doesn't exist, available properties "
            f"are '{available}'."
        )
    return result


def index(value: Any, key: Any) -> Any:
    """`value[key]`: array by integer, object by property name."""
    if isinstance(value, list) and is_int(key):
        if not 0 <= key < len(value):
            raise TemplateError(
                f"The language expression property array index '{key}' is out of bounds."
            )
        return value[key]
    if isinstance(value, dict) and isinstance(key, str):
        return member(value, key)
    raise TemplateError(
        f"The language expression can't index a value of type '{type_name(value)}' with a "
        f"value of type '{type_name(key)}'."
    )


def call(node: Call, ctx: Context) -> Any:
    """Dispatch a function call (names are case-insensitive)."""
    key = node.name.lower()
    special = SPECIAL.get(key)
    if special is not None:
        return special(node, ctx, evaluate)
    function = FUNCTIONS.get(key)
    if function is None and key in ctx.user_functions:
        return ctx.user_functions[key](ctx, [evaluate(arg, ctx) for arg in node.args])
    if function is None and key.startswith("list"):
        function = functions_resource.list_action_function(node.name)
    if function is None:
        raise TemplateError(
            f"The template function '{node.name}' is not valid. Please see "
            "https://aka.ms/arm-template-expressions for usage details."
        )
    function.check_arity(len(node.args))
    args = [evaluate(arg, ctx) for arg in node.args]
    try:
        return function.impl(ctx, args)
    except TemplateError:
        raise
    except _RUNTIME_ERRORS as exc:
        raise TemplateError(
            f"Unable to evaluate language function '{node.name}': {exc}. Please see "
            "https://aka.ms/arm-functions for usage details."
        ) from exc
