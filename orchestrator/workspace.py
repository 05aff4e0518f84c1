"""Where things live in an AI Toolkit inference workspace (no I/O beyond locating the root and
creating the tool's own `.orchestrator/` folder)."""

from __future__ import annotations

import os
from collections.abc import Iterator
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
        """A path as printed in messages: relative to the workspace root when inside it.

        Lexical first (a symlink is shown by its own name), then by resolved paths; a path that
        cannot be resolved (a symlink loop) is shown as given."""
        for inside, root in _spellings(path, self.root):
            try:
                return str(inside.relative_to(root))
            except ValueError:
                continue
        return str(path)

    def ensure_state_dir(self) -> Path:
        """Create `.orchestrator/` with a `.gitignore` of `*`, so that the tool's state never
        ends up in the user's repository; returns the folder."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        ignore = self.state_dir / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# orchestrator state: not for version control\n*\n")
        return self.state_dir


def _spellings(path: Path, root: Path) -> Iterator[tuple[Path, Path]]:
    """(path, root) as absolute paths, then resolved - unless that fails (a symlink loop)."""
    yield Path(os.path.abspath(path)), Path(os.path.abspath(root))
    try:
        yield path.resolve(), root.resolve()
    except (OSError, RuntimeError):
        return


def find_workspace(start: Path) -> Workspace:
    """The workspace containing `start`: the nearest folder with `infra/` (else `start`)."""
    try:
        here = start.resolve()
    except (OSError, RuntimeError):  # a symlink loop: nothing above it can be searched
        return Workspace(Path(os.path.abspath(start)))
    for candidate in (here, *here.parents):
        if (candidate / "infra" / "provision").is_dir() or (
            candidate / "infra" / "inference.config.json"
        ).is_file():
            return Workspace(candidate)
    return Workspace(here)
