"""Where things live in an AI Toolkit inference workspace (no I/O beyond locating the root)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CONFIG_KEYS: tuple[str, ...] = (
    "SUBSCRIPTION_ID",
    "RESOURCE_GROUP_NAME",
    "STORAGE_ACCOUNT_NAME",
    "FILE_SHARE_NAME",
    "ACA_APP_NAME",
    "ACA_APP_ENDPOINT",
)


@dataclass(frozen=True)
class Workspace:
    """The files of one workspace, all derived from its root folder."""

    root: Path

    @property
    def infra(self) -> Path:
        return self.root / "infra"

    @property
    def provision_dir(self) -> Path:
        return self.infra / "provision"

    @property
    def bicep(self) -> Path:
        return self.provision_dir / "inference.bicep"

    @property
    def compiled(self) -> Path:
        return self.provision_dir / "inference.json"

    @property
    def parameters(self) -> Path:
        return self.provision_dir / "inference.parameters.json"

    @property
    def config(self) -> Path:
        return self.infra / "inference.config.json"

    @property
    def finetuning_config(self) -> Path:
        return self.infra / "finetuning.config.json"

    @property
    def state_dir(self) -> Path:
        """The tool's own state (compile cache, in-flight deployment, final parameters)."""
        return self.root / ".orchestrator"

    def shown(self, path: Path) -> str:
        """A path as printed in messages: relative to the workspace root when inside it."""
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)


def find_workspace(start: Path) -> Workspace:
    """The workspace containing `start`: the nearest folder with `infra/` (else `start`)."""
    here = start.resolve()
    for candidate in (here, *here.parents):
        if (candidate / "infra" / "provision").is_dir() or (
            candidate / "infra" / "inference.config.json"
        ).is_file():
            return Workspace(candidate)
    return Workspace(here)
