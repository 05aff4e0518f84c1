"""Typed click parameter types for options whose values have rules of their own.

`Seconds` parses a duration in seconds: a finite, non-negative number (`90`, `2.5`), at most
`maximum`. `-1`, `nan`, `inf` and words are usage errors (exit 2) naming the option.
`DeploymentName` holds `--deployment` to Azure's naming rule the same way.
"""

from __future__ import annotations

import math

import click

# Longer than any wait the tool offers (provision watches for 2 h by default): 7 days.
MAX_SECONDS = 7 * 24 * 3600.0


def parse_seconds(text: str, *, minimum: float = 0.0, maximum: float = MAX_SECONDS) -> float:
    """`text` as a number of seconds; ValueError (with the reason in words) otherwise."""
    try:
        value = float(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite number of seconds")
    if not minimum <= value <= maximum:
        raise ValueError(f"{text!r} is out of range ({minimum:g} to {maximum:g} seconds)")
    return value


class Seconds(click.ParamType[float, object]):
    """A click type for `--timeout`-like options: finite seconds in [minimum, maximum]."""

    name = "seconds"

    def __init__(self, minimum: float = 0.0, maximum: float = MAX_SECONDS) -> None:
        self.minimum = minimum
        self.maximum = maximum

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = repr(value)
        if not isinstance(value, str):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        try:
            return parse_seconds(value, minimum=self.minimum, maximum=self.maximum)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "SECONDS"


class DeploymentName(click.ParamType[str, object]):
    """A click type for `--deployment`: an ARM deployment name by Azure's rule (1-64 letters,
    digits, `_ - . ( )`), checked before any request."""

    name = "deployment"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> str:
        from orchestrator import naming
        from orchestrator.errors import InputError

        text = value if isinstance(value, str) else str(value)
        try:
            return naming.check_deployment_name(text, "the name")
        except InputError as exc:
            self.fail(exc.message.removeprefix("the name: "), param, ctx)

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "NAME"
