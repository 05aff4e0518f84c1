"""Shared helpers for the template engine tests: a scope, a fake resolver, an evaluator."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from localcloud.template import Scope, Unresolved
from localcloud.template.context import Context, Stage
from localcloud.template.interpreter import evaluate_expression

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
TENANT = "11111111-1111-1111-1111-111111111111"
GROUP_ID = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/myRg"
FIXED_NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)


def make_scope(**overrides: Any) -> Scope:
    values: dict[str, Any] = {
        "subscription_id": SUBSCRIPTION,
        "tenant_id": TENANT,
        "resource_group": "myRg",
        "location": "eastus",
        "deployment_name": "main",
    }
    values.update(overrides)
    return Scope(**values)


class FakeResolver:
    """Answers reference()/list*() from a dict of resource documents keyed by id."""

    def __init__(
        self,
        resources: Mapping[str, Mapping[str, Any]] | None = None,
        actions: Mapping[str, Any] | None = None,
    ):
        self.resources = {k.lower(): dict(v) for k, v in (resources or {}).items()}
        self.actions = {k.lower(): v for k, v in (actions or {}).items()}
        self.calls: list[tuple[Any, ...]] = []

    def _doc(self, resource_id: str) -> dict[str, Any]:
        doc = self.resources.get(resource_id.lower())
        if doc is None:
            raise Unresolved(f"The Resource '{resource_id}' was not found.")
        return doc

    def reference(self, resource_id: str, api_version: str | None, full: bool) -> Any:
        self.calls.append(("reference", resource_id, api_version, full))
        doc = self._doc(resource_id)
        return doc if full else doc.get("properties", {})

    def list_action(self, resource_id: str, action: str, api_version: str | None, body: Any) -> Any:
        self.calls.append(("list", resource_id, action, api_version, body))
        self._doc(resource_id)
        return self.actions.get(action.lower(), {})


def ev(text: str, *, stage: Stage = "variables", resolver: FakeResolver | None = None) -> Any:
    """Evaluate one expression string in a plain context of `make_scope()`."""
    ctx = Context(make_scope(), {}, stage, resolver=resolver, now=FIXED_NOW)
    return evaluate_expression(text, ctx)
