"""The quota and region preflight step of `provision` and `plan`, before any deployment is
created: work out what the template needs (`gpuneeds`), read what Azure reports
(`azure/quota.py`), decide (`quota`). Not enough: `QuotaShort` (exit 1) with what is needed,
what is available, the regions that offer the profile type and how to ask for more.
Unknown (a new environment, an API not answering): warnings, and the deployment goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from orchestrator.azure.deployments import Deployments
from orchestrator.azure.quota import ExistingEnvironment, QuotaReader, Usage
from orchestrator.display import Display
from orchestrator.errors import AzureError
from orchestrator.events import Notice
from orchestrator.provision.gpuneeds import EnvironmentNeed, ProfileNeed, Values, environment_needs
from orchestrator.provision.prepare import Prepared
from orchestrator.provision.quota import (
    EnvFacts,
    Finding,
    RegionFacts,
    RegionOption,
    Unknown,
    candidate_regions,
    decide,
    region_option,
    request_hint,
    short_lines,
)
from orchestrator.result import Message
from orchestrator.threads import Pool

MAX_PARALLEL_READS = 8
NEW_ENVIRONMENT = "a new environment's quota can be read only once it exists"


@dataclass(frozen=True)
class QuotaReport:
    """The findings of every GPU environment of the template ("" location: nothing to
    check), and the candidate regions when something is short."""

    location: str
    findings: tuple[Finding, ...] = ()
    options: tuple[RegionOption, ...] = ()

    @property
    def short(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.verdict == "short")

    @property
    def unknown(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.verdict == "unknown")

    def lines(self) -> list[str]:
        if not self.findings:
            return ["GPU quota: the template uses no GPU workload profile"]
        return [f"GPU quota: {f.verdict}: {f.text()}" for f in self.findings]

    def as_data(self) -> dict[str, object]:
        verdict = "short" if self.short else "unknown" if self.unknown else "ok"
        return {
            "verdict": verdict,
            "location": self.location or None,
            "findings": [f.as_data() for f in self.findings],
            "regions": [
                {"location": o.location, "offers": o.offers, "free": o.free} for o in self.options
            ],
        }


class QuotaShort(AzureError):
    """Not enough GPU quota, or the region lacks the profile type (exit 1)."""

    def __init__(self, report: QuotaReport, *, hint: str) -> None:
        super().__init__(
            f"not enough GPU quota for this deployment in {report.location}; nothing was deployed",
            hint=hint,
        )
        self.report = report

    def lines(self) -> list[str]:
        out = [f"error: {self.message}"]
        out += [f"  {line}" for line in short_lines(self.report.findings, self.report.options)]
        if self.hint:
            out.append(f"hint: {self.hint}")
        return out

    def as_data(self) -> dict[str, object]:
        return {**super().as_data(), "quota": self.report.as_data()}


def _read(read: Callable[[], object]) -> object:
    try:
        return read()
    except AzureError as exc:
        return Unknown(f"not answered: {exc.message}")


class QuotaCheck:
    """Reads for one subscription and resource group."""

    def __init__(self, reader: QuotaReader, subscription: str) -> None:
        self.reader = reader
        self.subscription = subscription

    def report(
        self,
        template: Mapping[str, object],
        parameters: Mapping[str, object],
        group: str,
        group_location: str,
        *,
        group_exists: bool = True,
    ) -> QuotaReport:
        values = Values(parameters, group_location)
        needs = environment_needs(template, values)
        if not needs:
            return QuotaReport("")
        findings: list[Finding] = []
        location = ""
        for need in needs:
            location = need.location or group_location
            region = self.region(location)
            new = EnvFacts(None, Unknown(NEW_ENVIRONMENT))
            env = self.environment(need, group) if group_exists else new
            findings += decide(need, region, env)
        report = QuotaReport(location, tuple(findings))
        if report.short:
            short_types = {f.profile_type.lower() for f in report.short if f.profile_type}
            profiles = [p for n in needs for p in n.profiles if p.type.lower() in short_types]
            options = self.options(profiles[0], location) if profiles else ()
            report = QuotaReport(location, report.findings, options)
        return report

    def region(self, location: str) -> RegionFacts:
        offered = _read(lambda: self.reader.profile_types(location))
        usages = _read(lambda: self.reader.region_usages(location))
        return RegionFacts(location, _types(offered), _usages(usages))

    def environment(self, need: EnvironmentNeed, group: str) -> EnvFacts:
        existing = _read(lambda: self._existing(need, group))
        if isinstance(existing, Unknown):
            return EnvFacts(existing, existing)
        if existing is None:
            return EnvFacts(None, Unknown(NEW_ENVIRONMENT))
        assert isinstance(existing, ExistingEnvironment)
        usages = _read(lambda: self.reader.environment_usages(group, existing.name))
        return EnvFacts(existing, _usages(usages), self.in_use(need, group))

    def in_use(self, need: EnvironmentNeed, group: str) -> dict[str, int]:
        """GPUs the template's own apps hold now on each serverless profile (counted in the
        environment's usage, and theirs again after the update); unreadable counts as 0."""
        found: dict[str, int] = {}
        for profile in need.profiles:
            if not profile.gpu.serverless:
                continue
            for workload in profile.workloads:
                if workload.kind == "app" and workload.name:
                    count = _read(partial(self.reader.running_replicas, group, workload.name))
                    held = count if isinstance(count, int) else 0
                    found[profile.name.lower()] = found.get(profile.name.lower(), 0) + held
        return found

    def _existing(self, need: EnvironmentNeed, group: str) -> ExistingEnvironment | Unknown | None:
        """By name; a name set at deployment (uniqueString): the group's only environment,
        none when the group has none."""
        if need.name:
            return self.reader.environment(group, need.name)
        found = self.reader.environments(group)
        if len(found) > 1:
            return Unknown(f"its name is set at deployment and {group} has {len(found)}")
        return found[0] if found else None

    def options(self, profile: ProfileNeed, here: str) -> tuple[RegionOption, ...]:
        """The candidate regions (other than `here`): offered types and usages, read in
        parallel."""
        regions = [r for r in candidate_regions(profile.type) if r != here.lower()]

        def one(location: str) -> RegionOption:
            facts = self.region(location)
            return region_option(location, profile, facts.offered, facts.usages)

        with Pool(MAX_PARALLEL_READS, "quota-read") as pool:
            return tuple(pool.map(one, regions))

    def enforce(self, report: QuotaReport) -> None:
        if report.short:
            hint = request_hint(self.subscription, report.location, report.short)
            raise QuotaShort(report, hint=hint)


