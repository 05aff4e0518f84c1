"""Resource plans: ids, conditions, copy loops, dependsOn forms, implicit dependencies, bodies."""

from __future__ import annotations

from typing import Any

import pytest
from tmpl_support import GROUP_ID, FakeResolver, make_scope

from localcloud.template import Prepared, TemplateError, prepare

SA = "Microsoft.Storage/storageAccounts"


def _id(rtype: str, *names: str) -> str:
    ns, *types = rtype.split("/")
    tail = "/".join(f"{t}/{n}" for t, n in zip(types, names, strict=True))
    return f"{GROUP_ID}/providers/{ns}/{tail}"


def _prepare(resources: Any, **template: Any) -> Prepared:
    return prepare({"resources": resources, **template}, {}, make_scope())


def _deps(prepared: Prepared) -> dict[str, set[str]]:
    return {p.key: set(p.depends_on) for p in prepared.resources}


def test_plan_identity_fields() -> None:
    prepared = _prepare([{"type": SA, "apiVersion": "2023-01-01", "name": "sa", "location": "x"}])
    (plan,) = prepared.resources
    assert (plan.key, plan.index, plan.type, plan.name, plan.api_version) == (
        "resources[0]",
        0,
        SA,
        "sa",
        "2023-01-01",
    )
    assert plan.resource_id == _id(SA, "sa")
    assert (plan.condition, plan.existing, plan.is_deployment) == (True, False, False)
    assert plan.depends_on == frozenset()


def test_condition_false_is_planned_with_condition_false() -> None:
    prepared = _prepare(
        [{"type": SA, "apiVersion": "1", "name": "sa", "condition": "[equals(1, 2)]"}]
    )
    assert prepared.resources[0].condition is False


def test_condition_must_be_boolean() -> None:
    with pytest.raises(TemplateError) as info:
        _prepare([{"type": SA, "apiVersion": "1", "name": "sa", "condition": "yes"}])
    assert info.value.target == "resources[0].condition"


def test_copy_loop_expands_instances_with_copy_index_and_offset() -> None:
    prepared = _prepare(
        [
            {
                "type": SA,
                "apiVersion": "1",
                "name": "[format('sa{0}', copyIndex(1))]",
                "copy": {"name": "accounts", "count": 3},
                "properties": {"i": "[copyIndex()]", "j": "[copyIndex('accounts', 10)]"},
            }
        ]
    )
    assert [p.key for p in prepared.resources] == [
        "resources[0][0]",
        "resources[0][1]",
        "resources[0][2]",
    ]
    assert [p.name for p in prepared.resources] == ["sa1", "sa2", "sa3"]
    assert prepared.resources[2].evaluate(FakeResolver())["properties"] == {"i": 2, "j": 12}
    assert all(p.depends_on == frozenset() for p in prepared.resources)


def test_copy_count_zero_plans_nothing() -> None:
    prepared = _prepare(
        [
            {
                "type": SA,
                "apiVersion": "1",
                "name": "[string(copyIndex())]",
                "copy": {"name": "l", "count": 0},
            }
        ]
    )
    assert prepared.resources == []


def test_serial_copy_with_batch_size_waits_for_the_previous_batch() -> None:
    prepared = _prepare(
        [
            {
                "type": SA,
                "apiVersion": "1",
                "name": "[format('s{0}', copyIndex())]",
                "copy": {"name": "l", "count": 5, "mode": "serial", "batchSize": 2},
            }
        ]
    )
    deps = {p.name: {d.rsplit("/", 1)[-1] for d in p.depends_on} for p in prepared.resources}
    assert deps == {
        "s0": set(),
        "s1": set(),
        "s2": {"s0", "s1"},
        "s3": {"s0", "s1"},
        "s4": {"s2", "s3"},
    }


