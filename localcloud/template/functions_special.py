"""Functions that control evaluation of their arguments: if, and, or, lambda."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from localcloud.template.context import Context
from localcloud.template.errors import TemplateError
from localcloud.template.nodes import Call
from localcloud.template.registry import Evaluate, SpecialImpl, arity_message, expect
from localcloud.template.values import Closure


def _arity(node: Call, low: int, high: int | None) -> None:
    count = len(node.args)
    if count < low or (high is not None and count > high):
        raise TemplateError(arity_message(node.name, low, high, count))


def if_(node: Call, ctx: Context, ev: Evaluate) -> Any:
    """Only the chosen branch is evaluated (ARM documents this)."""
    _arity(node, 3, 3)
    condition = expect("if", ev(node.args[0], ctx), bool)
    return ev(node.args[1] if condition else node.args[2], ctx)


def and_(node: Call, ctx: Context, ev: Evaluate) -> bool:
    _arity(node, 2, None)
    for position, arg in enumerate(node.args, 1):
        if not expect("and", ev(arg, ctx), bool, position):
            return False
    return True


def or_(node: Call, ctx: Context, ev: Evaluate) -> bool:
    _arity(node, 2, None)
    for position, arg in enumerate(node.args, 1):
        if expect("or", ev(arg, ctx), bool, position):
            return True
    return False


def lambda_(node: Call, ctx: Context, ev: Evaluate) -> Closure:
    """`lambda('x', 'y', body)`: a closure over `ctx`; parameters via lambdaVariables()."""
    _arity(node, 1, None)
    names = tuple(
        expect("lambda", ev(arg, ctx), str, position)
        for position, arg in enumerate(node.args[:-1], 1)
    )
    body = node.args[-1]

    def invoke(values: Sequence[Any]) -> Any:
        return ev(body, ctx.with_lambda(names, tuple(values)))

    return Closure(names, invoke)


SPECIAL: dict[str, SpecialImpl] = {"if": if_, "and": and_, "or": or_, "lambda": lambda_}
