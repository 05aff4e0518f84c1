"""Azure naming rules
(https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules) for
the template's resource names."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestrator import naming

LOWER = "abcdefghijklmnopqrstuvwxyz"
DIGITS = "0123456789"
RULES = list(naming.PARAMETER_RULES.values())


def valid_names(rule: naming.NameRule) -> st.SearchStrategy[str]:
    """Names that satisfy `rule`, built from its own character classes."""
    alnum = LOWER + DIGITS
    inner = alnum + "-" if rule.chars.endswith("-") else alnum
    first = LOWER if rule.first == "a-z" else alnum
    body = st.text(alphabet=inner, min_size=rule.min_length - 2, max_size=rule.max_length - 2)
    names = st.builds(
        lambda a, b, c: a + b + c, st.sampled_from(first), body, st.sampled_from(alnum)
    )
    return names.filter(lambda n: "--" not in n) if rule.no_double_hyphen else names


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.what)
@settings(deadline=None, max_examples=60)
@given(data=st.data())
def test_generated_valid_names_pass(rule: naming.NameRule, data: st.DataObject) -> None:
    name = data.draw(valid_names(rule))
    assert naming.violations(rule, name) == ()


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.what)
@settings(deadline=None, max_examples=60)
@given(data=st.data())
def test_mutated_names_fail(rule: naming.NameRule, data: st.DataObject) -> None:
    name = data.draw(valid_names(rule))
    mutation = data.draw(st.sampled_from(["upper", "bad-char", "too-long", "too-short"]))
    if mutation == "upper" and rule is naming.LOG_ANALYTICS:
        mutation = "bad-char"  # Log Analytics accepts upper case
    if mutation == "upper":
        bad = name[:-1] + "Z"
    elif mutation == "bad-char":
        bad = name[:1] + "_" + name[1:]
    elif mutation == "too-long":
        bad = name + "a" * rule.max_length
    else:
        bad = name[: rule.min_length - 1]
    assert naming.violations(rule, bad) != ()


@pytest.mark.parametrize(
    ("rule", "name", "said"),
    [
        (naming.STORAGE_ACCOUNT, "AIStorage", "not allowed: 'A', 'I', 'S'"),
        (naming.STORAGE_ACCOUNT, "a" * 25, "is 25 characters long"),
        (naming.STORAGE_ACCOUNT, "ab", "is 2 characters long"),
        (naming.FILE_SHARE, "ai--share", "contains '--'"),
        (naming.FILE_SHARE, "-share", "starts with '-'"),
        (naming.LOG_ANALYTICS, "log_ws", "not allowed: '_'"),
        (naming.ENVIRONMENT, "1env", "starts with '1'"),
        (naming.ENVIRONMENT, "env-", "ends with '-'"),
        (naming.ENVIRONMENT_STORAGE, "s" * 33, "is 33 characters long"),
        (naming.CONTAINER_APP, "my--app", "contains '--'"),
        (naming.CONTAINER_APP, "a" * 33, "is 33 characters long"),
        (naming.RESOURCE_GROUP, "rg.", "ends with '.'"),
    ],
)
def test_describe_says_what_is_wrong(rule: naming.NameRule, name: str, said: str) -> None:
    sentence = naming.describe(rule, name)
    assert sentence is not None and said in sentence


def test_default_names_are_valid() -> None:
    suffix = "js26o"
    prefixes = {
        "storageAccountName": "aistorage",
        "fileShareName": "aifileshare",
        "acaEnvironmentName": "aienv",
        "acaEnvironmentStorageName": "aienvstorage",
        "acaAppName": "aiacaapp",
        "acaLogAnalyticsName": "ailog",
    }
    for parameter, prefix in prefixes.items():
        assert naming.describe(naming.PARAMETER_RULES[parameter], prefix + suffix) is None


def test_expected_text_lists_the_rule() -> None:
    assert naming.CONTAINER_APP.expected == (
        "container app name: 2-32 lower-case letters, digits and hyphens, starting with a "
        "lower-case letter, ending with a lower-case letter or digit, no '--'"
    )