def test_depends_on_accepts_ids_names_type_names_and_loop_names() -> None:
    prepared = _prepare(
        [
            {"type": SA, "apiVersion": "1", "name": "a"},
            {
                "type": SA,
                "apiVersion": "1",
                "name": "[concat('l', copyIndex())]",
                "copy": {"name": "loop", "count": 2},
            },
            {
                "type": SA,
                "apiVersion": "1",
                "name": "byid",
                "dependsOn": [f"[resourceId('{SA}', 'a')]"],
            },
            {"type": SA, "apiVersion": "1", "name": "byname", "dependsOn": ["a"]},
            {"type": SA, "apiVersion": "1", "name": "bytypename", "dependsOn": [f"{SA}/a"]},
            {"type": SA, "apiVersion": "1", "name": "byloop", "dependsOn": ["loop"]},
        ]
    )
    a, l0, l1 = (_id(SA, n).lower() for n in ("a", "l0", "l1"))
    deps = {p.name: set(p.depends_on) for p in prepared.resources}
    assert deps["byid"] == deps["byname"] == deps["bytypename"] == {a}
    assert deps["byloop"] == {l0, l1}


def test_depends_on_an_unknown_resource_fails() -> None:
    with pytest.raises(TemplateError, match="The resource 'ghost' is not defined in the template"):
        _prepare([{"type": SA, "apiVersion": "1", "name": "a", "dependsOn": ["ghost"]}])


def test_circular_dependencies_fail() -> None:
    with pytest.raises(TemplateError, match="Circular dependency detected"):
        _prepare(
            [
                {"type": SA, "apiVersion": "1", "name": "a", "dependsOn": ["b"]},
                {"type": SA, "apiVersion": "1", "name": "b", "dependsOn": ["a"]},
            ]
        )


def test_duplicate_resources_fail() -> None:
    with pytest.raises(TemplateError, match="is defined multiple times in a template"):
        _prepare(
            [
                {"type": SA, "apiVersion": "1", "name": "a"},
                {"type": SA, "apiVersion": "1", "name": "A"},
            ]
        )


def test_implicit_dependencies_from_reference_and_list_calls() -> None:
    ws = "Microsoft.OperationalInsights/workspaces"
    prepared = _prepare(
        [
            {"type": ws, "apiVersion": "2022-10-01", "name": "log"},
            {"type": SA, "apiVersion": "1", "name": "sa"},
            {
                "type": "Microsoft.App/managedEnvironments",
                "apiVersion": "1",
                "name": "env",
                "properties": {
                    "customerId": f"[reference(resourceId('{ws}', 'log'), '1').customerId]",
                    "key": "[listKeys('sa', '1').keys[0].value]",
                    "unrelated": "[reference('/subscriptions/x/providers/A/b/c', '1').z]",
                },
            },
        ]
    )
    assert _deps(prepared)["resources[2]"] == {_id(ws, "log").lower(), _id(SA, "sa").lower()}


def test_nested_child_resources_get_full_type_name_and_depend_on_the_parent() -> None:
    prepared = _prepare(
        [
            {
                "type": SA,
                "apiVersion": "1",
                "name": "sa",
                "resources": [{"type": "fileServices", "apiVersion": "1", "name": "default"}],
            }
        ]
    )
    child = prepared.resources[1]
    assert (child.key, child.type, child.name) == (
        "resources[0].resources[0]",
        f"{SA}/fileServices",
        "sa/default",
    )
    assert child.resource_id == _id(f"{SA}/fileServices", "sa", "default")
    assert child.depends_on == {_id(SA, "sa").lower()}
    assert "resources" not in prepared.resources[0].evaluate(FakeResolver())


def test_name_segments_must_match_the_type() -> None:
    with pytest.raises(TemplateError, match="has incorrect segment lengths"):
        _prepare([{"type": f"{SA}/fileServices", "apiVersion": "1", "name": "sa"}])


