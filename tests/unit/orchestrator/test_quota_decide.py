"""The quota decision (orchestrator/provision/quota.py) and usage items as Azure sends them
(orchestrator/azure/quota.py)."""

from __future__ import annotations

from orchestrator.azure.quota import EnvProfile, ExistingEnvironment, Usage, usage_from_wire
from orchestrator.provision.gpuneeds import EnvironmentNeed, ProfileNeed
from orchestrator.provision.quota import (
    EnvFacts,
    Finding,
    RegionFacts,
    Unknown,
    decide,
    find_usage,
    region_option,
    render_options,
    request_hint,
)

SUB = "00000000-0000-0000-0000-000000000001"
T4 = "Consumption-GPU-NC8as-T4"


def usage(name: str, current: float, limit: float) -> Usage:
    return Usage(name, name, current, limit)


def need(profile_type: str, gpus: int | None, name: str = "env1") -> EnvironmentNeed:
    return EnvironmentNeed(name, "eastus", (ProfileNeed("GPU", profile_type, gpus, "x"),))


def region(*usages: Usage, offered: tuple[str, ...] = (T4, "NC24-A100")) -> RegionFacts:
    return RegionFacts("eastus", offered, usages)


def existing(*profiles: EnvProfile) -> ExistingEnvironment:
    return ExistingEnvironment("/id/env1", "env1", "eastus", profiles)


def verdicts(findings: list[Finding]) -> list[str]:
    return [f.verdict for f in findings]


def test_usage_field_is_read_under_either_name() -> None:
    new = {"name": {"value": "A", "localizedValue": "A a"}, "currentValue": 1, "limit": 2}
    old = {"name": {"value": "B"}, "usage": 0.5, "limit": 4, "unit": "Count"}
    assert usage_from_wire(new) == Usage("A", "A a", 1.0, 2.0)
    assert usage_from_wire(old) == Usage("B", "B", 0.5, 4.0)
    assert usage_from_wire({"name": {"value": "C"}, "limit": 1}) is None


def test_quota_names_match_case_insensitively() -> None:
    found = find_usage([usage("subscriptionnca100gpus", 0, 1)], ["SubscriptionNCA100Gpus"])
    assert found is not None and found.limit == 1


def test_dedicated_short_when_the_regional_gpus_are_too_few() -> None:
    findings = decide(
        need("NC24-A100", 2), region(usage("SubscriptionNCA100Gpus", 0, 1)), EnvFacts(None, ())
    )
    short = [f for f in findings if f.verdict == "short"]
    assert len(short) == 1
    assert short[0].needed == "2 GPUs"
    assert short[0].available == "1 of 1 (SubscriptionNCA100Gpus)"


def test_dedicated_counts_what_the_existing_profile_already_holds() -> None:
    env = EnvFacts(existing(EnvProfile("GPU", "NC24-A100", 1)), ())
    findings = decide(need("NC24-A100", 2), region(usage("SubscriptionNCA100Gpus", 1, 2)), env)
    assert verdicts(findings) == ["ok", "ok"]


def test_what_the_profile_holds_is_said_and_a_reused_environment_is_named() -> None:
    env = EnvFacts(existing(EnvProfile("GPU", "NC24-A100", 1)), ())
    unnamed = need("NC24-A100", 1, name="")
    findings = decide(unnamed, region(usage("SubscriptionNCA100Gpus", 1, 2)), env)
    gpus = [f for f in findings if "GPUs (" in f.subject]
    assert len(gpus) == 1
    assert gpus[0].subject.startswith("NC24-A100 GPUs (environment env1, profile GPU")
    assert gpus[0].needed == "0 GPUs beyond the 1 its profile holds"


def test_new_environment_needs_an_environment_count() -> None:
    findings = decide(
        need("NC24-A100", 1),
        region(usage("ManagedEnvironmentCount", 15, 15), usage("SubscriptionNCA100Gpus", 0, 9)),
        EnvFacts(None, Unknown("new")),
    )
    assert verdicts(findings) == ["ok", "short", "ok"]
    assert findings[1].quota == "ManagedEnvironmentCount"


def test_serverless_uses_the_environments_item_when_it_exists() -> None:
    env = EnvFacts(existing(), (usage("ManagedEnvironmentConsumptionT4Gpus", 1, 2),))
    findings = decide(need(T4, 2), region(), env)
    assert findings[-1].verdict == "short" and findings[-1].needed == "2 GPUs"


def test_serverless_falls_back_to_the_older_subscription_model() -> None:
    env = EnvFacts(None, Unknown("a new environment"))
    findings = decide(need(T4, 2), region(usage("SUBSCRIPTIONCONSUMPTIONT4GPUS", 0, 4)), env)
    assert findings[-1].verdict == "ok"
    assert findings[-1].quota == "SUBSCRIPTIONCONSUMPTIONT4GPUS"


def test_serverless_on_a_new_environment_is_unknown_with_the_reason() -> None:
    env = EnvFacts(None, Unknown("a new environment's quota can be read only once it exists"))
    finding = decide(need(T4, 1), region(), env)[-1]
    assert finding.verdict == "unknown"
    assert "only once it exists" in finding.text()


def test_a_region_without_the_type_is_short_and_unanswered_apis_are_unknown() -> None:
    findings = decide(need(T4, 1), region(offered=("Consumption",)), EnvFacts(existing(), ()))
    assert findings[0].verdict == "short" and "does not offer it" in findings[0].text()
    unanswered = RegionFacts("eastus", Unknown("not answered"), Unknown("not answered"))
    assert decide(need("NC24-A100", 1), unanswered, EnvFacts(existing(), ()))[0].verdict == (
        "unknown"
    )


def test_region_options_and_the_hint() -> None:
    profile = ProfileNeed("GPU", "NC24-A100", 2, "")
    west = region_option(
        "westus3", profile, ("NC24-A100",), (usage("SubscriptionNCA100Gpus", 0, 1),)
    )
    north = region_option("northeurope", profile, ("Consumption",), ())
    assert render_options([west, north]) == "westus3 (1 GPU free)"
    findings = decide(
        need("NC24-A100", 2), region(usage("SubscriptionNCA100Gpus", 0, 1)), EnvFacts(None, ())
    )
    hint = request_hint(SUB, "eastus", [f for f in findings if f.verdict == "short"])
    assert (
        "Quotas" in hint
        and f"/subscriptions/{SUB}/providers/Microsoft.App/locations/eastus" in hint
    )
    assert "--skip-quota-check" in hint


def test_serverless_credits_the_replicas_its_own_apps_hold_now() -> None:
    usages = (usage("ManagedEnvironmentConsumptionT4Gpus", 2, 2),)
    env = EnvFacts(existing(), usages, {"gpu": 1})
    finding = decide(need(T4, 2), region(), env)[-1]
    assert finding.verdict == "short" and finding.needed == "1 GPU"
    assert "1 GPU already in use by its apps" in finding.subject
    env = EnvFacts(existing(), (usage("ManagedEnvironmentConsumptionT4Gpus", 1, 1),), {"gpu": 1})
    assert decide(need(T4, 1), region(), env)[-1].verdict == "ok"


def test_dedicated_short_with_an_environment_that_cannot_be_told_is_only_a_warning() -> None:
    env = EnvFacts(Unknown("its name is set at deployment and rg has 2"), Unknown(""))
    finding = decide(need("NC24-A100", 2), region(usage("SubscriptionNCA100Gpus", 1, 2)), env)[-1]
    assert finding.verdict == "unknown"
    assert "may hold some (its name is set at deployment and rg has 2)" in finding.text()
