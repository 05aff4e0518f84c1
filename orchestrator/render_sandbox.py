"""The jinja2 environment that renders `{{ ... }}` in parameter values (imported only when a
value needs rendering, so `orchestrator --help` never loads jinja2).

An `ImmutableSandboxedEnvironment`: no access to dunder attributes or other unsafe members
(so no way to reach Python code), no mutation of `env`/`finetuning`/`config` (so one value
cannot change what the next one sees), `StrictUndefined` (a misspelt name is an error, not an
empty string), no autoescape. On top of that, `*` and `**` are bounded, so that
`{{ 'x' * 10**9 }}` or `{{ 9**9**9 }}` fails at once instead of eating memory or hanging.
"""

from __future__ import annotations

from typing import Any

from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_SIZE = 100_000  # characters or items of a repeated sequence; bits of a power
_SEQUENCES = (str, list, tuple)


class BoundedSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*" and _repeat_size(left, right) > MAX_SIZE:
            raise SecurityError(f"the result of '*' would exceed {MAX_SIZE:,} items")
        if operator == "**" and _power_bits(left, right) > MAX_SIZE:
            raise SecurityError(f"the result of '**' would exceed {MAX_SIZE:,} bits")
        return super().call_binop(context, operator, left, right)


def _repeat_size(left: Any, right: Any) -> int:
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, _SEQUENCES) and isinstance(count, int):
            return len(seq) * count
    return 0


def _power_bits(base: Any, exponent: Any) -> int:
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0:
        return abs(base).bit_length() * exponent
    return 0


def bounded_environment() -> BoundedSandbox:
    return BoundedSandbox(undefined=StrictUndefined, autoescape=False)
