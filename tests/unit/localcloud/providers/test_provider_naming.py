from __future__ import annotations

import pytest

from localcloud.providers.naming import name_problem

STORAGE = "Microsoft.Storage/storageAccounts"
SHARE = "Microsoft.Storage/storageAccounts/fileServices/shares"
APP = "Microsoft.App/containerApps"
ENV = "Microsoft.App/managedEnvironments"
ENV_STORAGE = "Microsoft.App/managedEnvironments/storages"
WORKSPACE = "Microsoft.OperationalInsights/workspaces"


@pytest.mark.parametrize(
    ("full_type", "name"),
    [
        (STORAGE, "aistoragejs26o"),
        (STORAGE, "abc"),
        (STORAGE, "a" * 24),
        (SHARE, "aifilesharejs26o"),
        (SHARE, "a-b"),
        (WORKSPACE, "ailogjs26o"),
        (WORKSPACE, "Log-Space1"),
        (ENV, "aienvjs26o"),
        (ENV, "e1"),
        (ENV_STORAGE, "aienvstoragejs26o"),
        (APP, "aiacaappjs26o"),
        (APP, "a-b-c"),
        ("Microsoft.App/jobs", "aiacajobjs26o"),
        ("Microsoft.Storage/storageAccounts/fileServices", "default"),
    ],
)
def test_valid_names_have_no_problem(full_type: str, name: str) -> None:
    assert name_problem(full_type, name) is None


@pytest.mark.parametrize(
    ("full_type", "name", "code"),
    [
        (STORAGE, "ab", "AccountNameInvalid"),
        (STORAGE, "a" * 25, "AccountNameInvalid"),
        (STORAGE, "AiStorage", "AccountNameInvalid"),
        (STORAGE, "ai-storage", "AccountNameInvalid"),
        (SHARE, "a--b", "InvalidResourceName"),
        (SHARE, "-ab", "InvalidResourceName"),
        (SHARE, "ab", "InvalidResourceName"),
        (WORKSPACE, "abc", "InvalidWorkspaceName"),
        (WORKSPACE, "abc-", "InvalidWorkspaceName"),
        (ENV, "1env", "ManagedEnvironmentInvalidName"),
        (ENV, "env-", "ManagedEnvironmentInvalidName"),
        (ENV_STORAGE, "a" * 33, "ManagedEnvironmentStorageInvalidName"),
        (APP, "app--x", "ContainerAppInvalidName"),
        (APP, "App", "ContainerAppInvalidName"),
        (APP, "a", "ContainerAppInvalidName"),
        (APP, "a" * 33, "ContainerAppInvalidName"),
        ("Microsoft.App/jobs", "job_1", "ContainerAppJobInvalidName"),
        ("Microsoft.Storage/storageAccounts/fileServices", "other", "InvalidResourceName"),
    ],
)
def test_invalid_names_report_the_providers_error_code(
    full_type: str, name: str, code: str
) -> None:
    problem = name_problem(full_type, name)
    assert problem is not None
    assert problem.code == code
    assert name in problem.message


def test_types_without_rules_accept_any_name() -> None:
    assert name_problem("Microsoft.Web/sites", "Anything_Goes") is None


def test_type_lookup_ignores_case() -> None:
    assert name_problem("microsoft.storage/STORAGEACCOUNTS", "Bad") is not None
