"""`Seconds`, the click type of `--timeout`: finite, non-negative, bounded; anything else is a
usage error (exit 2) naming the option."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from orchestrator.options import MAX_SECONDS, Seconds, parse_seconds


@click.command()
@click.option("--timeout", type=Seconds(), default=7200.0)
def command(timeout: float) -> None:
    click.echo(repr(timeout))


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(command, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("-1", "out of range"),
        ("nan", "not a finite number"),
        ("NaN", "not a finite number"),
        ("inf", "not a finite number"),
        ("-inf", "not a finite number"),
        ("1e309", "not a finite number"),
        ("ten", "not a number of seconds"),
        ("", "not a number of seconds"),
        (str(MAX_SECONDS * 2), "out of range"),
    ],
)
def test_bad_timeouts_are_usage_errors_naming_the_option(text: str, said: str) -> None:
    code, output = run("--timeout", text)
    assert code == 2
    assert "Invalid value for '--timeout'" in output and said in output
    assert "Traceback" not in output


@pytest.mark.parametrize(("text", "value"), [("0", 0.0), ("90", 90.0), ("2.5", 2.5), (" 7 ", 7.0)])
def test_good_timeouts_parse(text: str, value: float) -> None:
    assert run("--timeout", text) == (0, f"{value!r}\n")


def test_the_default_passes_through() -> None:
    assert run() == (0, "7200.0\n")


def test_help_names_the_unit() -> None:
    assert "--timeout SECONDS" in run("--help")[1]


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_any_float_is_accepted_only_when_finite_and_in_range(number: float) -> None:
    try:
        value = parse_seconds(repr(number))
    except ValueError:
        assert not 0 <= number <= MAX_SECONDS
    else:
        assert value == number and 0 <= value <= MAX_SECONDS
