"""What-if results: grouping by change type, property-level differences, change detection."""

from __future__ import annotations

from orchestrator.azure.whatif import parse_what_if, resource_type_of
from orchestrator.provision.whatif import render_what_if

BASE = "/subscriptions/s/resourceGroups/rg/providers"
RESULT = {
    "status": "Succeeded",
    "properties": {
        "changes": [
            {
                "resourceId": f"{BASE}/Microsoft.App/containerApps/app1",
                "changeType": "Modify",
                "delta": [
                    {
                        "path": "properties.template.scale.maxReplicas",
                        "propertyChangeType": "Modify",
                        "before": 1,
                        "after": 2,
                    }
                ],
            },
            {
                "resourceId": f"{BASE}/Microsoft.Storage/storageAccounts/st1",
                "changeType": "NoChange",
            },
            {
                "resourceId": f"{BASE}/Microsoft.App/managedEnvironments/env1",
                "changeType": "Create",
            },
        ]
    },
}


def test_changes_are_grouped_create_first() -> None:
    plan = parse_what_if(RESULT)
    assert [c.change_type for c in plan.changes] == ["Create", "Modify", "NoChange"]
    assert plan.has_changes


def test_rendering_shows_property_differences() -> None:
    text = "\n".join(render_what_if(parse_what_if(RESULT)))
    assert "Create (1):" in text and "Modify (1):" in text
    assert "~ properties.template.scale.maxReplicas: 1 => 2" in text
    assert "+ Microsoft.App/managedEnvironments env1" in text


def test_only_nochange_means_no_changes() -> None:
    plan = parse_what_if({"properties": {"changes": [RESULT["properties"]["changes"][1]]}})  # type: ignore[index]
    assert not plan.has_changes
    assert render_what_if(plan)[-1] == "summary: no changes"


def test_resource_type_of_nested_resources() -> None:
    rid = f"{BASE}/Microsoft.Storage/storageAccounts/a/fileServices/default/shares/s"
    assert resource_type_of(rid) == "Microsoft.Storage/storageAccounts/fileServices/shares"
    assert resource_type_of("/subscriptions/s/resourceGroups/rg") == ""


def test_secret_values_are_hidden() -> None:
    change = {
        "resourceId": f"{BASE}/Microsoft.App/managedEnvironments/storages/s",
        "changeType": "Modify",
        "delta": [
            {
                "path": "properties.azureFile.accountKey",
                "propertyChangeType": "Create",
                "after": "K",
            }
        ],
    }
    plan = parse_what_if({"properties": {"changes": [change]}})
    text = "\n".join(render_what_if(plan))
    assert "K" not in text.replace("Key", "") and "(secret hidden)" in text
    assert "K" not in str(plan.as_data()["changes"][0]["delta"][0]["after"])


def test_nested_modifications_show_their_children() -> None:
    change = {
        "resourceId": f"{BASE}/Microsoft.App/managedEnvironments/env1",
        "changeType": "Modify",
        "delta": [
            {
                "path": "properties.workloadProfiles",
                "propertyChangeType": "Array",
                "children": [
                    {
                        "path": "1",
                        "propertyChangeType": "Modify",
                        "children": [
                            {
                                "path": "maximumCount",
                                "propertyChangeType": "Modify",
                                "before": 1,
                                "after": 3,
                            }
                        ],
                    }
                ],
            }
        ],
    }
    text = "\n".join(render_what_if(parse_what_if({"properties": {"changes": [change]}})))
    assert "~ maximumCount: 1 => 3" in text
