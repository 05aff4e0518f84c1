"""The sync as planner → executor → recorder.

- `load_caches` reads what earlier runs recorded, once: the local MD5s (`localhashes`) and the
  share's ETags/sizes/MD5s (`sharestate`).
- the planner reads only: `scan_workspace` (the local side) and `list_remote` (the share) run
  side by side, each waiting on something else (the disk, the network); `decide` then HEADs
  only the files whose MD5 decides and is not known, and returns plain data.
- an executor carries the plan out: `LiveExecutor` uploads and deletes; `DryRunExecutor`
  (`--dry-run`) only describes what would be done, so a dry run sends no write.
- `record` (the recorder) saves both caches once, after the executor, each only when it
  changed; a dry run records nothing, so it leaves `.orchestrator/` as it was. (`deploy`
  saves the local MD5s earlier, while the share is still being listed: they describe the
  local files whatever the share holds; `record` then finds them saved.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from orchestrator.deploy import localhashes, sharestate
from orchestrator.deploy.localhashes import Hashed
from orchestrator.deploy.localtree import LocalTree, load_ignore, scan
from orchestrator.deploy.share import (
    RemoteTree,
    Share,
    SyncProgress,
    apply_plan,
    fetch_properties,
)
from orchestrator.deploy.syncplan import (
    KnownFile,
    RemoteFile,
    SyncPlan,
    known_md5s,
    needs_md5,
    plan_sync,
    remember,
)
from orchestrator.errors import InputError
from orchestrator.events import Event, Progress, Transfer
from orchestrator.workspace import Workspace

IGNORE_FILE = ".deployignore"


@dataclass(frozen=True)
class Caches:
    """What earlier runs recorded (loaded once per run)."""

    local: Mapping[str, Hashed] = field(default_factory=dict)
    share: Mapping[str, KnownFile] = field(default_factory=dict)


@dataclass(frozen=True)
class Planned:
    """The planner's answer: the plan, what was left out, and what was learned on the way."""

    plan: SyncPlan
    skipped: tuple[str, ...]
    local: Mapping[str, Hashed]  # the local MD5s to remember
    share: Mapping[str, KnownFile]  # the share's files as listed and HEADed


def load_caches(workspace: Workspace, share_url: str) -> Caches:
    return Caches(localhashes.load(workspace), sharestate.load(workspace, share_url))


def scan_workspace(
    workspace: Workspace, roots: Sequence[str], known: Mapping[str, Hashed], *, delete: bool
) -> LocalTree:
    """The local side of the plan: the files to sync, their MD5s reused from `known` where
    the file is unchanged. Nothing to sync is an error unless the run deletes."""
    root = workspace.root
    tree = scan(root, roots, load_ignore(root / IGNORE_FILE), dict(known))
    if not tree.files and not delete:
        raise InputError(
            f"nothing to sync: {', '.join(r + '/' for r in roots)} hold no files in {root}"
        )
    return tree


def decide(
    share: Share,
    roots: Sequence[str],
    caches: Caches,
    tree: LocalTree,
    remote: RemoteTree,
    *,
    delete: bool,
) -> Planned:
    """HEAD what must be HEADed, then decide. Reads only."""
    sizes = {f.path: f.size for f in remote.files}
    wanted = needs_md5(tree.files, sizes)
    md5s = known_md5s(wanted, remote.files, caches.share)
    heads = fetch_properties(share, [p for p in wanted if p not in md5s])
    md5s.update({path: entry.md5 for path, entry in heads.items()})
    remote_files = [RemoteFile(f.path, f.size, md5s.get(f.path)) for f in remote.files]
    decided = plan_sync(tree.files, tree.dirs, remote_files, remote.dirs, roots, delete=delete)
    learned = remember(caches.share, remote.files, heads)
    return Planned(decided, tree.skipped, tree.hashes, learned)


class Executor(Protocol):
    def run(self, plan: SyncPlan) -> dict[str, KnownFile]:
        """Carry the plan out; each uploaded file as the share now has it."""
        ...


@dataclass(frozen=True)
class LiveExecutor:
    """Uploads and deletes. Progress goes out as `Transfer` events (a bar on a terminal, a
    few lines otherwise); one line per file only when `verbose` (`deploy -v`)."""

    share: Share
    workspace: Workspace
    show: Callable[[Event], None]
    verbose: bool = False
    locate: Callable[[str], Path] | None = None  # share path → local file, when they differ

    def run(self, plan: SyncPlan) -> dict[str, KnownFile]:
        files, total = len(plan.uploads), plan.upload_bytes
        done = [0, 0]  # files, bytes
        if files:
            self.show(Transfer(0, files, 0, total))

        def progress(event: SyncProgress) -> None:
            if event.kind == "upload":
                done[0] += 1
                done[1] += event.size
                if self.verbose:
                    self.show(Progress("sync", f"uploaded {event.path} ({done[0]}/{files})"))
                self.show(Transfer(done[0], files, done[1], total, event.path))
            elif self.verbose:
                self.show(Progress("sync", f"{event.kind} {event.path}"))

        return apply_plan(self.share, self.workspace.root, plan, progress, self.locate)


@dataclass(frozen=True)
class DryRunExecutor:
    """Says what would be done; sends nothing."""

    def run(self, plan: SyncPlan) -> dict[str, KnownFile]:
        return {}

    @staticmethod
    def describe(plan: SyncPlan) -> list[str]:
        lines = [f"would create folder {d}/" for d in plan.make_dirs]
        lines += [f"would upload {u.path} ({u.reason})" for u in plan.uploads]
        lines += [f"would delete {p}" for p in plan.delete_files]
        lines += [f"would delete folder {d}/" for d in plan.delete_dirs]
        lines += [f"remote extra kept: {p} (--delete removes it)" for p in plan.kept_remote]
        return lines


def record(
    workspace: Workspace,
    share_url: str,
    caches: Caches,
    planned: Planned,
    uploaded: Mapping[str, KnownFile],
) -> None:
    """Save both caches, once: the local MD5s, and the share as it is after the run."""
    localhashes.update(workspace, caches.local, planned.local)
    deleted = set(planned.plan.delete_files)
    after = {p: k for p, k in planned.share.items() if p not in deleted} | dict(uploaded)
    sharestate.update(workspace, share_url, caches.share, dict(sorted(after.items())))
