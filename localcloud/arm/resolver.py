"""Answers a template's `reference()` and `list*()` from the live resources in localcloud.

Resources come from their provider (`cloud.providers.for_type(t).get(id)`); nested
deployments from the deployment history. In lenient mode (what-if, preflight) every failure
becomes `Unresolved`, which the template engine turns into a placeholder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from localcloud.arm.errors import ArmError
from localcloud.arm.history import History
from localcloud.arm.records import DEPLOYMENT_TYPE, render_deployment
from localcloud.ids import ResourceId
from localcloud.template import TemplateError, Unresolved

if TYPE_CHECKING:
    from localcloud.cloud import LocalCloud


def full_shape(doc: dict[str, Any], rid: ResourceId, api_version: str | None) -> dict[str, Any]:
    """`reference(id, apiVersion, 'Full')` (MicrosoftDocs/azure-docs
    `articles/azure-resource-manager/templates/template-functions-resource.md`)."""
    shape: dict[str, Any] = {
        "apiVersion": api_version,
        "location": doc.get("location"),
        "sku": doc.get("sku"),
        "tags": doc.get("tags"),
        "kind": doc.get("kind"),
        "properties": doc.get("properties", {}),
        "subscriptionId": rid.subscription,
        "resourceGroupName": rid.resource_group,
        "resourceId": rid.id,
        "referenceApiVersion": api_version,
        "condition": True,
        "isConditionTrue": True,
        "isTemplateResource": False,
        "isAction": False,
        "provisioningOperation": "Read",
    }
    if doc.get("identity") is not None:
        shape["identity"] = doc["identity"]
    return {k: v for k, v in shape.items() if v is not None}


class LiveResolver:
    def __init__(self, cloud: LocalCloud, history: History, *, lenient: bool = False) -> None:
        self._cloud = cloud
        self._history = history
        self._lenient = lenient

    def reference(self, resource_id: str, api_version: str | None, full: bool) -> Any:
        try:
            rid = ResourceId.parse(resource_id)
            doc = self._read(rid)
        except ArmError as e:
            raise self._translate(e, resource_id) from e
        if doc is None:
            raise Unresolved(
                f"The Resource '{_type_and_name(resource_id)}' under resource group "
                f"'{_group(resource_id)}' was not found. For more details please go to "
                "https://aka.ms/ARMResourceNotFoundFix",
                target=resource_id,
            )
        return full_shape(doc, rid, api_version) if full else doc.get("properties", {})

    def list_action(self, resource_id: str, action: str, api_version: str | None, body: Any) -> Any:
        try:
            rid = ResourceId.parse(resource_id)
            provider = self._cloud.providers.for_type(rid.full_type)
            if provider.get(rid) is None:
                raise Unresolved(
                    f"The Resource '{_type_and_name(resource_id)}' under resource group "
                    f"'{_group(resource_id)}' was not found.",
                    target=resource_id,
                )
            return provider.action(rid, action, body, api_version=api_version or "")
        except ArmError as e:
            raise self._translate(e, resource_id) from e

    def _read(self, rid: ResourceId) -> dict[str, Any] | None:
        if rid.full_type.lower() == DEPLOYMENT_TYPE.lower():
            rec = self._history.get(rid.id)
            if rec is None:
                return None
            doc = render_deployment(rec, rec.updated)
            # Expressions see the declared output names, not the camel-cased wire names.
            if rec.outputs is not None:
                doc["properties"]["outputs"] = rec.outputs
            return doc
        return self._cloud.providers.for_type(rid.full_type).get(rid)

    def _translate(self, e: ArmError, resource_id: str) -> TemplateError:
        if self._lenient or e.status == 404:
            return Unresolved(e.message, target=resource_id)
        return TemplateError(e.message, code=e.code, target=resource_id)


def _type_and_name(resource_id: str) -> str:
    parts = [p for p in resource_id.split("/") if p]
    return parts[5] + "/" + "/".join(parts[6:]) if len(parts) >= 8 else resource_id


def _group(resource_id: str) -> str:
    parts = [p for p in resource_id.split("/") if p]
    return parts[3] if len(parts) > 3 else ""
