"""`provision`, step by step:

    resolve target → load parameters → compile → validate      (prepare.py, offline)
    → decide (skip / deploy)                                   (nochange.py + ARM reads)
    → deploy: preflight validate, create, record in-flight     (azure/deployments.py,
                                                                inflight.py)
    → watch                                                    (watch.py, events → display)
    → record outputs                                           (outputs.py)

The same shape as deploy: a planner (`plan`: reads only, returns a `ProvisionPlan`) → an
executor (`execute`: group, preview, preflight, create, watch) → a recorder (`record_skip`,
`record_outputs`: the config and the in-flight record). `Provisioner` holds the
collaborators (the deployments adapter, display, clock, sleep, prompt); each step is one
method named after it. `attach` reuses `watch` and `record_outputs`. What only a deployment
needs (the watcher, the in-flight record, the error trees, the quota preflight, what-if) is
imported by the step that uses it, so a skip does not load it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from orchestrator.azure.deployments import Deployments
from orchestrator.azure.errors import (
    ArmRequestError,
    DeploymentCanceled,
    DeploymentFailedError,
    ResourceGroupMissing,
)
from orchestrator.azure.models import DeploymentSnapshot
from orchestrator.azure.transport import LOCAL_ANSWER_S
from orchestrator.display import Display
from orchestrator.errors import AzureError, InputError, Interrupted
from orchestrator.events import Notice, Started
from orchestrator.provision import hashcache, nochange
from orchestrator.provision.kind import INFERENCE, TemplateKind
from orchestrator.provision.outputs import MappedOutputs, OutputSpec, Recorded, map_outputs, record
from orchestrator.provision.prepare import Prepared, deployment_name
from orchestrator.threads import Pool
from orchestrator.workspace import Workspace

if TYPE_CHECKING:  # the watcher, the quota preflight and what-if are imported when used
    from orchestrator.azure.whatif import WhatIf
    from orchestrator.provision.quotacheck import QuotaCheck
    from orchestrator.provision.watch import PollPolicy, Watcher, WatchResult

Ask = Callable[[str, Sequence[str]], str]  # question, choices (first = default) → choice


@dataclass(frozen=True)
class Options:
    create_group: bool = False
    force: bool = False
    preview: bool = False
    yes: bool = False
    no_wait: bool = False
    on_interrupt: str = "ask"  # ask | leave | cancel
    timeout: float = 7200.0
    skip_quota_check: bool = False


NEW_GROUP = "no earlier successful provision in this resource group (a new one)"


@dataclass(frozen=True)
class ProvisionPlan:
    """The planner's answer, plain data: the decision, and the group to create first."""

    decision: nochange.Decision
    create_group_in: str = ""  # a location: --create-resource-group makes the group there


@dataclass(frozen=True)
class Skipped:
    previous: DeploymentSnapshot
    reason: str
    outputs: MappedOutputs
    config: Recorded


@dataclass(frozen=True)
class Deployed:
    deployment: DeploymentSnapshot
    reason: str
    outputs: MappedOutputs
    config: Recorded
    plan: WhatIf | None = None


@dataclass(frozen=True)
class Submitted:
    """--no-wait: the deployment was created and is running."""

    deployment: DeploymentSnapshot
    reason: str


@dataclass(frozen=True)
class Declined:
    """--preview: the user said no; nothing was deployed (a normal end, exit 0)."""

    plan: WhatIf
    reason: str


Outcome = Skipped | Deployed | Submitted | Declined


def compute_what_if(deployments: Deployments, prepared: Prepared, name: str) -> WhatIf:
    """ARM what-if of the prepared deployment (polled every second)."""
    group = prepared.target.resource_group.value
    return deployments.what_if(group, name, prepared.deployment_body(what_if=True))


