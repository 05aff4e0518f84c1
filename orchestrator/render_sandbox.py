"""The jinja2 environment that renders `{{ ... }}` in parameter values (imported only when a
value needs rendering, so `orchestrator --help` never loads jinja2).

An `ImmutableSandboxedEnvironment`: no access to dunder attributes or other unsafe members
(so no way to reach Python code), no mutation of `env`/`finetuning`/`config` (so one value
cannot change what the next one sees), `StrictUndefined` (a misspelt name is an error, not an
empty string), no autoescape. On top of that, every rendering has a budget:

- time: `Budget.seconds` of wall clock and `Budget.max_steps` steps for all the values of one
  command, counted on every line the compiled template runs (a trace function on this thread
  only, removed afterwards; no thread, no signal) and on every call, filter and operator;
- size: no string, list or output longer than `MAX_SIZE` characters or items. Operators and
  calls that could build a bigger value are refused *before* they run (`'x' * 10**9`,
  `9 ** (9 ** 9)`, `'x'.ljust(10**9)`, `s.replace('x', s)`, `'%9999999999s' % 1`,
  `big|join`), and every result is measured after; `lipsum` is not offered.

A value over budget fails with `LimitExceeded`, a jinja2 `SecurityError`.
"""

from __future__ import annotations

import re
import string
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace

MAX_SIZE = 100_000  # characters or items of any value; bits of an integer
RENDER_SECONDS = 2.0
MAX_STEPS = 1_000_000  # template lines run, calls, filters and operators, per command
TEMPLATE_FILE = "<template>"  # the file name jinja2 gives the code of a template from a string
_PERCENT_WIDTH = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|[0-9]+)?(?:\.(\*|[0-9]+))?")
_FORMAT_NUMBER = re.compile(r"[0-9]+")
# Filters whose output is about as big as their whole input, flattened.
_FLATTENING = frozenset({"tojson", "pprint", "string", "list", "join", "sum", "format", "unique"})


class LimitExceeded(SecurityError):
    """A rendering went over its time or size budget."""


@dataclass
class Budget:
    """The allowance shared by every value rendered for one command: wall-clock seconds and
    steps (each template line run, call, filter or operator is one step)."""

    seconds: float = RENDER_SECONDS
    max_steps: int = MAX_STEPS
    clock: Callable[[], float] = time.monotonic
    deadline: float = field(default=0.0, init=False)
    steps: int = field(default=0, init=False)

    def start(self) -> None:
        self.deadline = self.clock() + self.seconds
        self.steps = 0

    def check(self) -> None:
        self.steps += 1
        if self.steps > self.max_steps:
            raise LimitExceeded(f"rendering took more than {self.max_steps:,} steps")
        if self.deadline and self.clock() > self.deadline:
            raise LimitExceeded(f"rendering took longer than {self.seconds:g} s")


def size(value: object, limit: int = MAX_SIZE) -> int:
    """How big `value` is once printed, roughly: characters of strings, items of containers
    (each shared reference counted again), digits of integers. Stops counting past `limit`."""
    total = 0
    stack = [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, (str, bytes)):
            total += len(item)
        elif isinstance(item, bool) or not isinstance(item, (int, Mapping, list, tuple, set)):
            total += 1
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 1
        elif isinstance(item, Mapping):
            total += len(item) + 1
            stack.extend(item.keys())
            stack.extend(item.values())
        else:
            total += len(item) + 1
            stack.extend(item)
    return total


def _refuse_size(what: str, estimate: int, unit: str = "characters or items") -> None:
    if estimate > MAX_SIZE:
        raise LimitExceeded(f"{what} would exceed {MAX_SIZE:,} {unit}")


def _check_ints(args: Iterable[object], what: str) -> None:
    for arg in args:
        if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_SIZE:
            raise LimitExceeded(f"{what}: the argument {arg} is over {MAX_SIZE:,}")


def _percent_widths(fmt: str) -> None:
    for width, precision in _PERCENT_WIDTH.findall(fmt):
        for number in (width, precision):
            if number == "*" or (number and int(number) > MAX_SIZE):
                raise LimitExceeded(f"a '%' width or precision over {MAX_SIZE:,}")


def _format_widths(fmt: str) -> None:
    for _text, _name, spec, _conversion in string.Formatter().parse(fmt):
        if spec and ("{" in spec or any(int(n) > MAX_SIZE for n in _FORMAT_NUMBER.findall(spec))):
            raise LimitExceeded(f"a format width over {MAX_SIZE:,}")


def _str_method_estimate(method: Any, args: tuple[Any, ...]) -> int:
    """The size a bound `str` method would produce, for the methods that can grow a string."""
    text = getattr(method, "__self__", None)
    name = getattr(method, "__name__", "")
    if not isinstance(text, str):
        return 0
    if name == "replace" and len(args) >= 2 and isinstance(args[0], str):
        old, new = args[0], str(args[1])
        count = text.count(old) if old else len(text) + 1
        return len(text) + count * max(len(new) - len(old), 0)
    if name == "join" and args:
        items = args[0]
        return size(items) + len(text) * (size(items) if not isinstance(items, str) else 0)
    if name == "expandtabs" and args and isinstance(args[0], int):
        return len(text) + text.count("\t") * args[0]
    return 0


