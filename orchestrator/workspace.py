"""Where things live in an AI Toolkit inference workspace (no I/O beyond locating the root and
creating the tool's own `.orchestrator/` folder).

Every command that needs a workspace says the same thing when there is none
(`require_workspace`: exit 2, one line); a `-w` folder that cannot be used (a symlink loop, a
name too long, no permission) is one line too (`given_workspace`).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from orchestrator.errors import InputError

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
    def state_dir(self) -> Path:
        """The tool's own state (compile cache, in-flight deployment, final parameters)."""
        return self.root / ".orchestrator"

    def shown(self, path: Path) -> str:
        """A path as printed in messages: relative to the workspace root when inside it.

        Lexical first (a symlink is shown by its own name), then by resolved paths; a path that
        cannot be resolved (a symlink loop) is shown as given. A character that would break
        the line (a newline in a file name) is shown escaped."""
        for inside, root in _spellings(path, self.root):
            try:
                return printable(str(inside.relative_to(root)))
            except ValueError:
                continue
        return printable(str(path))

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


NOT_A_WORKSPACE_HINT = "run inside the workspace, or pass -w FOLDER (the folder that holds infra/)"
_SHOWN_PATH = 80  # characters of a folder name quoted in a message


def find_workspace(start: Path) -> Workspace:
    """The workspace containing `start`: the nearest folder with `infra/` (else `start`)."""
    try:
        here = start.resolve()
    except (OSError, RuntimeError):  # a symlink loop: nothing above it can be searched
        return Workspace(Path(os.path.abspath(start)))
    for candidate in (here, *here.parents):
        if _quietly(Path.is_dir, candidate / "infra" / "provision") or _quietly(
            Path.is_file, candidate / "infra" / "inference.config.json"
        ):
            return Workspace(candidate)
    return Workspace(here)


def _quietly(test: Callable[[Path], bool], path: Path) -> bool:
    """`path.is_dir()` / `is_file()`, False when the answer cannot be had (no permission)."""
    try:
        return test(path)
    except (OSError, RuntimeError):
        return False


def given_workspace(folder: Path) -> Workspace:
    """`-w FOLDER` as a Workspace. A folder that cannot be used - a symlink loop, a name too
    long, a parent without permission - is an InputError naming it; one that does not exist
    is left to `require_workspace` (it says what a workspace is)."""
    shown = _shown_path(folder)
    try:
        root = folder.resolve()
        os.stat(root)
    except RuntimeError:
        message = f"{shown}: cannot resolve the workspace folder (symbolic link loop)"
        raise InputError(message) from None
    except FileNotFoundError:
        return Workspace(Path(os.path.abspath(folder)))
    except OSError as exc:
        reason = "symbolic link loop" if exc.errno == errno.ELOOP else exc.strerror
        raise InputError(f"{shown}: cannot use the workspace folder ({reason})") from None
    return Workspace(root)


def require_workspace(workspace: Workspace) -> Workspace:
    """`workspace`, if it is one (it has `infra/`); else the one InputError every command
    gives outside a workspace."""
    try:
        found = workspace.infra.is_dir()
    except OSError as exc:
        shown = _shown_path(workspace.root)
        raise InputError(f"{shown}: cannot read the workspace ({exc.strerror})") from None
    if not found:
        raise not_a_workspace(workspace)
    return workspace


def not_a_workspace(workspace: Workspace) -> InputError:
    return InputError(
        f"{_shown_path(workspace.root)}: not an AI Toolkit workspace (there is no infra/ folder)",
        hint=NOT_A_WORKSPACE_HINT,
    )


def _shown_path(path: Path) -> str:
    text = printable(str(path))
    return text if len(text) <= _SHOWN_PATH else text[: _SHOWN_PATH - 3] + "..."


def printable(text: str) -> str:
    """`text` on one line: non-printable characters (line breaks, bidi controls) escaped."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
