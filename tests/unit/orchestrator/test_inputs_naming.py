"""The target checks of `orchestrator.naming` (subscription, resource group, location,
deployment name): Azure's own rules, one line naming where the value came from."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestrator import naming
from orchestrator.errors import EXIT_INVALID, InputError

SUB = "00000000-0000-0000-0000-000000000001"
Check = Callable[[str, str], str]
LETTER_OR_DIGIT = {"Lu", "Ll", "Lt", "Lm", "Lo", "Nd"}  # .NET Char.IsLetterOrDigit


def azure_accepts_group(name: str) -> bool:
    """The documented rule, written out independently of the module under test."""
    allowed = all(unicodedata.category(c) in LETTER_OR_DIGIT or c in "_-.()" for c in name)
    return 1 <= len(name) <= 90 and allowed and not name.endswith(".")


def refused(check: Check, value: str, source: str) -> InputError:
    with pytest.raises(InputError) as caught:
        check(value, source)
    return caught.value


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("a" * 91, "is 91 characters long"),
        ("", "is 0 characters long"),
        ("rg/other", "'/'"),
        ("rg\u202eevil", "'\\u202e'"),
        ("rg\nid", "'\\n'"),
        ("my rg", "' '"),
        ("rg.", "ends with '.'"),
        ("rg;$(id)", "';', '$'"),
    ],
)
def test_bad_resource_groups_are_one_line_naming_the_source(value: str, said: str) -> None:
    error = refused(naming.check_resource_group, value, "AZURE_RESOURCE_GROUP")
    assert error.exit_code == EXIT_INVALID
    assert error.message.startswith("AZURE_RESOURCE_GROUP: ")
    assert said in error.message
    assert "1-90 letters, digits" in error.message  # Azure's rule is named
    assert "\n" not in error.message and "\u202e" not in error.message


@pytest.mark.parametrize("value", ["rg", "My_RG-1.(test)", "grupo-ñ", "группа", "a" * 90, "٣"])
def test_good_resource_groups_are_returned_as_given(value: str) -> None:
    assert naming.check_resource_group(value, "--resource-group") == value


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=100))
def test_any_resource_group_is_accepted_exactly_when_azure_would(value: str) -> None:
    if azure_accepts_group(value):
        assert naming.check_resource_group(value, "-g") == value
    else:
        error = refused(naming.check_resource_group, value, "-g")
        assert error.message.startswith("-g: ") and "\n" not in error.message


@pytest.mark.parametrize(
    "value", [SUB + "\n", "not-a-guid", "", SUB[:-1], SUB + "0", "{" + SUB + "}", "../" + SUB]
)
def test_subscriptions_must_be_guids(value: str) -> None:
    error = refused(naming.check_subscription_id, value, "--subscription")
    assert error.message.startswith("--subscription: ")
    assert "is not a subscription ID" in error.message and "GUID" in error.message
    assert "\n" not in error.message


def test_a_guid_subscription_is_returned_as_given() -> None:
    assert naming.check_subscription_id(SUB.upper(), "-s") == SUB.upper()


@pytest.mark.parametrize(
    ("value", "normal"),
    [("East US", "eastus"), ("westeurope", "westeurope"), ("UK South", "uksouth")],
)
def test_locations_are_normalised(value: str, normal: str) -> None:
    assert naming.check_location(value, "--location") == normal


@pytest.mark.parametrize("value", ["", "   ", "east us;$(id)", "east\nus", "east-us", "eastus/x"])
def test_bad_locations_name_the_source(value: str) -> None:
    error = refused(naming.check_location, value, "AZURE_LOCATION")
    assert error.message.startswith("AZURE_LOCATION: ")
    assert "is not a location" in error.message and "\n" not in error.message


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_an_accepted_location_is_only_lower_case_letters_and_digits(value: str) -> None:
    try:
        normal = naming.check_location(value, "-l")
    except InputError:
        return
    assert re.fullmatch(r"[a-z0-9]+", normal)


DEPLOYMENT_NAMES = [
    ("inference-20260101T000000Z", True),
    ("(x).y_z-1", True),
    ("a" * 65, False),
    ("dep/1", False),
    ("", False),
]


@pytest.mark.parametrize(("value", "ok"), DEPLOYMENT_NAMES)
def test_deployment_names(value: str, ok: bool) -> None:
    if ok:
        assert naming.check_deployment_name(value, "--deployment") == value
    else:
        assert refused(naming.check_deployment_name, value, "--deployment").message.startswith(
            "--deployment: "
        )


def test_a_long_value_is_cut_in_the_message() -> None:
    error = refused(naming.check_resource_group, "x/" * 5000, "-g")
    assert len(error.message) < 400
