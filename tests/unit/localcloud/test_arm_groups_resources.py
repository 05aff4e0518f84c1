"""Pure parts of resource groups and generic resources."""

from __future__ import annotations

import pytest

from localcloud.arm.errors import ArmError, ErrorDetail
from localcloud.arm.groups import (
    deletion_order,
    group_doc,
    operation_token,
    parse_operation_token,
    validate_group_name,
)
from localcloud.arm.resources import (
    PathKind,
    ProviderPath,
    filter_resources,
    merge_patch,
    validation_error,
)


def test_group_doc_normalises_location_and_keeps_the_first_name() -> None:
    doc = group_doc("s", "MyRG", {"location": "East US", "tags": {"a": "b"}}, None)
    assert doc["id"] == "/subscriptions/s/resourceGroups/MyRG"
    assert doc["location"] == "eastus"
    again = group_doc("s", "myrg", {"location": "eastus"}, doc)
    assert again["name"] == "MyRG"
    assert again["tags"] == {}


def test_group_doc_requires_location_and_refuses_a_move() -> None:
    with pytest.raises(ArmError) as missing:
        group_doc("s", "g", {}, None)
    assert missing.value.code == "LocationRequired"
    existing = group_doc("s", "g", {"location": "eastus"}, None)
    with pytest.raises(ArmError) as moved:
        group_doc("s", "g", {"location": "westus"}, existing)
    assert (moved.value.status, moved.value.code) == (409, "InvalidResourceGroupLocation")


@pytest.mark.parametrize("name", ["", "a" * 91, "ends.", "has space", "slash/"])
def test_invalid_group_names(name: str) -> None:
    with pytest.raises(ArmError):
        validate_group_name(name)


def test_operation_token_round_trips_and_rejects_garbage() -> None:
    gid = "/subscriptions/s/resourceGroups/g"
    assert parse_operation_token(operation_token(gid)) == gid
    assert parse_operation_token("!!!") is None
    assert parse_operation_token("eyJqb2JJZCI6IngifQ") is None


def test_children_are_deleted_before_parents() -> None:
    ids = ["/g/providers/n/a/1", "/g/providers/n/a/1/b/2", "/g/providers/n/c/3"]
    assert deletion_order(ids)[0] == "/g/providers/n/a/1/b/2"


def test_provider_path_parsing() -> None:
    resource = ProviderPath.parse("Microsoft.App/containerApps/app1")
    assert (resource.kind, resource.types, resource.names) == (
        PathKind.RESOURCE,
        ("containerApps",),
        ("app1",),
    )
    top = ProviderPath.parse("Microsoft.App/containerApps")
    assert (top.kind, top.types, top.last) == (PathKind.COLLECTION, (), "containerApps")
    child = ProviderPath.parse("Microsoft.Storage/storageAccounts/st/listKeys")
    assert (child.kind, child.names, child.last) == (PathKind.COLLECTION, ("st",), "listKeys")
    with pytest.raises(ArmError):
        ProviderPath.parse("Microsoft.App")
    with pytest.raises(ArmError):
        ProviderPath.parse("A/b/c/providers/D/e/f")


def test_merge_patch_merges_objects_and_replaces_the_rest() -> None:
    merged = merge_patch({"tags": {"a": "1"}, "properties": {"x": [1]}}, {"tags": {"b": "2"}})
    assert merged == {"tags": {"a": "1", "b": "2"}, "properties": {"x": [1]}}


def test_filter_resources_by_type() -> None:
    docs = [{"type": "A/b"}, {"type": "C/d"}]
    assert filter_resources(docs, "resourceType eq 'a/B'") == [{"type": "A/b"}]
    assert filter_resources(docs, None) == docs


def test_validation_errors_become_one_arm_error() -> None:
    one = validation_error([ErrorDetail("NameInvalid", "bad", "name")])
    assert (one.status, one.code, one.target) == (400, "NameInvalid", "name")
    many = validation_error([ErrorDetail("A", "a"), ErrorDetail("B", "b")])
    assert many.code == "MultipleErrorsOccurred"
    assert [d.code for d in many.details] == ["A", "B"]
