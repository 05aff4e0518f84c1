"""The ARM template language: expressions, functions and template evaluation (pure, no I/O).

Public API::

    prepare(template, parameters, scope, *, now=None, new_guid=None) -> Prepared

`template` is the ARM JSON (classic `resources` array or `languageVersion: "2.0"` with
symbolic names). `parameters` is the deployment's `{"name": {"value": ...}}` mapping; a missing
name or `{"value": null}` means the default applies. `now` / `new_guid` feed `utcNow()` /
`newGuid()` (parameter defaults only); they default to the clock and uuid4.

`prepare` validates parameters like ARM (unknown names, missing values, strict types,
allowedValues, min/max length and value), evaluates every variable (copy loops, cycle
detection) and plans every resource instance (conditions, copy loops incl. serial batches,
nested child resources, `dependsOn` by id / name / type+name / symbolic name / copy loop name,
implicit dependencies from `reference()` / `list*()` whose target id is static). It raises
`TemplateError` (code "InvalidTemplate", `target` = JSON path such as
"resources[3].properties.x").

`Prepared`:
- `parameters`: `{"location": {"type": "String", "value": "eastus"}}` (secure types: no value)
- `resources: list[ResourcePlan]` in declaration order (copy instances in index order)
- `scope: Scope`, `template`
- `evaluate_outputs(resolver) -> {"NAME": {"type": "String", "value": ...}}` (output copy and
  condition supported; secure outputs without value)
- `prepare_nested(plan, resolver) -> Prepared` for a `Microsoft.Resources/deployments` plan
  with an inline `properties.template` (expressionEvaluationOptions.scope "inner": own
  parameters, passed in from `properties.parameters`; "outer"/default: this template's
  parameters and variables; scope = the plan's subscription/group, deployment name = its name)

`ResourcePlan` (frozen): `key` ("resources[i]" or symbolic name, "[n]" appended for copy
instances), `index` (declaration order), `resource_id`, `type`, `name` (full "a/b/c"),
`api_version`, `condition`, `existing`, `depends_on` (frozenset of lower-cased resource ids),
`is_deployment`, and `evaluate(resolver, *, lenient=False) -> dict`: the body sent to the
provider (location, tags, sku, kind, identity, zones, properties ...), null properties
removed recursively; a deployment's `properties.template` is left unevaluated. With
`lenient=True` (what-if) an expression raising `Unresolved` stays as its "[...]" text.

`Resolver` (Protocol) answers `reference(resource_id, api_version, full)` and
`list_action(resource_id, action, api_version, body)`; it raises `Unresolved` (a
TemplateError) when the resource does not exist yet. `reference()` / `list*()` are legal only
in resource bodies and outputs; `reference('name')` with a bare name (or 2.0 symbolic name)
means the template's own resource, and a missing apiVersion defaults to the declared one.

`prepare` first parses every expression of the template (outputs included; metadata is not
evaluated, so not checked): a syntax error anywhere fails before anything is evaluated, as
ARM fails it at validation. `locate(error, template, body) -> Located` words a TemplateError
the way ARM's validation does, with the line and column of its declaration in the request
body ("The template output 'x' at line '3' and column '12' is not valid: ...").

Lower level: `parse_expression(text) -> Node` (AST in `nodes`), `is_expression(text)`,
`unique_string(*parts)`, `arm_guid(*parts)`, `value_position(text, path)`.
"""

from __future__ import annotations

from localcloud.template.errors import TemplateError, Unresolved
from localcloud.template.evaluator import Prepared, ResourcePlan, prepare
from localcloud.template.expressions import is_expression, parse_expression
from localcloud.template.hashing import arm_guid, unique_string
from localcloud.template.located import Located, locate
from localcloud.template.positions import value_position
from localcloud.template.scope import Resolver, Scope, azure_cloud_environment

__all__ = [
    "Located",
    "Prepared",
    "Resolver",
    "ResourcePlan",
    "Scope",
    "TemplateError",
    "Unresolved",
    "arm_guid",
    "azure_cloud_environment",
    "is_expression",
    "locate",
    "parse_expression",
    "prepare",
    "unique_string",
    "value_position",
]