def test_evaluate_returns_the_body_without_template_syntax_or_nulls() -> None:
    prepared = _prepare(
        [
            {
                "type": SA,
                "apiVersion": "1",
                "name": "sa",
                "location": "[resourceGroup().location]",
                "tags": {"[concat('k', '1')]": "v"},
                "sku": {"name": "Standard_LRS"},
                "kind": "StorageV2",
                "zones": ["1"],
                "comments": "ignored",
                "dependsOn": [],
                "properties": {
                    "a": None,
                    "b": "[json('null')]",
                    "c": {"d": None, "e": [None, 1]},
                    "f": "[[x]",
                },
            }
        ]
    )
    assert prepared.resources[0].evaluate(FakeResolver()) == {
        "location": "eastus",
        "tags": {"k1": "v"},
        "sku": {"name": "Standard_LRS"},
        "kind": "StorageV2",
        "zones": ["1"],
        "properties": {"c": {"e": [None, 1]}, "f": "[x]"},
    }


def test_property_copy_loops_in_resource_bodies() -> None:
    prepared = _prepare(
        [
            {
                "type": SA,
                "apiVersion": "1",
                "name": "vm",
                "properties": {
                    "copy": [
                        {"name": "disks", "count": 2, "input": {"lun": "[copyIndex('disks')]"}}
                    ],
                    "other": 1,
                },
            }
        ]
    )
    body = prepared.resources[0].evaluate(FakeResolver())
    assert body["properties"] == {"disks": [{"lun": 0}, {"lun": 1}], "other": 1}


def test_reference_by_bare_name_uses_the_declared_api_version() -> None:
    prepared = _prepare(
        [
            {"type": SA, "apiVersion": "2023-01-01", "name": "sa"},
            {
                "type": SA,
                "apiVersion": "1",
                "name": "b",
                "properties": {"x": "[reference('sa').endpoint]"},
            },
        ]
    )
    resolver = FakeResolver({_id(SA, "sa"): {"properties": {"endpoint": "e"}}})
    assert prepared.resources[1].evaluate(resolver)["properties"] == {"x": "e"}
    assert resolver.calls == [("reference", _id(SA, "sa"), "2023-01-01", False)]
    assert prepared.resources[1].depends_on == {_id(SA, "sa").lower()}


def test_unresolved_reference_fails_strictly_and_is_kept_in_lenient_mode() -> None:
    expression = f"[reference(resourceId('{SA}', 'sa'), '1').x]"
    prepared = _prepare(
        [
            {"type": SA, "apiVersion": "1", "name": "sa"},
            {
                "type": SA,
                "apiVersion": "1",
                "name": "b",
                "properties": {"x": expression, "y": "[concat('a', 'b')]"},
            },
        ]
    )
    plan = prepared.resources[1]
    with pytest.raises(TemplateError) as info:
        plan.evaluate(FakeResolver())
    assert info.value.code == "ResourceNotFound"
    assert info.value.target == "resources[1].properties.x"
    assert plan.evaluate(FakeResolver(), lenient=True)["properties"] == {"x": expression, "y": "ab"}


def test_reference_is_rejected_in_resource_names() -> None:
    with pytest.raises(TemplateError, match="'reference' is not expected at this location"):
        _prepare([{"type": SA, "apiVersion": "1", "name": "[reference('/x', '1').n]"}])


def test_language_version_2_symbolic_resources() -> None:
    prepared = prepare(
        {
            "languageVersion": "2.0",
            "resources": {
                "old": {"type": SA, "apiVersion": "1", "name": "old", "existing": True},
                "sa": {"type": SA, "apiVersion": "2023-01-01", "name": "sa"},
                "many": {
                    "type": SA,
                    "apiVersion": "1",
                    "name": "[format('m{0}', copyIndex())]",
                    "copy": {"name": "many", "count": 2},
                    "dependsOn": ["sa"],
                },
                "app": {
                    "type": SA,
                    "apiVersion": "1",
                    "name": "app",
                    "dependsOn": ["many"],
                    "properties": {"k": "[reference('sa').key]", "o": "[reference('old').v]"},
                },
            },
        },
        {},
        make_scope(),
    )
    plans = {p.key: p for p in prepared.resources}
    assert list(plans) == ["old", "sa", "many[0]", "many[1]", "app"]
    assert plans["old"].existing is True
    assert plans["many[1]"].depends_on == {_id(SA, "sa").lower()}
    assert plans["app"].depends_on == {_id(SA, n).lower() for n in ("m0", "m1", "sa", "old")}


