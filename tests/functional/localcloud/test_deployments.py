"""Resource-group deployments through the official SDK (DeploymentsMgmtClient 2.0.0)."""

from __future__ import annotations

import base64
import json
import re
import time
from typing import Any

import pytest
from azure.core.exceptions import (
    HttpResponseError,
    ODataV4Format,
    ResourceExistsError,
    ResourceNotFoundError,
)
from deployments_helpers import (
    BROKEN,
    SLOW,
    body,
    deployments_client,
    group_path,
    inference_parameters,
    inference_template,
    template,
    thing,
)
from localcloud_fixture import LocalCloudHandle, unique_name

pytestmark = pytest.mark.functional

API = "api-version=2026-06-01"


def arm_error(err: HttpResponseError) -> ODataV4Format:
    """The ARM error body the SDK parsed (always present on localcloud's 4xx answers)."""
    assert err.error is not None
    return err.error


def test_inference_deployment_succeeds_with_camel_cased_outputs_and_operations(
    localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    client = deployments_client(localcloud)
    poller = client.deployments.begin_create_or_update(
        fresh_group, "inference", body(inference_template(), inference_parameters())
    )
    result = poller.result()

    props = result.properties
    assert props.provisioning_state == "Succeeded"
    assert set(props.outputs) == {
        "subscriptioN_ID",
        "resourcE_GROUP_NAME",
        "storagE_ACCOUNT_NAME",
        "filE_SHARE_NAME",
        "acA_APP_NAME",
        "acA_APP_ENDPOINT",
    }
    assert props.outputs["resourcE_GROUP_NAME"] == {"type": "String", "value": fresh_group}
    assert props.outputs["acA_APP_ENDPOINT"]["value"]
    assert props.parameters["acaAppName"]["type"] == "String"
    assert props.template_hash == "12469713909369135714"  # metadata._generator.templateHash
    assert len(props.output_resources) == 7
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z", result["properties"]["timestamp"]
    )

    ops = list(client.deployment_operations.list(fresh_group, "inference"))
    creates = [op for op in ops if op.properties.provisioning_operation == "Create"]
    assert len(creates) == 7
    assert all(re.fullmatch(r"[0-9A-F]{16}", op.operation_id) for op in creates)
    # the output operation is named after the deployment's operationStatuses id, as ARM
    # names it (Azure/azure-cli recording resource/test_group_deployment.yaml)
    assert re.fullmatch(r"\d{20}", ops[-1].operation_id)
    assert all(op.properties.provisioning_state == "Succeeded" for op in ops)
    assert ops[-1].properties.provisioning_operation == "EvaluateDeploymentOutput"
    types = {op.properties.target_resource.resource_type for op in creates}
    assert "Microsoft.App/containerApps" in types
    one = client.deployment_operations.get(fresh_group, "inference", creates[0].operation_id)
    assert one.properties.target_resource.id == creates[0].properties.target_resource.id