def _repeat_size(left: Any, right: Any) -> int:
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, (str, list, tuple)) and isinstance(count, int):
            return len(seq) * count
    return 0


def _power_bits(base: Any, exponent: Any) -> int:
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0:
        return abs(base).bit_length() * exponent
    return 0


def _product_bits(left: Any, right: Any) -> int:
    if isinstance(left, int) and isinstance(right, int):
        return left.bit_length() + right.bit_length()
    return 0


class BoundedNamespace(Namespace):
    """`namespace()` whose attributes cannot carry an oversized value from one loop pass to
    the next."""

    def __setitem__(self, name: str, value: Any) -> None:
        _refuse_size(f"namespace attribute {name}", size(value))
        super().__setitem__(name, value)


class BoundedSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, budget: Budget | None = None) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=False)
        self.budget = budget or Budget()
        self.concat = self._bounded_concat  # type: ignore[method-assign]
        self.filters = {name: self._bounded_filter(name, f) for name, f in self.filters.items()}
        self.globals.pop("lipsum", None)  # generates text in Python code the budget cannot see
        self.globals["namespace"] = BoundedNamespace

    def _bounded_concat(self, parts: Iterable[str]) -> str:
        out: list[str] = []
        total = 0
        for part in parts:
            self.budget.check()
            total += len(part)
            _refuse_size("the rendered text", total)
            out.append(part)
        return "".join(out)

    def _bounded_filter(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        budget = self.budget

        def bounded(*args: Any, **kwargs: Any) -> Any:
            budget.check()
            what = f"the filter {name}"
            _check_ints([*args, *kwargs.values()], what)
            if name in _FLATTENING:
                _refuse_size(what, sum(size(a) for a in (*args, *kwargs.values())))
            _refuse_size(what, _filter_estimate(name, args, kwargs))
            result = func(*args, **kwargs)
            _refuse_size(what, size(result))
            return result

        bounded.__dict__.update(getattr(func, "__dict__", {}))  # jinja2's pass_context marks
        return bounded

    def call(
        __self,  # jinja2's own signature: `self` may then be a keyword argument of the call
        __context: Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        __self.budget.check()
        what = f"calling {getattr(__obj, '__name__', type(__obj).__name__)}"
        _check_ints([*args, *kwargs.values()], what)
        _refuse_size(what, sum(size(a) for a in (*args, *kwargs.values())))
        _refuse_size(what, _str_method_estimate(__obj, args))
        result = super().call(__context, __obj, *args, **kwargs)
        _refuse_size(what, size(result))
        return result

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _format_widths(str(value.__self__))
        return wrapped

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.budget.check()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.budget.check()
        return super().getitem(obj, argument)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        self.budget.check()
        what = f"the result of '{operator}'"
        if operator == "*":
            _refuse_size(what, _repeat_size(left, right), "items")
            _refuse_size(what, _product_bits(left, right), "bits")
        elif operator == "**":
            _refuse_size(what, _power_bits(left, right), "bits")
        elif operator == "+":
            _refuse_size(what, size(left) + size(right))
        elif operator == "%" and isinstance(left, str):
            _percent_widths(left)
            _refuse_size(what, len(left) + size(right))
        return super().call_binop(context, operator, left, right)


def _filter_estimate(name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    """The output size of the filters that can make more than they are given."""
    value = str(args[0]) if args and isinstance(args[0], str) else ""
    rest = list(args[1:]) + list(kwargs.values())
    if name == "replace" and len(rest) >= 2:
        old, new = str(rest[0]), str(rest[1])
        count = value.count(old) if old else len(value) + 1
        return len(value) + count * max(len(new) - len(old), 0)
    if name == "indent" and rest:
        width = rest[0] if isinstance(rest[0], int) else size(rest[0])
        return len(value) + width * (value.count("\n") + 1)
    if name == "wordwrap" and len(rest) >= 3:
        width = rest[0] if isinstance(rest[0], int) and rest[0] > 0 else 1
        return len(value) + (len(value) // width + 1) * size(rest[2])
    if name == "format":
        _percent_widths(value)
    return 0


def bounded_environment(budget: Budget | None = None) -> BoundedSandbox:
    return BoundedSandbox(budget)


def render(env: BoundedSandbox, text: str, context: Mapping[str, Any]) -> str:
    """Render one string within `env.budget`: the template's own lines are traced (on this
    thread only) so that a loop without calls still stops at the deadline."""
    budget = env.budget
    template = env.from_string(text)

    def on_line(frame: FrameType, event: str, arg: object) -> Any:
        budget.check()
        return on_line

    def on_call(frame: FrameType, event: str, arg: object) -> Any:
        if frame.f_code.co_filename != TEMPLATE_FILE:
            return None
        budget.check()
        return on_line

    previous = sys.gettrace()
    sys.settrace(on_call)
    try:
        return str(template.render(context))
    finally:
        sys.settrace(previous)
