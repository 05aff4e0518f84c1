"""The offer `compile` makes when it needs a Bicep CLI and finds none.

On a terminal it says why, what it would download (URL, target, digest source, or the
unverified warning) and asks (default yes); `--yes` answers for the user. When nobody can be
asked it installs nothing and the compile error names the exact command to run instead.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from orchestrator.bicep.download import Download, HttpsDownload
from orchestrator.bicep.platforms import Host, current_host, detect_platform
from orchestrator.bicep.releases import PINS
from orchestrator.bicep.settings import BicepSettings
from orchestrator.errors import InputError
from orchestrator.settings import Settings

if TYPE_CHECKING:
    from orchestrator.bicep.plan import InstallPlan, Pins

Ask = Callable[[str], bool]
Notify = Callable[[str], None]


@dataclass(frozen=True)
class BicepOffer:
    settings: BicepSettings
    host: Host  # the platform is detected from it when an install is planned
    interactive: bool  # a question may be asked
    assume_yes: bool  # --yes: install without asking
    ask: Ask
    notify: Notify
    download: Download
    version: str | None = None  # --bicep-version
    pins: Pins = field(default_factory=lambda: PINS)

    def plan(self) -> InstallPlan:
        from orchestrator.bicep.plan import plan_install

        platform = detect_platform(self.host)
        return plan_install(self.settings, platform, self.version, "--bicep-version", self.pins)

    def hint(self) -> str:
        """What to run when no install happened."""
        from orchestrator.bicep.plan import install_command

        try:
            command = install_command(self.plan())
        except InputError as exc:
            return exc.hint
        return (
            f"install the pinned, checksum-verified Bicep CLI with `{command}` (or "
            "`az bicep install`), or pass an ARM template with `--template FILE.json`"
        )

    def offer(self, reason: str) -> Path | None:
        """Install a Bicep CLI when the user agrees; its path, or None (nothing installed)."""
        if not (self.interactive or self.assume_yes):
            return None
        try:
            plan = self.plan()
        except InputError as exc:  # no verified build for this machine: say both reasons
            raise InputError(f"{reason}; {exc.message}", hint=exc.hint) from exc
        for line in describe(plan, reason):
            self.notify(line)
        if not self.assume_yes and not self.ask("Install it now? [Y/n] "):
            return None
        from orchestrator.bicep.install import install

        done = install(plan, self.download)
        state = "verified" if done.verified else "NOT verified"
        self.notify(f"installed {done.path} (SHA-256 {done.sha256}, {state})")
        return done.path


def describe(plan: InstallPlan, reason: str) -> list[str]:
    lines = [reason, f"Bicep CLI {plan.version} for {plan.platform}: {plan.url} -> {plan.target}"]
    if plan.expected is not None:
        lines.append(f"SHA-256 {plan.expected.sha256} (recorded from {plan.expected.sources[0]})")
    else:
        lines.append("warning: " + plan.warning())
    return lines


def terminal_ask(stdin: TextIO, stderr: TextIO) -> Ask:
    """A yes/no question on the terminal; Enter means yes, end of input means no."""

    def ask(question: str) -> bool:
        stderr.write(question)
        stderr.flush()
        answer = stdin.readline()
        if not answer:
            return False
        return answer.strip().lower() in ("", "y", "yes")

    return ask


def bicep_offer(
    settings: BicepSettings,
    *,
    interactive: bool,
    assume_yes: bool,
    stdin: TextIO,
    stderr: TextIO,
    version: str | None = None,
) -> BicepOffer:
    """The offer with real collaborators: this machine's platform, the terminal, HTTPS."""

    def notify(line: str) -> None:
        stderr.write(line + "\n")

    return BicepOffer(
        settings=settings,
        host=current_host(),
        interactive=interactive,
        assume_yes=assume_yes,
        ask=terminal_ask(stdin, stderr),
        notify=notify,
        download=HttpsDownload(settings.verify),
        version=version,
    )


def offer_for(
    settings: Settings,
    *,
    assume_yes: bool,
    stderr: TextIO,
    version: str | None = None,
    stdin: TextIO = sys.stdin,
) -> BicepOffer:
    """The offer for a command: its settings' environment and interactivity, its `--yes` and
    `--bicep-version`. Pass it to `compile_template(..., installer=...)`."""
    return bicep_offer(
        BicepSettings.from_env(settings.environ),
        interactive=settings.interactive,
        assume_yes=assume_yes,
        stdin=stdin,
        stderr=stderr,
        version=version,
    )