def test_put_is_201_then_200_with_an_async_operation_url_and_no_location(
    localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    path = f"{group_path(localcloud, fresh_group)}/providers/Microsoft.Resources/deployments/d1"
    doc = body(template(thing("a")))
    first = localcloud.request("PUT", f"{path}?{API}", json=doc)
    assert first.status_code == 201
    assert first.json()["properties"]["provisioningState"] == "Accepted"
    status_url = first.headers["Azure-AsyncOperation"]
    assert re.fullmatch(
        re.escape(localcloud.endpoint + path) + r"/operationStatuses/\d{20}\?" + API, status_url
    )
    assert "Location" not in first.headers
    assert "Retry-After" not in first.headers
    assert (
        first.json()["properties"]["correlationId"] == first.headers["x-ms-correlation-request-id"]
    )
    _wait_terminal(localcloud, path)
    status = localcloud.request("GET", status_url[len(localcloud.endpoint) :])
    assert status.json() == {"status": "Succeeded"}
    second = localcloud.request(
        "PUT", f"{path}?{API}", json=doc, headers={"x-ms-correlation-request-id": "corr-1"}
    )
    assert second.status_code == 200
    assert second.json()["properties"]["correlationId"] == "corr-1"
    ops_path = f"{group_path(localcloud, fresh_group)}/deployments/d1/operations?{API}"
    assert localcloud.request("GET", ops_path).status_code == 200
    with_provider = f"{path}/operations?{API}&$top=1"
    assert len(localcloud.request("GET", with_provider).json()["value"]) == 1


def test_routes_match_in_any_case_and_ids_keep_arms_casing(
    localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    path = f"{group_path(localcloud, fresh_group)}/providers/Microsoft.Resources/deployments/cc"
    assert localcloud.request("PUT", f"{path}?{API}", json=body(template(thing("c")))).ok
    _wait_terminal(localcloud, path)
    sub = localcloud.subscription_id
    for variant in (
        f"/SUBSCRIPTIONS/{sub}/RESOURCEGROUPS/{fresh_group}/PROVIDERS/MICROSOFT.RESOURCES"
        "/DEPLOYMENTS/cc",
        f"/subscriptions/{sub}/resourceGroups/{fresh_group}/providers/microsoft.resources"
        "/deployments/cc",
    ):
        got = localcloud.request("GET", f"{variant}?API-VERSION=2026-06-01")
        assert got.status_code == 200, variant
        assert got.json()["id"] == (
            f"/subscriptions/{sub}/resourceGroups/{fresh_group}"
            "/providers/Microsoft.Resources/deployments/cc"
        )
        ops = localcloud.request("GET", f"{variant}/OPERATIONS?{API}")
        assert ops.status_code == 200 and ops.json()["value"], variant


def _wait_terminal(handle: LocalCloudHandle, path: str) -> dict[str, Any]:
    for _ in range(400):
        doc: dict[str, Any] = handle.request("GET", f"{path}?{API}").json()
        if doc["properties"]["provisioningState"] in ("Succeeded", "Failed", "Canceled"):
            return doc
        time.sleep(0.05)
    raise AssertionError(f"{path} did not finish")


def test_what_if_reports_create_then_modify_with_a_property_delta(
    localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    client = deployments_client(localcloud)
    first = template(thing("w", size=1, color="red"))
    before = client.deployments.begin_what_if(fresh_group, "wi", body(first)).result()
    assert before.status == "Succeeded"
    assert [c.change_type for c in before.properties.changes] == ["Create"]

    client.deployments.begin_create_or_update(fresh_group, "wi", body(first)).result()
    same = client.deployments.begin_what_if(fresh_group, "wi", body(first)).result()
    assert [c.change_type for c in same.properties.changes] == ["NoChange"]

    changed = template(thing("w", size=2, color="red", shape="round"))
    after = client.deployments.begin_what_if(fresh_group, "wi", body(changed)).result()
    [change] = after.properties.changes
    assert change.change_type == "Modify"
    assert change.resource_id.endswith("/providers/Test.Things/things/w")
    delta = {d.path: d for d in change.delta}
    assert delta["properties.size"].property_change_type == "Modify"
    assert (delta["properties.size"].before, delta["properties.size"].after) == (1, 2)
    assert delta["properties.shape"].property_change_type == "Create"
    assert "properties.provisioningState" not in delta


def test_what_if_on_the_wire_is_202_with_a_location_then_the_result(
    localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    path = f"{group_path(localcloud, fresh_group)}/providers/Microsoft.Resources/deployments/wire"
    doc = body(template(thing("w", size=1)))
    doc["properties"]["whatIfSettings"] = {"resultFormat": "FullResourcePayloads"}
    started = localcloud.request("POST", f"{path}/whatIf?{API}", json=doc)
    assert started.status_code == 202
    assert started.content == b""
    assert started.headers["Retry-After"] == "1"
    location = started.headers["Location"]
    prefix = f"{localcloud.endpoint}/subscriptions/{localcloud.subscription_id}/operationresults/"
    assert location.startswith(prefix) and location.endswith(f"?{API}")
    token = location[len(prefix) : -len(f"?{API}")]
    job = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    assert job["jobId"].startswith("DeploymentWhatIfJob--")
    assert job["jobLocation"] == "eastus"
    for _ in range(200):
        polled = localcloud.request("GET", location[len(localcloud.endpoint) :])
        if polled.status_code != 202:
            break
        time.sleep(0.05)
    assert polled.status_code == 200
    result = polled.json()
    assert result["status"] == "Succeeded"
    [change] = result["properties"]["changes"]
    assert change["changeType"] == "Create"
    assert change["resourceId"].endswith("/providers/Test.Things/things/w")
    assert change["after"]["properties"] == {"size": 1}


def test_other_group_resources_are_ignored_or_deleted_in_complete_mode(
    localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    client = deployments_client(localcloud)
    client.deployments.begin_create_or_update(
        fresh_group, "base", body(template(thing("keep"), thing("other")))
    ).result()
    only_keep = body(template(thing("keep")))
    incremental = client.deployments.begin_what_if(fresh_group, "x", only_keep).result()
    kinds = {c.resource_id.rsplit("/", 1)[1]: c.change_type for c in incremental.properties.changes}
    assert kinds == {"keep": "NoChange", "other": "Ignore"}
    only_keep["properties"]["mode"] = "Complete"
    complete = client.deployments.begin_what_if(fresh_group, "x", only_keep).result()
    kinds = {c.resource_id.rsplit("/", 1)[1]: c.change_type for c in complete.properties.changes}
    assert kinds == {"keep": "NoChange", "other": "Delete"}

    client.deployments.begin_create_or_update(fresh_group, "x", only_keep).result()
    things = f"{group_path(localcloud, fresh_group)}/providers/Test.Things/things"
    assert localcloud.request("GET", f"{things}/other?api-version=2024-01-01").status_code == 404
    assert localcloud.request("GET", f"{things}/keep?api-version=2024-01-01").status_code == 200
    ops = client.deployment_operations.list(fresh_group, "x")
    assert "Delete" in {op.properties.provisioning_operation for op in ops}


def test_validate_accepts_a_good_template_with_validated_resources(
    localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    client = deployments_client(localcloud)
    result = client.deployments.begin_validate(
        fresh_group, "v", body(template(thing("a")))
    ).result()
    assert result.properties.provisioning_state == "Succeeded"
    assert [r.id.rsplit("/", 1)[1] for r in result.properties.validated_resources] == ["a"]


@pytest.mark.parametrize(
    ("resource", "inner_code"),
    [
        (
            {
                "type": "Microsoft.Storage/storageAccounts",
                "apiVersion": "2023-01-01",
                "name": "Not_A_Valid_Name!",
                "location": "eastus",
                "sku": {"name": "Standard_LRS"},
                "kind": "StorageV2",
                "properties": {},
            },
            "PreflightValidationCheckFailed",
        ),
    ],
    ids=["provider-naming-rule"],
)
def test_validate_rejects_a_broken_template_with_400_invalid_template_deployment(
    localcloud: LocalCloudHandle, fresh_group: str, resource: dict[str, Any], inner_code: str
) -> None:
    client = deployments_client(localcloud)
    with pytest.raises(HttpResponseError) as err:
        client.deployments.begin_validate(fresh_group, "v", body(template(resource))).result()
    assert err.value.status_code == 400
    assert arm_error(err.value).code == "InvalidTemplateDeployment"
    assert arm_error(err.value).details[0].code == inner_code


def test_put_with_a_template_error_is_400_invalid_template(
    localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    client = deployments_client(localcloud)
    with pytest.raises(HttpResponseError) as err:
        client.deployments.begin_create_or_update(
            fresh_group, "bad", body(template(thing("[bogusFunction()]")))
        )
    assert err.value.status_code == 400
    assert arm_error(err.value).code == "InvalidTemplate"
    error = err.value.response.json()["error"]
    assert error["message"].startswith("Deployment template validation failed: ")
    assert "bogusFunction" in error["message"]
    [violation] = error["additionalInfo"]
    assert violation["type"] == "TemplateViolation"
    assert violation["info"]["path"] == "properties.template.resources[0].name"
    assert violation["info"]["lineNumber"] == 1  # the SDK sends the body on one line
    assert f"at line '1' and column '{violation['info']['linePosition']}'" in error["message"]


def test_unknown_deployment_is_404_deployment_not_found(
    localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    client = deployments_client(localcloud)
    with pytest.raises(ResourceNotFoundError) as err:
        client.deployments.get(fresh_group, "nope")
    assert arm_error(err.value).code == "DeploymentNotFound"
    assert client.deployments.check_existence(fresh_group, "nope") is False


def test_missing_resource_group_is_404_resource_group_not_found(
    localcloud: LocalCloudHandle,
) -> None:
    client = deployments_client(localcloud)
    with pytest.raises(ResourceNotFoundError) as err:
        client.deployments.begin_create_or_update(
            unique_name("missing"), "d", body(template(thing("a")))
        )
    assert arm_error(err.value).code == "ResourceGroupNotFound"


class SlowThings:
    """Make Test.Slow/things take `seconds` to provision on the shared localcloud."""

    def __init__(self, handle: LocalCloudHandle, seconds: float) -> None:
        self.handle = handle
        self.seconds = seconds

    def __enter__(self) -> None:
        response = self.handle.admin(
            "POST", "settings", json={"provisioning_seconds": {SLOW: self.seconds}}
        )
        response.raise_for_status()

    def __exit__(self, *exc: object) -> None:
        self.handle.admin("POST", "settings", json={"provisioning_seconds": {SLOW: 0}})


def test_put_while_running_is_409_deployment_active_and_cancel_ends_it_canceled(
    localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    client = deployments_client(localcloud)
    doc = body(template(thing("s", kind=SLOW), thing("after", "s")))
    doc["properties"]["template"]["resources"][1]["dependsOn"] = [f"[resourceId('{SLOW}', 's')]"]
    with SlowThings(localcloud, 30):
        poller = client.deployments.begin_create_or_update(fresh_group, "slow", doc)
        with pytest.raises(ResourceExistsError) as err:
            client.deployments.begin_create_or_update(fresh_group, "slow", doc)
        assert arm_error(err.value).code == "DeploymentActive"
        running = client.deployments.get(fresh_group, "slow")
        assert running.properties.provisioning_state in ("Accepted", "Running")
        ops = list(client.deployment_operations.list(fresh_group, "slow"))
        assert [op.properties.provisioning_state for op in ops] == ["Running"]

        client.deployments.cancel(fresh_group, "slow")
        with pytest.raises(HttpResponseError):
            poller.result()
    final = client.deployments.get(fresh_group, "slow")
    assert final.properties.provisioning_state == "Canceled"
    states = [
        op.properties.provisioning_state
        for op in client.deployment_operations.list(fresh_group, "slow")
    ]
    assert states == ["Canceled"]
    with pytest.raises(ResourceExistsError) as again:
        client.deployments.cancel(fresh_group, "slow")
    assert arm_error(again.value).code == "DeploymentCannotBeCancelled"


def test_a_failed_resource_fails_the_deployment_with_the_nested_error_tree(
    localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    client = deployments_client(localcloud)
    failure = {"code": "QuotaExceeded", "message": "No GPU quota left in eastus."}
    localcloud.admin("POST", "settings", json={"fail": {BROKEN: failure}}).raise_for_status()
    try:
        poller = client.deployments.begin_create_or_update(
            fresh_group, "f", body(template(thing("b", kind=BROKEN), thing("ok")))
        )
        with pytest.raises(HttpResponseError) as err:
            poller.result()
        assert arm_error(err.value).code == "DeploymentFailed"
    finally:
        localcloud.admin("POST", "settings", json={"fail": {BROKEN: None}})

    error = client.deployments.get(fresh_group, "f").properties.error
    assert error.code == "DeploymentFailed"
    assert error.target.endswith("/deployments/f")
    [detail] = error.details
    assert detail.code == "BadRequest"
    assert '"code": "QuotaExceeded"' in detail.message
    ops = {
        op.properties.target_resource.resource_name: op
        for op in client.deployment_operations.list(fresh_group, "f")
        if op.properties.target_resource
    }
    failed = ops["b"].properties
    assert failed.provisioning_state == "Failed"
    assert failed.status_code == "BadRequest"
    assert failed.status_message["status"] == "Failed"
    assert failed.status_message["error"] == failure
    assert ops["ok"].properties.provisioning_state == "Succeeded"


def test_calculate_template_hash_equals_the_deployment_template_hash(
    localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    client = deployments_client(localcloud)
    tmpl = template(
        thing("h", size=4),
        outputs={
            "HASH": {"type": "string", "value": "[deployment().properties.templateHash]"},
            "NAME": {"type": "string", "value": "[deployment().name]"},
        },
    )
    calculated = client.deployments.calculate_template_hash(tmpl)
    assert calculated.template_hash.isdigit()
    assert calculated.minified_template == calculated.minified_template.upper()
    deployed = client.deployments.begin_create_or_update(fresh_group, "h", body(tmpl)).result()
    assert deployed.properties.template_hash == calculated.template_hash
    assert deployed.properties.outputs["hash"]["value"] == calculated.template_hash
    assert deployed.properties.outputs["name"]["value"] == "h"
    bicep = inference_template()
    assert (
        client.deployments.calculate_template_hash(bicep).template_hash
        == (bicep["metadata"]["_generator"]["templateHash"])
    )


def test_nested_deployments_run_as_child_deployments_inner_and_outer_scope(
    localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    client = deployments_client(localcloud)
    inner_template = template(
        thing("[parameters('thingName')]", size=1),
        outputs={"THING": {"type": "string", "value": "[parameters('thingName')]"}},
    )
    inner_template["parameters"] = {"thingName": {"type": "string"}}
    outer = template(
        {
            "type": "Microsoft.Resources/deployments",
            "apiVersion": "2022-09-01",
            "name": "inner",
            "properties": {
                "mode": "Incremental",
                "expressionEvaluationOptions": {"scope": "inner"},
                "parameters": {"thingName": {"value": "[parameters('prefix')]"}},
                "template": inner_template,
            },
        },
        {
            "type": "Microsoft.Resources/deployments",
            "apiVersion": "2022-09-01",
            "name": "outer-scoped",
            "properties": {
                "mode": "Incremental",
                "template": template(thing("[format('{0}-outer', parameters('prefix'))]")),
            },
        },
        outputs={
            "INNER_THING": {
                "type": "string",
                "value": "[reference(resourceId('Microsoft.Resources/deployments', 'inner'))"
                ".outputs.THING.value]",
            }
        },
    )
    outer["parameters"] = {"prefix": {"type": "string"}}
    result = client.deployments.begin_create_or_update(
        fresh_group, "parent", body(outer, {"prefix": {"value": "px"}})
    ).result()
    assert result.properties.provisioning_state == "Succeeded"
    assert result.properties.outputs["inneR_THING"]["value"] == "px"

    inner = client.deployments.get(fresh_group, "inner")
    assert inner.properties.provisioning_state == "Succeeded"
    assert inner.properties.outputs == {"thing": {"type": "String", "value": "px"}}
    names = {d.name for d in client.deployments.list_by_resource_group(fresh_group)}
    assert names == {"parent", "inner", "outer-scoped"}
    ops = list(client.deployment_operations.list(fresh_group, "parent"))
    nested = [
        op.properties.target_resource
        for op in ops
        if op.properties.target_resource
        and op.properties.target_resource.resource_type == "Microsoft.Resources/deployments"
    ]
    assert {t.resource_name for t in nested} == {"inner", "outer-scoped"}
    outer_ops = list(client.deployment_operations.list(fresh_group, "outer-scoped"))
    assert outer_ops[0].properties.target_resource.resource_name == "px-outer"


def test_list_filters_by_state_and_pages_and_delete_removes_only_the_record(
    localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    client = deployments_client(localcloud)
    for name in ("l1", "l2", "l3"):
        client.deployments.begin_create_or_update(
            fresh_group, name, body(template(thing(f"t-{name}")))
        ).result()
    listed = client.deployments.list_by_resource_group(
        fresh_group, filter="provisioningState eq 'Succeeded'"
    )
    assert {d.name for d in listed} == {"l1", "l2", "l3"}
    assert (
        list(
            client.deployments.list_by_resource_group(
                fresh_group, filter="provisioningState eq 'Failed'"
            )
        )
        == []
    )
    assert len(list(client.deployments.list_by_resource_group(fresh_group, top=2))) == 2
    exported = client.deployments.export_template(fresh_group, "l1")
    assert exported.template["resources"][0]["name"] == "t-l1"

    assert client.deployments.check_existence(fresh_group, "l1") is True
    client.deployments.begin_delete(fresh_group, "l1").result()
    assert client.deployments.check_existence(fresh_group, "l1") is False
    thing_path = f"{group_path(localcloud, fresh_group)}/providers/Test.Things/things/t-l1"
    assert localcloud.request("GET", f"{thing_path}?api-version=2024-01-01").status_code == 200


@pytest.mark.parametrize(
    "doc",
    [
        {},
        {"properties": {}},
        {"properties": {"mode": "Sideways", "template": {}}},
        {"properties": {"mode": "Incremental", "template": []}},
        {"properties": {"mode": "Incremental", "template": {}, "parameters": {"a": 1}}},
    ],
    ids=["empty", "no-template", "bad-mode", "template-not-object", "bad-parameters"],
)
def test_malformed_requests_are_arm_400s(
    localcloud: LocalCloudHandle, fresh_group: str, doc: dict[str, Any]
) -> None:
    client = deployments_client(localcloud)
    with pytest.raises(HttpResponseError) as err:
        client.deployments.begin_create_or_update(fresh_group, "m", doc)
    assert err.value.status_code == 400
    assert arm_error(err.value).code


def test_invalid_deployment_names_are_400(localcloud: LocalCloudHandle, fresh_group: str) -> None:
    client = deployments_client(localcloud)
    for name in ("x" * 65, "bad name", "semi;colon"):
        with pytest.raises(HttpResponseError) as err:
            client.deployments.begin_create_or_update(fresh_group, name, body(template()))
        assert err.value.status_code == 400
        assert arm_error(err.value).code == "InvalidDeploymentName"


@pytest.mark.slow
def test_list_follows_next_links_past_one_page(
    localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    base = f"{group_path(localcloud, fresh_group)}/providers/Microsoft.Resources/deployments"
    token = localcloud.token()
    for i in range(105):
        response = localcloud.request(
            "PUT", f"{base}/p{i:03d}?{API}", json=body(template()), token=token
        )
        assert response.status_code == 201
    first_page = localcloud.request("GET", f"{base}?{API}", token=token).json()
    assert len(first_page["value"]) == 100
    assert first_page["nextLink"].startswith(localcloud.endpoint)
    client = deployments_client(localcloud)
    names = {d.name for d in client.deployments.list_by_resource_group(fresh_group)}
    assert names == {f"p{i:03d}" for i in range(105)}


def test_json_nested_too_deeply_is_a_400_not_a_500(
    localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    path = f"{group_path(localcloud, fresh_group)}/providers/Microsoft.Resources/deployments/deep"
    deep = "[" * 5000 + "]" * 5000
    raw = '{"properties":{"mode":"Incremental","template":{"variables":{"v":' + deep + "}}}}"
    for suffix in ("", "/validate", "/whatIf"):
        method = "PUT" if not suffix else "POST"
        response = localcloud.request(
            method,
            f"{path}{suffix}?{API}",
            data=raw.encode(),
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "InvalidRequestContent"
