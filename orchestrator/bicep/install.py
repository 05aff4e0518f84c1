"""Carry out an InstallPlan: download into a temp file beside the target, check its SHA-256,
make it executable, rename it into place. Nothing executable with unchecked content ever sits
at the target: a mismatch deletes the temp file and fails (exit 1) with both digests.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from orchestrator.bicep.download import Download
from orchestrator.bicep.plan import InstallPlan
from orchestrator.errors import FatalError, InputError

EXECUTABLE = stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH  # what `az bicep install` adds


class DigestMismatch(FatalError):
    """The downloaded file is not the recorded release binary. Exit 1."""


@dataclass(frozen=True)
class Installed:
    path: Path
    sha256: str
    verified: bool
    downloaded: bool  # False: the target already held the verified binary


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def already_installed(plan: InstallPlan) -> bool:
    """The target holds exactly the verified binary (an unverified release is fetched again)."""
    if plan.expected is None or not plan.target.is_file():
        return False
    try:
        return file_sha256(plan.target) == plan.expected.sha256
    except OSError:
        return False


def install(plan: InstallPlan, download: Download) -> Installed:
    if already_installed(plan):
        assert plan.expected is not None
        return Installed(plan.target, plan.expected.sha256, verified=True, downloaded=False)
    folder = plan.target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".bicep-download-", dir=folder)
    except OSError as exc:
        raise InputError(f"{folder}: cannot write the Bicep CLI there ({exc.strerror})") from exc
    temp = Path(name)
    try:
        actual = _receive(fd, plan.url, download)
        _check(plan, actual)
        os.chmod(temp, os.stat(temp).st_mode | EXECUTABLE)
        os.replace(temp, plan.target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return Installed(plan.target, actual, plan.verified, downloaded=True)


def _receive(fd: int, url: str, download: Download) -> str:
    """Write the body into the open temp file; its SHA-256."""
    digest = hashlib.sha256()
    with os.fdopen(fd, "wb") as out, download(url) as chunks:
        for chunk in chunks:
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest()


def _check(plan: InstallPlan, actual: str) -> None:
    if plan.expected is None or actual == plan.expected.sha256:
        return
    raise DigestMismatch(
        f"{plan.url}: SHA-256 mismatch: expected {plan.expected.sha256}, actual {actual}; "
        f"the download was deleted and nothing was installed at {plan.target}",
        hint="retry later; if it persists, the release host or a proxy serves a different "
        "file than the one recorded (report it, do not install it by hand)",
    )