class Provisioner:
    def __init__(
        self,
        workspace: Workspace,
        deployments: Deployments,
        display: Display,
        *,
        cloud: str,
        portal_url: Callable[[str], str] = lambda _id: "",
        interactive: bool = False,
        ask: Ask | None = None,
        policy: PollPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc),
        quota: Callable[[str], QuotaCheck] | None = None,
        kind: TemplateKind = INFERENCE,
    ) -> None:
        self.workspace = workspace
        self.kind = kind
        self.deployments = deployments
        self.display = display
        self.cloud = cloud
        self.portal_url = portal_url
        self.interactive = interactive
        self.ask = ask
        self._watching = (policy, clock, sleep)
        self._watcher: Watcher | None = None
        self.now = now
        self.quota = quota

    @property
    def watcher(self) -> Watcher:
        """The deployment watcher, built when something is to be watched (a no-change
        provision never imports it)."""
        if self._watcher is None:
            from orchestrator.azure.deployments import PollingSource
            from orchestrator.provision.watch import Watcher

            policy, clock, sleep = self._watching
            source = PollingSource(self.deployments)
            self._watcher = Watcher(source, self.display, policy=policy, clock=clock, sleep=sleep)
        return self._watcher

    # --- the pipeline ----------------------------------------------------------------------

    def provision(self, prepared: Prepared, options: Options) -> Outcome:
        """Plan (reads only), then skip and record, or execute (which records at the end)."""
        plan = self.plan(prepared, options)
        if isinstance(plan.decision, nochange.Skip):
            return self.record_skip(prepared, plan.decision)
        if self.quota is not None and not options.skip_quota_check:
            self.check_quota(prepared, plan)
        return self.execute(prepared, plan, options)

    # --- the planner: reads only -----------------------------------------------------------

    def plan(self, prepared: Prepared, options: Options) -> ProvisionPlan:
        """The decision; the group's deployment list, its first read, also tells whether the
        group exists (a round trip fewer than asking for the group first)."""
        try:
            return ProvisionPlan(self.decide(prepared, options))
        except ResourceGroupMissing:
            if not options.create_group:
                raise
        location = self.location_of_new_group(prepared)
        return ProvisionPlan(nochange.Deploy(NEW_GROUP), create_group_in=location)

    def location_of_new_group(self, prepared: Prepared) -> str:
        """Where --create-resource-group makes the missing group: --location, required."""
        group = prepared.target.resource_group.value
        location = prepared.target.location
        if not location.is_set:
            raise InputError(
                f"--create-resource-group: resource group {group} needs a location",
                hint="add --location REGION (or set AZURE_LOCATION)",
            )
        return location.value

    def decide(self, prepared: Prepared, options: Options) -> nochange.Decision:
        """Skip or deploy. A deployment of ours still running in the group is waited for
        first (a crashed or parallel provision), then the decision is made on the result."""
        group = prepared.target.resource_group.value
        deployments = self.deployments.list_deployments(group)
        active = nochange.active_deployments(deployments, self.kind.name)
        if active:
            self.wait_for_active(group, active[0], options)
            deployments = self.deployments.list_deployments(group)
        template = prepared.compiled.template
        template_hash = hashcache.template_hash(
            self.workspace,
            self.deployments.endpoint,
            template,
            lambda: self.deployments.template_hash(template),
        )
        candidate = nochange.find_candidate(
            deployments,
            template_hash=template_hash,
            phash=prepared.param_hash,
            force=options.force,
            template=self.kind.name,
        )
        missing: list[str] = []
        if isinstance(candidate, nochange.Candidate):
            missing = self.missing_resources(prepared, candidate.previous)
        return nochange.decide(candidate, missing)

    def wait_for_active(self, group: str, active: DeploymentSnapshot, options: Options) -> None:
        if options.no_wait:
            raise AzureError(
                f"deployment {active.name} of this template is still running in {group}",
                hint=f"run `{self.kind.command}` again when it is done",
            )
        self.display.show(
            Notice(f"deployment {active.name} is already running in {group}; waiting for it")
        )
        self.watcher.watch(group, active.name, timeout=options.timeout)

    def missing_resources(self, prepared: Prepared, previous: DeploymentSnapshot) -> list[str]:
        """The previous deployment's resources that are gone, in the deployment's order. The
        first is read alone: when it answers within `LOCAL_ANSWER_S` (a local endpoint), the
        rest follow on the same connection; over a real network they are read in parallel."""
        checked = [
            (resource_id, version)
            for resource_id in previous.output_resources
            if (version := prepared.api_version_for(resource_id))
        ]
        if not checked:
            return []
        started = time.perf_counter()
        found = [self.deployments.resource_exists(*checked[0])]
        rest = checked[1:]
        if rest and time.perf_counter() - started < LOCAL_ANSWER_S:
            found += [self.deployments.resource_exists(*c) for c in rest]
        elif rest:
            with Pool(min(8, len(rest)), "resource-check") as pool:
                found += pool.map(lambda c: self.deployments.resource_exists(*c), rest)
        gone = zip(checked, found, strict=True)
        return [resource_id for (resource_id, _), exists in gone if not exists]

    def check_quota(self, prepared: Prepared, plan: ProvisionPlan) -> None:
        """GPU quota and region preflight (provision/quotacheck.py): exit 1 when short,
        a warning for what cannot be told."""
        from orchestrator.provision.quotacheck import announce, preflight

        assert self.quota is not None
        check = self.quota(prepared.target.subscription.value)
        report = preflight(check, prepared, self.deployments, plan.create_group_in)
        announce(report, self.display)
        check.enforce(report)

    # --- the executor ----------------------------------------------------------------------

    def execute(self, prepared: Prepared, plan: ProvisionPlan, options: Options) -> Outcome:
        """Create the group when planned, preview, deploy, watch; record the outputs."""
        if plan.create_group_in:
            self.create_group(prepared.target.resource_group.value, plan.create_group_in)
        reason = plan.decision.reason
        what_if = self.preview(prepared, options) if options.preview else None
        if what_if is not None and not self.approved(options):
            return Declined(what_if, reason)
        try:
            deployment = self.deploy(prepared)
            if options.no_wait:
                return Submitted(deployment, reason)
            result = self.watch(prepared.target.resource_group.value, deployment.name, options)
        except AzureError as err:
            raise naming_files(err, prepared) from None
        mapped, recorded = self.record_outputs(prepared.outputs, prepared.config, result)
        return Deployed(result.deployment, reason, mapped, recorded, what_if)

    def create_group(self, group: str, location: str) -> None:
        self.display.show(Notice(f"creating resource group {group} in {location}"))
        self.deployments.create_group(group, location, {nochange.TAG_TEMPLATE: self.kind.name})

    # --- the recorder ----------------------------------------------------------------------

    def record_skip(self, prepared: Prepared, decision: nochange.Skip) -> Skipped:
        mapped = map_outputs(decision.previous.outputs, prepared.outputs)
        return Skipped(
            decision.previous, decision.reason, mapped, self._record(prepared.config, mapped)
        )

    def _record(self, config: Mapping[str, Any], mapped: MappedOutputs) -> Recorded:
        recorder = self.kind.recorder
        recorded = recorder(config, mapped) if recorder else record(self.workspace, config, mapped)
        for warning in recorded.warnings:
            self.display.show(Notice(warning, "warning"))
        return recorded

    def preview(self, prepared: Prepared, options: Options) -> WhatIf:
        """--preview: show the what-if plan (`approved` then asks before deploying)."""
        plan = self.what_if(prepared)
        from orchestrator.provision.whatif import render_what_if

        for line in render_what_if(plan):
            self.display.show(Notice(line))
        if not (options.yes or (self.interactive and self.ask is not None)):
            raise InputError(
                "--preview asks before deploying, but this is not a terminal",
                hint="add --yes to deploy without asking, or run `orchestrator plan`",
            )
        return plan

    def approved(self, options: Options) -> bool:
        """--yes, or the user's answer (the live display is stopped while asking); end of
        input declines, Ctrl-C interrupts (exit 130, nothing deployed)."""
        if options.yes or self.ask is None:
            return options.yes
        self.display.close()
        try:
            return self.ask("deploy these changes?", ("no", "yes")) == "yes"
        except EOFError:
            return False

    def what_if(self, prepared: Prepared) -> WhatIf:
        name = deployment_name(self.now(), self.kind.name)
        return compute_what_if(self.deployments, prepared, name)

    def deploy(self, prepared: Prepared) -> DeploymentSnapshot:
        """Preflight validate, create, record the deployment as in flight."""
        group = prepared.target.resource_group.value
        name = deployment_name(self.now(), self.kind.name)
        from orchestrator.provision import inflight

        body = prepared.deployment_body()
        for warning in self.deployments.validate(group, name, body).warnings:
            self.display.show(Notice(f"preflight: {warning}", "warning"))
        deployment = self.deployments.create(group, name, body)
        inflight.record(
            self.workspace,
            inflight.InflightRecord(
                cloud=self.cloud,
                subscription=prepared.target.subscription.value,
                resource_group=group,
                deployment=deployment.name or name,
                deployment_id=deployment.id,
                started_at=self.now().isoformat(),
                param_hash=prepared.param_hash,
                outputs=prepared.outputs,
            ),
            self.kind.name,
        )
        self.display.show(Started(name, deployment.id, self.portal_url(deployment.id)))
        return deployment

    def watch(self, group: str, name: str, options: Options) -> WatchResult:
        """Watch until the end; Ctrl-C leaves it running or cancels it (--on-interrupt)."""
        from orchestrator.provision import inflight

        try:
            result = self.watcher.watch(group, name, timeout=options.timeout)
        except KeyboardInterrupt:
            self.interrupted(group, name, options.on_interrupt)
            raise AssertionError("unreachable") from None  # pragma: no cover
        if not result.deployment.succeeded:
            inflight.clear(self.workspace, name, self.kind.name)
            raise self.failure(result)
        return result

    def interrupted(self, group: str, name: str, on_interrupt: str) -> None:
        choice = on_interrupt
        if choice == "ask":
            choice = "leave"
            if self.interactive and self.ask is not None:
                self.display.close()  # the live table would redraw over the question
                try:
                    choice = self.ask(
                        f"Ctrl-C: leave deployment {name} running or cancel it?",
                        ("leave", "cancel"),
                    )
                except (KeyboardInterrupt, EOFError):
                    choice = "leave"
        if choice == "cancel":
            from orchestrator.provision import inflight

            self.deployments.cancel(group, name)
            inflight.clear(self.workspace, name, self.kind.name)
            raise Interrupted(
                f"canceled deployment {name}; resources created so far remain in {group}",
                hint=f"run `{self.kind.command}` again to finish",
            )
        raise Interrupted(f"deployment {name} left running in {group}", hint=self.kind.resume_hint)

    def failure(self, result: WatchResult) -> AzureError:
        """A canceled deployment is said as such; a failed one with its root causes."""
        from orchestrator.azure.errortree import RootCause, root_causes

        deployment = result.deployment
        shown = self.workspace.shown(self.kind.config or self.workspace.config)
        if deployment.canceled:
            return DeploymentCanceled(
                f"deployment {deployment.name} was canceled; {shown} left unchanged",
                hint=f"resources created before the cancel remain; run `{self.kind.command}` "
                "again to finish",
            )
        causes = root_causes(deployment.error, result.operations) or [
            RootCause("DeploymentFailed", f"provisioningState: {deployment.state}")
        ]
        return DeploymentFailedError(
            f"deployment {deployment.name} failed; {shown} left unchanged",
            causes,
            hint=f"fix the cause above and run `{self.kind.command}` again",
        )

    def record_outputs(
        self, declared: Sequence[OutputSpec], config: Mapping[str, Any], result: WatchResult
    ) -> tuple[MappedOutputs, Recorded]:
        """Write the outputs into the config (checked, atomically, unknown keys kept); clear
        in-flight."""
        from orchestrator.provision import inflight

        mapped = map_outputs(result.deployment.outputs, declared)
        recorded = self._record(config, mapped)
        inflight.clear(self.workspace, result.deployment.name, self.kind.name)
        return mapped, recorded


def naming_files(err: AzureError, prepared: Prepared) -> AzureError:
    """`err` with its hints naming the parameters file and template this run used."""
    from orchestrator.azure.errortree import hint_for, with_files

    files = {"parameters": prepared.final.source, "template": prepared.compiled.source}
    if isinstance(err, DeploymentFailedError):
        err.causes = with_files(err.causes, files)
    elif isinstance(err, ArmRequestError) and err.code:
        err.hint = hint_for(err.code, err.message, files) or err.hint
    return err
