"""The repository a workspace lives in: its root folder and GitHub owner/name, asked of `git`.

`git rev-parse --show-toplevel` gives the root (workflows live in `<root>/.github/workflows`);
`git remote get-url origin` the remote, parsed for github.com in its three spellings
(`https://github.com/O/R(.git)`, `git@github.com:O/R(.git)`, `ssh://git@github.com/O/R(.git)`).
Anything else - no git, no origin, another host - is "unknown" and the caller says so.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

from orchestrator.ci.federation import Repository
from orchestrator.ci.names import check_repository
from orchestrator.errors import InputError

Git = Callable[[Sequence[str]], "str | None"]  # git's stdout (stripped), None on failure
_REMOTES = (
    re.compile(r"^https://(?:[^@/]+@)?github\.com/([^/]+)/([^/]+?)(?:\.git)?/?$"),
    re.compile(r"^(?:ssh://)?git@github\.com[:/]([^/]+)/([^/]+?)(?:\.git)?/?$"),
)


def run_git(folder: Path) -> Git:
    def git(args: Sequence[str]) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(folder), *args],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    return git


def repository_root(git: Git) -> Path | None:
    top = git(["rev-parse", "--show-toplevel"])
    return Path(top) if top else None


def parse_remote(url: str) -> Repository | None:
    """owner/name of a github.com remote URL (pure); None for any other URL."""
    for pattern in _REMOTES:
        found = pattern.match(url.strip())
        if found:
            try:
                owner, name = check_repository(f"{found[1]}/{found[2]}", "git remote origin")
            except InputError:
                return None
            return Repository(owner, name)
    return None


def origin_repository(git: Git) -> Repository | None:
    url = git(["remote", "get-url", "origin"])
    return parse_remote(url) if url else None
