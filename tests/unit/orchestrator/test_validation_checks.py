"""Offline checks: final parameters vs the template, and the config files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from orchestrator.errors import ValidationFailed
from orchestrator.parameters import FinalParameters
from orchestrator.validation import (
    check_config,
    check_finetuning_config,
    check_parameter_values,
    endpoint_problems,
    load_config,
)

REPO = Path(__file__).resolve().parents[3]
TEMPLATE = json.loads((REPO / "infra/provision/inference.json").read_text())
COMMANDS = ["cd /mount", "python3 ./gradio_chat.py"]
GOOD_CONFIG = {
    "SUBSCRIPTION_ID": "00000000-0000-0000-0000-000000000000",
    "RESOURCE_GROUP_NAME": "myRg",
    "STORAGE_ACCOUNT_NAME": "aistoragejs26o",
    "FILE_SHARE_NAME": "aifilesharejs26o",
    "ACA_APP_NAME": "aiacaappjs26o",
    "ACA_APP_ENDPOINT": "aiacaappjs26o.happyocean-1234.eastus.azurecontainerapps.io",
}


def final(**values: Any) -> FinalParameters:
    base = {"defaultCommands": COMMANDS, "maximumInstanceCount": 2}
    merged = {k: v for k, v in {**base, **values}.items() if v is not None}
    return FinalParameters(values=merged, source="p.json", sources=dict.fromkeys(merged, "p.json"))


def lines(problems: list[Any]) -> list[str]:
    return [f"{p.file}: {p.path}: {p.message}" for p in problems]


def test_shipped_values_pass() -> None:
    assert check_parameter_values(final(), TEMPLATE) == []


def test_missing_required_parameter() -> None:
    problems = check_parameter_values(final(maximumInstanceCount=None), TEMPLATE)
    assert lines(problems) == [
        "p.json: parameters.maximumInstanceCount: "
        "is missing (or null) and the template has no default"
    ]


def test_unknown_parameter_suggests_the_close_name() -> None:
    problems = check_parameter_values(final(acaAppNmae="x"), TEMPLATE)
    assert [(p.path, p.expected) for p in problems] == [
        ("parameters.acaAppNmae", "did you mean acaAppName?")
    ]


def test_template_expression_in_a_value_is_reported() -> None:
    problems = check_parameter_values(final(location="[resourceGroup().location]"), TEMPLATE)
    assert len(problems) == 1 and "taken literally" in problems[0].message
    assert problems[0].path == "parameters.location.value"


def test_escaped_bracket_is_not_an_expression() -> None:
    assert check_parameter_values(final(location="[[eastus]"), TEMPLATE) == []


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("storageAccountName", "AIStorage"),
        ("fileShareName", "ai--share"),
        ("acaLogAnalyticsName", "log_ws"),
        ("acaEnvironmentName", "9env"),
        ("acaEnvironmentStorageName", "s" * 33),
        ("acaAppName", "app-"),
    ],
)
def test_naming_rules_apply_to_given_names(parameter: str, value: str) -> None:
    problems = check_parameter_values(final(**{parameter: value}), TEMPLATE)
    assert [p.path for p in problems] == [f"parameters.{parameter}.value"]
    assert "is not a valid" in problems[0].message


def test_default_commands_must_be_strings() -> None:
    problems = check_parameter_values(final(defaultCommands=["ls", 3]), TEMPLATE)
    assert lines(problems) == ["p.json: parameters.defaultCommands.value[1]: is an integer"]


def test_complete_config_passes() -> None:
    assert check_config(GOOD_CONFIG, "c.json", require_complete=True) == []


def test_shipped_null_config_passes_unless_complete_is_required() -> None:
    nulls = dict.fromkeys(GOOD_CONFIG)
    assert check_config(nulls, "c.json", require_complete=False) == []
    problems = check_config(nulls, "c.json", require_complete=True)
    assert [p.path for p in problems] == list(GOOD_CONFIG)
    assert problems[0].message.startswith("is null: run `orchestrator provision`")


@pytest.mark.parametrize(
    ("change", "path", "said"),
    [
        ({"SUBSCRIPTION_ID": "not-a-guid"}, "SUBSCRIPTION_ID", "has the wrong form"),
        ({"SUBSCRIPTION_ID": 5}, "SUBSCRIPTION_ID", "is an integer"),
        ({"ACA_APP_ENDPOINT": "https://a.b.c"}, "ACA_APP_ENDPOINT", "starts with a scheme"),
        ({"ACA_APP_ENDPOINT": "a.b/c"}, "ACA_APP_ENDPOINT", "is not a host name"),
        ({"ACA_APP_NAME": "App"}, "ACA_APP_NAME", "is not a valid container app name"),
        ({"ACA_APP_ENDPOINTS": "x"}, "ACA_APP_ENDPOINTS", "did you mean ACA_APP_ENDPOINT?"),
        ({"subscription_id": "x"}, "subscription_id", "did you mean SUBSCRIPTION_ID?"),
    ],
)
def test_config_problems(change: dict[str, Any], path: str, said: str) -> None:
    problems = check_config({**GOOD_CONFIG, **change}, "c.json", require_complete=True)
    assert [p.path for p in problems] == [path]
    assert said in problems[0].message


def test_unrelated_extra_config_keys_are_allowed() -> None:
    assert check_config({**GOOD_CONFIG, "MY_NOTE": "hi"}, "c.json", require_complete=True) == []


def test_missing_config_key_is_reported() -> None:
    config = {k: v for k, v in GOOD_CONFIG.items() if k != "FILE_SHARE_NAME"}
    problems = check_config(config, "c.json", require_complete=False)
    assert [(p.path, p.message) for p in problems] == [("FILE_SHARE_NAME", "is missing")]


@pytest.mark.parametrize(
    "endpoint", ["localhost:45123", "a.b.azurecontainerapps.io", "127.0.0.1:8"]
)
def test_good_endpoints(endpoint: str) -> None:
    assert endpoint_problems(endpoint, "c.json", "ACA_APP_ENDPOINT") == []


def test_endpoint_port_out_of_range() -> None:
    problems = endpoint_problems("localhost:70000", "c.json", "ACA_APP_ENDPOINT")
    assert [p.message for p in problems] == ["port 70000 is out of range"]


def test_finetuning_commands_must_be_an_array_of_strings() -> None:
    problems = check_finetuning_config({"COMMANDS": ["ls", 1], "ACA_JOB_NAME": None}, "f.json")
    assert lines(problems) == ["f.json: COMMANDS[1]: is an integer"]


def test_given_suffix_is_checked_in_the_default_names() -> None:
    problems = check_parameter_values(final(resourceSuffix="ABC"), TEMPLATE)
    assert {p.path for p in problems} == {"parameters.resourceSuffix.value"}
    assert any("makes the default storageAccountName 'aistorageABC'" in p.message for p in problems)
    assert len(problems) == 5  # upper case breaks every default name but Log Analytics


def test_suffix_is_not_checked_for_names_that_are_given() -> None:
    names = {
        "storageAccountName": "store1",
        "fileShareName": "share1",
        "acaEnvironmentName": "env1",
        "acaEnvironmentStorageName": "envstore1",
        "acaAppName": "app1",
        "acaLogAnalyticsName": "logs1",
    }
    assert check_parameter_values(final(resourceSuffix="ABC", **names), TEMPLATE) == []


def test_a_valid_suffix_passes() -> None:
    assert check_parameter_values(final(resourceSuffix="dev01"), TEMPLATE) == []


def test_integer_written_as_decimal_is_refused() -> None:
    problems = check_parameter_values(final(maximumInstanceCount=2.0), TEMPLATE)
    assert lines(problems) == [
        "p.json: parameters.maximumInstanceCount.value: "
        "is 2.0, a decimal number (ARM does not convert it to an integer)"
    ]


def test_empty_strings_count_as_not_yet_known() -> None:
    blank = dict.fromkeys(GOOD_CONFIG, "")
    assert check_config(blank, "c.json", require_complete=False) == []
    problems = check_config(blank, "c.json", require_complete=True)
    assert problems[0].message.startswith("is empty: run `orchestrator provision`")
    assert len(problems) == 6


def test_an_unreadable_parameters_file_does_not_add_missing_parameters() -> None:
    unread = FinalParameters(values={}, source="p.json", file_read=False)
    assert check_parameter_values(unread, TEMPLATE) == []
    overridden = FinalParameters(
        values={"acaAppName": "Bad"}, source="p.json", sources={"acaAppName": "--param"},
        file_read=False,
    )  # fmt: skip
    assert [(p.file, p.path) for p in check_parameter_values(overridden, TEMPLATE)] == [
        ("--param", "parameters.acaAppName.value")
    ]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"A": nul}', "c.json:1:7: Expecting value"),
        ("", "c.json:1:1: file is empty (expected a JSON document)"),
        ("[]", "c.json:1:1: $: is an array (an object of KEY: value)"),
    ],
)
def test_an_unreadable_config_is_a_problem_line(content: str, problem: str, tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(content)
    with pytest.raises(ValidationFailed) as caught:
        load_config(path, "c.json")
    assert [str(p) for p in caught.value.problems] == [problem]


def test_a_hand_filled_config_with_a_lower_case_endpoint_host_and_port_passes() -> None:
    config = {**GOOD_CONFIG, "ACA_APP_ENDPOINT": "localhost:45123"}
    assert check_config(config, "c.json", require_complete=True) == []
