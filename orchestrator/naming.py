"""Azure naming rules (pure, no I/O): the resources the inference template creates, and the
target of a provision (subscription, resource group, location, deployment name).

Sources: learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules and
Azure/azure-rest-api-specs (`Microsoft.Resources` resource group and deployment names: letters
and digits as .NET's `Char.IsLetterOrDigit` defines them, plus `_ - . ( )`; a resource group
name does not end with `.`). Each rule is data; `violations` checks a name against one rule and
says, in words, everything that is wrong with it. The `check_*` functions are what target
resolution calls before any request: they return the normalised value or raise `InputError`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from orchestrator.errors import InputError


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
    unicode_letters: bool = False  # also any Unicode letter or decimal digit (Char.IsLetterOrDigit)

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
    "_().-",
    "letters, digits, '_', '-', '.', '(' and ')'",
    last="_()-",
    last_text="anything but '.'",
    unicode_letters=True,
)
DEPLOYMENT = NameRule(
    "deployment name",
    1,
    64,
    "_().-",
    "letters, digits, '_', '-', '.', '(' and ')'",
    unicode_letters=True,
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


_LETTER_OR_DIGIT = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nd"})  # .NET Char.IsLetterOrDigit
_SHOWN_CHARS = 5  # bad characters named in a message
_SHOWN_VALUE = 60  # characters of a value quoted in a message


@functools.cache
def _class(chars: str) -> re.Pattern[str]:
    return re.compile(f"[{chars}]")


def _allowed(ch: str, chars: str, unicode_letters: bool) -> bool:
    if unicode_letters and unicodedata.category(ch) in _LETTER_OR_DIGIT:
        return True
    return bool(chars) and _class(chars).fullmatch(ch) is not None


def _bad_chars(name: str, rule: NameRule) -> list[str]:
    return [ch for ch in dict.fromkeys(name) if not _allowed(ch, rule.chars, rule.unicode_letters)]


def quoted(value: str, limit: int = _SHOWN_VALUE) -> str:
    """`value` as printed in a message: one line (control characters escaped), cut to `limit`."""
    text = repr(value if len(value) <= limit else value[: limit - 3])
    return text if len(value) <= limit else text + "..."


def violations(rule: NameRule, name: str) -> tuple[str, ...]:
    """Everything wrong with `name` under `rule`, in words; empty when the name is valid."""
    found: list[str] = []
    if not rule.min_length <= len(name) <= rule.max_length:
        unit = "character" if len(name) == 1 else "characters"
        found.append(f"is {len(name)} {unit} long")
    bad = _bad_chars(name, rule)
    if bad:
        shown = ", ".join(repr(ch) for ch in bad[:_SHOWN_CHARS])
        more = ", ..." if len(bad) > _SHOWN_CHARS else ""
        found.append(f"has characters that are not allowed: {shown}{more}")
    if name and rule.first and not _allowed(name[0], rule.first, False):
        found.append(f"starts with {name[0]!r}")
    if name and rule.last and not _allowed(name[-1], rule.last, rule.unicode_letters):
        found.append(f"ends with {name[-1]!r}")
    if rule.no_double_hyphen and "--" in name:
        found.append("contains '--'")
    return tuple(found)


def describe(rule: NameRule, name: str) -> str | None:
    """One sentence for a bad name (`None` when it is valid)."""
    found = violations(rule, name)
    if not found:
        return None
    return f"{quoted(name)} is not a valid {rule.what}: it " + "; it ".join(found)


# --- the target of a provision (contract C3) ------------------------------------------------

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_LOCATION = re.compile(r"[a-z0-9]{1,64}")
GUID_EXPECTED = "a subscription ID is a GUID such as 00000000-0000-0000-0000-000000000000"
LOCATION_EXPECTED = (
    "a location is an Azure region name of lower-case letters and digits, such as eastus "
    "('East US' is read as eastus)"
)


def _refuse(source: str, message: str, expected: str) -> InputError:
    return InputError(f"{source}: {message} ({expected})")


def _check_name(rule: NameRule, value: str, source: str) -> str:
    said = describe(rule, value)
    if said:
        raise _refuse(source, said, rule.expected)
    return value


def check_subscription_id(value: str, source: str) -> str:
    """A subscription ID (a GUID), as given; else InputError naming `source`."""
    if _GUID.fullmatch(value) is None:
        raise _refuse(source, f"{quoted(value)} is not a subscription ID", GUID_EXPECTED)
    return value


def check_resource_group(value: str, source: str) -> str:
    """A resource group name by Azure's rule (1-90 letters, digits, `_ - . ( )`, not ending
    with `.`), as given; else InputError naming `source`."""
    return _check_name(RESOURCE_GROUP, value, source)


def check_deployment_name(value: str, source: str) -> str:
    """A deployment name by Azure's rule (1-64 letters, digits, `_ - . ( )`), as given."""
    return _check_name(DEPLOYMENT, value, source)


def normal_location(value: str) -> str:
    """`East US` -> `eastus`: what ARM itself accepts as the same region."""
    return value.replace(" ", "").lower()


def check_location(value: str, source: str) -> str:
    """A location, normalised (`East US` -> `eastus`); else InputError naming `source`."""
    normal = normal_location(value)
    if _LOCATION.fullmatch(normal) is None:
        raise _refuse(source, f"{quoted(value)} is not a location", LOCATION_EXPECTED)
    return normal
