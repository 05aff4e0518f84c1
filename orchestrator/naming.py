"""Azure naming rules for the resources the inference template creates (pure, no I/O).

Sources: the resource-name-rules table in template-engine.md §8. Each rule is data; `violations`
checks a name against one rule and says, in words, everything that is wrong with it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class NameRule:
    """What Azure accepts as the name of one resource type."""

    what: str  # "storage account name"
    min_length: int
    max_length: int
    chars: str  # a regex character class body, e.g. "a-z0-9"
    chars_text: str  # the same in words
    first: str = ""  # character class the first character must match ("" = any allowed)
    first_text: str = ""
    last: str = ""  # character class the last character must match
    last_text: str = ""
    no_double_hyphen: bool = False

    @property
    def expected(self) -> str:
        parts = [f"{self.what}: {self.min_length}-{self.max_length} {self.chars_text}"]
        if self.first_text:
            parts.append(f"starting with {self.first_text}")
        if self.last_text:
            parts.append(f"ending with {self.last_text}")
        if self.no_double_hyphen:
            parts.append("no '--'")
        return ", ".join(parts)


_LETTER = ("a-z", "a lower-case letter")
_ALNUM_LOWER = ("a-z0-9", "a lower-case letter or digit")
_ALNUM = ("a-zA-Z0-9", "a letter or digit")

STORAGE_ACCOUNT = NameRule("storage account name", 3, 24, "a-z0-9", "lower-case letters and digits")
FILE_SHARE = NameRule(
    "file share name",
    3,
    63,
    "a-z0-9-",
    "lower-case letters, digits and hyphens",
    *_ALNUM_LOWER,
    *_ALNUM_LOWER,
    no_double_hyphen=True,
)
LOG_ANALYTICS = NameRule(
    "Log Analytics workspace name",
    4,
    63,
    "a-zA-Z0-9-",
    "letters, digits and hyphens",
    *_ALNUM,
    *_ALNUM,
)
ENVIRONMENT = NameRule(
    "Container Apps environment name",
    2,
    60,
    "a-z0-9-",
    "lower-case letters, digits and hyphens",
    *_LETTER,
    *_ALNUM_LOWER,
)
ENVIRONMENT_STORAGE = NameRule(
    "environment storage name",
    2,
    32,
    "a-z0-9-",
    "lower-case letters, digits and hyphens",
    *_LETTER,
    *_ALNUM_LOWER,
    no_double_hyphen=True,
)
CONTAINER_APP = NameRule(
    "container app name",
    2,
    32,
    "a-z0-9-",
    "lower-case letters, digits and hyphens",
    *_LETTER,
    *_ALNUM_LOWER,
    no_double_hyphen=True,
)
CONTAINER_APP_JOB = NameRule(
    "container apps job name",
    2,
    32,
    "a-z0-9-",
    "lower-case letters, digits and hyphens",
    *_LETTER,
    *_ALNUM_LOWER,
    no_double_hyphen=True,
)
RESOURCE_GROUP = NameRule(
    "resource group name",
    1,
    90,
    r"\w().-",
    "letters, digits, '_', '-', '.', '(' and ')'",
    last=r"\w()-",
    last_text="anything but '.'",
)

# Template parameter -> rule.
PARAMETER_RULES: Mapping[str, NameRule] = {
    "storageAccountName": STORAGE_ACCOUNT,
    "fileShareName": FILE_SHARE,
    "acaLogAnalyticsName": LOG_ANALYTICS,
    "acaEnvironmentName": ENVIRONMENT,
    "acaEnvironmentStorageName": ENVIRONMENT_STORAGE,
    "acaAppName": CONTAINER_APP,
}

# Config-file key -> rule (both config files).
CONFIG_RULES: Mapping[str, NameRule] = {
    "RESOURCE_GROUP_NAME": RESOURCE_GROUP,
    "STORAGE_ACCOUNT_NAME": STORAGE_ACCOUNT,
    "FILE_SHARE_NAME": FILE_SHARE,
    "ACA_APP_NAME": CONTAINER_APP,
    "ACA_JOB_NAME": CONTAINER_APP_JOB,
}


def _bad_chars(name: str, chars: str) -> list[str]:
    seen: list[str] = []
    for ch in name:
        if not re.fullmatch(f"[{chars}]", ch) and ch not in seen:
            seen.append(ch)
    return seen


def violations(rule: NameRule, name: str) -> tuple[str, ...]:
    """Everything wrong with `name` under `rule`, in words; empty when the name is valid."""
    found: list[str] = []
    if not rule.min_length <= len(name) <= rule.max_length:
        unit = "character" if len(name) == 1 else "characters"
        found.append(f"is {len(name)} {unit} long")
    bad = _bad_chars(name, rule.chars)
    if bad:
        found.append("has characters that are not allowed: " + ", ".join(repr(ch) for ch in bad))
    if name and rule.first and not re.fullmatch(f"[{rule.first}]", name[0]):
        found.append(f"starts with {name[0]!r}")
    if name and rule.last and not re.fullmatch(f"[{rule.last}]", name[-1]):
        found.append(f"ends with {name[-1]!r}")
    if rule.no_double_hyphen and "--" in name:
        found.append("contains '--'")
    return tuple(found)


def describe(rule: NameRule, name: str) -> str | None:
    """One sentence for a bad name (`None` when it is valid)."""
    found = violations(rule, name)
    if not found:
        return None
    return f"{name!r} is not a valid {rule.what}: it " + "; it ".join(found)
