"""Azure naming rules for the resource types localcloud serves (pure, no I/O).

Rules follow https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
plus rules the services enforce beyond it (container apps and jobs: no `--`, as Azure/azure-cli
issue #27933 shows; environment storages: hashicorp/terraform-provider-azurerm
`internal/services/containerapps/validate/validate.go`). Each rule carries the error code the
resource provider answers with; every failure is a 400.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from localcloud.arm.errors import ErrorDetail


@dataclass(frozen=True)
class NameRule:
    pattern: re.Pattern[str]
    code: str
    requirement: str

    def problem(self, kind: str, name: str) -> ErrorDetail | None:
        if self.pattern.fullmatch(name):
            return None
        return ErrorDetail(
            self.code, f"The {kind} name '{name}' is invalid. {self.requirement}", target="name"
        )


def _rule(pattern: str, code: str, requirement: str) -> NameRule:
    return NameRule(re.compile(pattern), code, requirement)


# Lower-case letters, digits and hyphens; starts with a letter, ends alphanumeric, no "--".
_APP_LIKE = r"[a-z](?!.*--)[a-z0-9-]{0,30}[a-z0-9]"

RULES: dict[str, tuple[str, NameRule]] = {
    "microsoft.storage/storageaccounts": (
        "storage account",
        _rule(
            r"[a-z0-9]{3,24}",
            "AccountNameInvalid",
            "Storage account name must be between 3 and 24 characters in length and use "
            "numbers and lower-case letters only.",
        ),
    ),
    "microsoft.storage/storageaccounts/fileservices": (
        "file service",
        _rule(
            r"default",
            "InvalidResourceName",
            "The only file service of a storage account is named 'default'.",
        ),
    ),
    "microsoft.storage/storageaccounts/fileservices/shares": (
        "file share",
        _rule(
            r"[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]",
            "InvalidResourceName",
            "Share names must be 3 to 63 characters of lower-case letters, digits and hyphens, "
            "start and end with a letter or digit, and not contain consecutive hyphens.",
        ),
    ),
    "microsoft.operationalinsights/workspaces": (
        "workspace",
        _rule(
            r"[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]",
            "InvalidWorkspaceName",
            "Workspace names must be 4 to 63 characters of letters, digits and hyphens, and "
            "start and end with a letter or digit.",
        ),
    ),
    "microsoft.app/managedenvironments": (
        "managed environment",
        _rule(
            r"[a-z][a-z0-9-]{0,58}[a-z0-9]",
            "ManagedEnvironmentInvalidName",
            "Environment names must be 2 to 60 characters of lower-case letters, digits and "
            "hyphens, start with a letter and end with a letter or digit.",
        ),
    ),
    "microsoft.app/managedenvironments/storages": (
        "environment storage",
        _rule(
            _APP_LIKE,
            "ManagedEnvironmentStorageInvalidName",
            "Storage names must be 2 to 32 characters of lower-case letters, digits and "
            "hyphens, start with a letter, end with a letter or digit and not contain '--'.",
        ),
    ),
    "microsoft.app/containerapps": (
        "container app",
        _rule(
            _APP_LIKE,
            "ContainerAppInvalidName",
            "A name must consist of lower case alphanumeric characters or '-', start with an "
            "alphabetic character, end with an alphanumeric character, not have '--', and be "
            "2 to 32 characters long.",
        ),
    ),
    "microsoft.app/jobs": (
        "container app job",
        _rule(
            _APP_LIKE,
            "ContainerAppJobInvalidName",
            "A name must consist of lower case alphanumeric characters or '-', start with an "
            "alphabetic character, end with an alphanumeric character, not have '--', and be "
            "2 to 32 characters long.",
        ),
    ),
}


def name_problem(full_type: str, name: str) -> ErrorDetail | None:
    """The naming error Azure reports for `name` of `full_type`, or None when it is valid."""
    entry = RULES.get(full_type.lower())
    if entry is None:
        return None
    kind, rule = entry
    return rule.problem(kind, name)
