"""Reading an app document, naming revisions and deciding when a new one is due."""

from __future__ import annotations

import copy
from typing import Any

from localcloud.runtime.spec import (
    AppSpec,
    KeepRevision,
    KnownRevision,
    NewRevision,
    SuffixConflict,
    generated_suffix,
    plan_revision,
    replica_name,
    template_hash,
)

APP_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.App/containerApps/myapp"
ENV_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.App/managedEnvironments/env"


def doc(command: str = "python3 app.py", suffix: str = "", mode: str = "Single") -> dict[str, Any]:
    return {
        "id": APP_ID,
        "properties": {
            "managedEnvironmentId": ENV_ID,
            "configuration": {
                "activeRevisionsMode": mode,
                "ingress": {"targetPort": 7860},
                "secrets": [{"name": "api-key", "value": "s3cret"}],
            },
            "template": {
                "revisionSuffix": suffix,
                "containers": [
                    {
                        "name": "main",
                        "command": ["/bin/bash", "-c", command],
                        "env": [
                            {"name": "PLAIN", "value": "1"},
                            {"name": "KEY", "secretRef": "API-KEY"},
                        ],
                        "probes": [
                            {
                                "type": "Startup",
                                "httpGet": {"path": "/", "port": 7860},
                                "initialDelaySeconds": 60,
                                "periodSeconds": 120,
                                "failureThreshold": 10,
                            }
                        ],
                    }
                ],
            },
        },
    }


def test_parse_resolves_secret_refs_probes_and_ingress() -> None:
    spec = AppSpec.parse(doc())
    [container] = spec.containers
    assert dict(container.env) == {"PLAIN": "1", "KEY": "s3cret"}
    assert container.command == ("/bin/bash", "-c", "python3 app.py")
    startup = container.probe("Startup")
    assert startup is not None and (startup.initial_delay, startup.period) == (60, 120)
    assert startup.failure_threshold == 10 and startup.path == "/"
    assert (spec.ingress, spec.target_port, spec.single_mode) == (True, 7860, True)


def test_template_hash_ignores_key_order() -> None:
    a = {"x": 1, "y": {"b": 2, "a": 1}}
    b = {"y": {"a": 1, "b": 2}, "x": 1}
    assert template_hash(a) == template_hash(b)


def test_generated_suffix_is_seven_base36_characters_and_varies_by_ordinal() -> None:
    first, second = generated_suffix("h", 0), generated_suffix("h", 1)
    assert len(first) == 7 and first.isalnum() and first == first.lower()
    assert first != second


def test_first_apply_creates_a_revision_named_after_the_app() -> None:
    plan = plan_revision(AppSpec.parse(doc()), [])
    assert isinstance(plan, NewRevision)
    assert plan.name.startswith("myapp--") and len(plan.name) == len("myapp--") + 7
    assert plan.deactivate == ()


def test_same_template_keeps_the_latest_revision() -> None:
    spec = AppSpec.parse(doc())
    known = [KnownRevision("myapp--aaaaaaa", template_hash(spec.template), True)]
    assert plan_revision(spec, known) == KeepRevision("myapp--aaaaaaa")


def test_changed_template_in_single_mode_deactivates_the_active_revisions() -> None:
    old = AppSpec.parse(doc("old"))
    known = [KnownRevision("myapp--aaaaaaa", template_hash(old.template), True)]
    plan = plan_revision(AppSpec.parse(doc("new")), known)
    assert isinstance(plan, NewRevision)
    assert plan.deactivate == ("myapp--aaaaaaa",)


def test_changed_template_in_multiple_mode_keeps_the_others_active() -> None:
    known = [KnownRevision("myapp--aaaaaaa", "other", True)]
    plan = plan_revision(AppSpec.parse(doc("new", mode="Multiple")), known)
    assert isinstance(plan, NewRevision) and plan.deactivate == ()


def test_reverting_to_an_earlier_template_still_gets_a_fresh_name() -> None:
    spec_a, spec_b = AppSpec.parse(doc("a")), AppSpec.parse(doc("b"))
    first = plan_revision(spec_a, [])
    assert isinstance(first, NewRevision)
    known = [
        KnownRevision(first.name, template_hash(spec_a.template), False),
        KnownRevision("myapp--bbbbbbb", template_hash(spec_b.template), True),
    ]
    again = plan_revision(spec_a, known)
    assert isinstance(again, NewRevision) and again.name != first.name


def test_revision_suffix_names_the_revision_and_conflicts_when_reused() -> None:
    plan = plan_revision(AppSpec.parse(doc(suffix="v1")), [])
    assert isinstance(plan, NewRevision) and plan.name == "myapp--v1"
    known = [KnownRevision("myapp--v1", "old-hash", True)]
    changed = copy.deepcopy(doc("other", suffix="v1"))
    assert plan_revision(AppSpec.parse(changed), known) == SuffixConflict("myapp--v1")


def test_replica_name_has_revision_hash_and_token() -> None:
    assert (
        replica_name("myapp--abc1234", "5d9774cff00", "wnd8x") == "myapp--abc1234-5d9774cff-wnd8x"
    )