def test_extension_resource_scope_and_deployment_resource_group() -> None:
    prepared = _prepare(
        [
            {"type": SA, "apiVersion": "1", "name": "sa"},
            {
                "type": "Microsoft.Authorization/locks",
                "apiVersion": "1",
                "name": "lock",
                "scope": f"{SA}/sa",
            },
            {
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "1",
                "name": "d",
                "resourceGroup": "other",
                "properties": {"mode": "Incremental", "template": {}},
            },
        ]
    )
    assert (
        prepared.resources[1].resource_id
        == f"{_id(SA, 'sa')}/providers/Microsoft.Authorization/locks/lock"
    )
    deployment = prepared.resources[2]
    assert deployment.is_deployment
    assert deployment.resource_id == (
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/other/providers/"
        "Microsoft.Resources/deployments/d"
    )


def test_serial_copy_without_batch_size_deploys_one_at_a_time() -> None:
    prepared = _prepare(
        [
            {
                "type": SA,
                "apiVersion": "1",
                "name": "[format('s{0}', copyIndex())]",
                "copy": {"name": "l", "count": 3, "mode": "Serial"},
            }
        ]
    )
    deps = [{d.rsplit("/", 1)[-1] for d in p.depends_on} for p in prepared.resources]
    assert deps == [set(), {"s0"}, {"s1"}]


def test_copy_index_outside_a_loop_fails_with_the_resource_path() -> None:
    with pytest.raises(TemplateError) as info:
        _prepare([{"type": SA, "apiVersion": "1", "name": "[string(copyIndex())]"}])
    assert "The function can only be used in a resource with copy specified" in info.value.message
    assert info.value.target == "resources[0].name"


def test_copy_count_must_be_a_small_non_negative_integer() -> None:
    with pytest.raises(TemplateError, match="not greater than 800"):
        _prepare(
            [
                {
                    "type": SA,
                    "apiVersion": "1",
                    "name": "[string(copyIndex())]",
                    "copy": {"name": "l", "count": 801},
                }
            ]
        )


def test_list_action_with_a_body_goes_to_the_resolver() -> None:
    prepared = _prepare(
        [
            {"type": SA, "apiVersion": "2023-01-01", "name": "sa"},
            {
                "type": SA,
                "apiVersion": "1",
                "name": "b",
                "properties": {
                    "sas": "[listAccountSas('sa', '2023-01-01', createObject('a', 1)).s]"
                },
            },
        ]
    )
    resolver = FakeResolver({_id(SA, "sa"): {}}, {"listAccountSas": {"s": "token"}})
    assert prepared.resources[1].evaluate(resolver)["properties"] == {"sas": "token"}
    assert resolver.calls == [("list", _id(SA, "sa"), "listAccountSas", "2023-01-01", {"a": 1})]
    assert prepared.resources[1].depends_on == {_id(SA, "sa").lower()}


def test_references_returns_every_instance_of_a_symbolic_collection() -> None:
    prepared = prepare(
        {
            "languageVersion": "2.0",
            "resources": {
                "accounts": {
                    "type": SA,
                    "apiVersion": "2023-01-01",
                    "name": "[format('s{0}', copyIndex())]",
                    "copy": {"name": "accounts", "count": 2},
                },
                "summary": {
                    "type": SA,
                    "apiVersion": "1",
                    "name": "summary",
                    "properties": {"n": "[length(references('accounts'))]"},
                },
            },
        },
        {},
        make_scope(),
    )
    summary = prepared.resources[2]
    assert summary.depends_on == {_id(SA, "s0").lower(), _id(SA, "s1").lower()}
    resolver = FakeResolver({_id(SA, "s0"): {}, _id(SA, "s1"): {}})
    assert summary.evaluate(resolver)["properties"] == {"n": 2}
