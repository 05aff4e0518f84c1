"""`orchestrator bicep install`: the pinned, checksum-verified Bicep CLI into the az CLI's folder.

The release is the pinned one (its SHA-256 for each platform is recorded in
`orchestrator/bicep/releases.py`) unless `--version` or ORCHESTRATOR_BICEP_VERSION names
another, which is installed unverified with a warning. On a terminal the command asks first
(Enter means yes); `--yes` skips the question; without a terminal the command itself is the
consent. The file lands where `az bicep install` puts it, so `az` and this tool share it.
"""

from __future__ import annotations

import sys
from typing import TextIO

from orchestrator.bicep.download import Download, HttpsDownload
from orchestrator.bicep.install import Installed, already_installed, install
from orchestrator.bicep.offer import Ask, describe, terminal_ask
from orchestrator.bicep.plan import InstallPlan, Pins, plan_install
from orchestrator.bicep.platforms import check_platform, current_host, detect_platform
from orchestrator.bicep.releases import PINS
from orchestrator.bicep.settings import BicepSettings
from orchestrator.compile import Compiler, compiler_version, subprocess_runner
from orchestrator.errors import InputError
from orchestrator.invocation import Invocation
from orchestrator.result import CommandResult, Message


def run(
    inv: Invocation,
    *,
    version: str | None = None,
    platform: str | None = None,
    yes: bool = False,
    stdin: TextIO = sys.stdin,
    download: Download | None = None,
    pins: Pins = PINS,
) -> CommandResult:
    settings = BicepSettings.from_env(inv.settings.environ)
    chosen = check_platform(platform, "--platform") if platform else None
    plan = plan_install(
        settings, chosen or detect_platform(current_host()), version, "--version", pins
    )
    if inv.interactive and not yes and not already_installed(plan):
        declined = _ask_first(plan, terminal_ask(stdin, inv.stderr), inv.stderr)
        if declined is not None:
            return declined
    elif not plan.verified:
        inv.stderr.write("warning: " + plan.warning() + "\n")
    done = install(plan, download or HttpsDownload(settings.verify))
    return _result(plan, done, _version_of(done, chosen))


def _ask_first(plan: InstallPlan, ask: Ask, stderr: TextIO) -> CommandResult | None:
    """None when the user agrees; else the result of declining."""
    for line in describe(plan, "installing the Bicep CLI"):
        stderr.write(line + "\n")
    if ask("Install it now? [Y/n] "):
        return None
    return CommandResult(
        "bicep install",
        data={"installed": False, **_plan_data(plan)},
        messages=(Message("nothing installed", "warning"),),
        exit_code=1,
    )


def _version_of(done: Installed, platform: str | None) -> str:
    """What the installed CLI says it is ("" for a binary of another platform or one that
    does not answer: the install itself succeeded)."""
    if platform is not None and platform != detect_platform(current_host()):
        return ""
    try:
        return compiler_version(Compiler((str(done.path),)), subprocess_runner)
    except InputError:
        return ""


def _plan_data(plan: InstallPlan) -> dict[str, object]:
    return {
        "version": plan.version,
        "platform": plan.platform,
        "url": plan.url,
        "path": str(plan.target),
        "verified": plan.verified,
        "expectedSha256": plan.expected.sha256 if plan.expected else None,
        "digestSources": list(plan.expected.sources) if plan.expected else [],
    }


def _result(plan: InstallPlan, done: Installed, reported: str) -> CommandResult:
    if not done.downloaded:
        headline = f"Bicep CLI {plan.version} already installed at {done.path} (SHA-256 matches)"
    else:
        state = "verified" if done.verified else "UNVERIFIED"
        headline = f"installed Bicep CLI {plan.version} at {done.path} (SHA-256 {state})"
    messages = [Message(headline, "success" if done.verified else "warning")]
    messages.append(Message(f"SHA-256 {done.sha256}", "detail"))
    if reported and f"v{reported}" != plan.version:
        messages.append(Message(f"but it reports version {reported}", "warning"))
    elif reported:
        messages.append(Message(f"it reports version {reported}", "detail"))
    data = {"installed": True, "downloaded": done.downloaded, "sha256": done.sha256}
    return CommandResult(
        "bicep install",
        data={**data, **_plan_data(plan), "reportedVersion": reported or None},
        messages=tuple(messages),
    )