def _types(found: object) -> tuple[str, ...] | Unknown:
    if isinstance(found, Unknown):
        return found
    assert isinstance(found, tuple)
    return tuple(str(t) for t in found)


def _usages(found: object) -> tuple[Usage, ...] | Unknown:
    if isinstance(found, Unknown):
        return found
    assert isinstance(found, tuple)
    return tuple(u for u in found if isinstance(u, Usage))


def warnings(report: QuotaReport) -> Sequence[str]:
    """One line per finding that could not be decided."""
    return [f"GPU quota not checked: {f.text()}" for f in report.unknown]


def preflight(
    check: QuotaCheck, prepared: Prepared, deployments: Deployments, new_group_in: str = ""
) -> QuotaReport:
    """The report for a prepared deployment (`new_group_in`: the location of a resource
    group about to be created, so nothing in it exists yet)."""
    group = prepared.target.resource_group.value
    location = new_group_in or deployments.group_location(group)
    template = prepared.compiled.template
    return check.report(
        template, prepared.final.values, group, location, group_exists=not new_group_in
    )


def announce(report: QuotaReport, display: Display) -> None:
    """What was found that matters: the verdicts (info), what could not be told (warnings)."""
    for finding in report.findings:
        if finding.verdict == "ok":
            display.show(Notice(f"GPU quota: {finding.text()}"))
    for warning in warnings(report):
        display.show(Notice(warning, "warning"))


def quota_messages(check: QuotaCheck, report: QuotaReport) -> list[Message]:
    """The check as `plan` shows it: every finding; when short, the shortfall and the hint."""
    levels = {"ok": "detail", "unknown": "warning", "short": "error"}
    out = [Message(line, levels.get(f.verdict, "info")) for f, line in _paired(report)]
    if report.short:
        hint = request_hint(check.subscription, report.location, report.short)
        regions = short_lines(report.findings, report.options)[len(report.short) :]
        out += [Message(line, "error") for line in regions]
        out.append(Message(f"hint: {hint}"))
    return out


def _paired(report: QuotaReport) -> list[tuple[Finding, str]]:
    if not report.findings:
        return [(Finding("ok", "GPU quota"), report.lines()[0])]
    return list(zip(report.findings, report.lines(), strict=True))
