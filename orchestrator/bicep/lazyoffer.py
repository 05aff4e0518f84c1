"""The install offer of a command, built when `compile` first asks for it.

`compile_template` calls its installer only when no Bicep CLI is found and the checked-in JSON
is stale, so most runs never need the offer (`offer.py`: this machine's platform, the terminal,
the HTTPS download, the pinned releases) and never import it. The environment's Bicep settings
are still read when the command starts, so a wrong `ORCHESTRATOR_BICEP_*` stops it at once.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from orchestrator.bicep.settings import BicepSettings
from orchestrator.settings import Settings

if TYPE_CHECKING:
    from orchestrator.bicep.offer import BicepOffer


class LazyOffer:
    """A `compile.BicepInstaller` for a command: its settings' environment and interactivity,
    its `--yes` and `--bicep-version` (as `offer.offer_for`), the offer built on first use."""

    def __init__(
        self,
        settings: Settings,
        *,
        assume_yes: bool,
        stderr: TextIO,
        version: str | None = None,
        stdin: TextIO = sys.stdin,
    ) -> None:
        self.bicep = BicepSettings.from_env(settings.environ)  # an InputError when wrong
        self.interactive = settings.interactive
        self.assume_yes = assume_yes
        self.version = version
        self._streams = (stdin, stderr)
        self._offer: BicepOffer | None = None

    def offer(self, reason: str) -> Path | None:
        """Install a Bicep CLI when the user agrees; its path, or None (nothing installed)."""
        return self.built().offer(reason)

    def hint(self) -> str:
        """What to run when no install happened."""
        return self.built().hint()

    def built(self) -> BicepOffer:
        """The offer, built the first time it is asked for."""
        if self._offer is None:
            from orchestrator.bicep.offer import bicep_offer

            stdin, stderr = self._streams
            self._offer = bicep_offer(
                self.bicep,
                interactive=self.interactive,
                assume_yes=self.assume_yes,
                stdin=stdin,
                stderr=stderr,
                version=self.version,
            )
        return self._offer
