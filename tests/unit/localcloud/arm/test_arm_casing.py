from __future__ import annotations

import pytest

from localcloud.arm.casing import camel_case


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ACA_APP_ENDPOINT", "acA_APP_ENDPOINT"),
        ("AZURE_STORAGE_ACCOUNT_ID", "azurE_STORAGE_ACCOUNT_ID"),
        ("STRING", "string"),
        ("ARRAY_INT", "arraY_INT"),
        ("StorageAccountName1", "storageAccountName1"),
        ("SUBSCRIPTION_ID", "subscriptioN_ID"),
        ("RESOURCE_GROUP_NAME", "resourcE_GROUP_NAME"),
        ("location", "location"),
        ("URLValue", "urlValue"),
        ("A", "a"),
        ("", ""),
        ("_X", "_X"),
        ("AB1", "aB1"),
    ],
)
def test_camel_case_follows_newtonsoft(name: str, expected: str) -> None:
    assert camel_case(name) == expected
