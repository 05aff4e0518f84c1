"""The sync before a run: what the job reads goes to the file share (`layout.py` decides
which folders and where), through the deploy sync's planner → executor → recorder
(`orchestrator/deploy/syncrun.py`): the same scan, listing, MD5 decisions and parallel
uploads, with local paths mapped to the run's share paths (`dataset/` →
`<run_id>/dataset/` for Phi Silica / Aion) and `<method>.yaml` uploaded with `<run_id>`
filled in. Nothing is ever deleted, and nothing under `models/`, `model-cache/` or `cache/`
is written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from orchestrator.deploy import localhashes, sharestate, syncrun
from orchestrator.deploy.localtree import load_ignore, scan
from orchestrator.deploy.share import Share, fetch_properties, list_remote
from orchestrator.deploy.syncplan import (
    KnownFile,
    LocalFile,
    RemoteFile,
    known_md5s,
    needs_md5,
    plan_sync,
    remember,
)
from orchestrator.errors import InputError
from orchestrator.events import Event
from orchestrator.finetune import layout
from orchestrator.finetune.layout import RunLayout
from orchestrator.workspace import Workspace

RENDERED_DIR = "finetune-runs"  # under .orchestrator/: the run files with <run_id> filled in


@dataclass(frozen=True)
class Mapped:
    """The local side of a run's sync, in share paths, and where each file is read from."""

    files: tuple[LocalFile, ...]
    dirs: tuple[str, ...]
    sources: Mapping[str, Path]  # share path → local file
    skipped: tuple[str, ...]
    hashes: Mapping[str, localhashes.Hashed]  # by local path (the cache's keys)


def render_run_files(workspace: Workspace, run: RunLayout) -> dict[str, Path]:
    """Each run file with `<run_id>` filled in, written under `.orchestrator/`; share path →
    the rendered file."""
    out: dict[str, Path] = {}
    for item in run.rendered:
        try:
            text = item.local.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(
                f"{workspace.shown(item.local)}: cannot read ({exc.strerror})"
            ) from None
        target = workspace.ensure_state_dir() / RENDERED_DIR / item.remote
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(layout.render(text, run.run_id or ""), encoding="utf-8")
        out[item.remote] = target
    return out


def map_local(workspace: Workspace, run: RunLayout, caches: syncrun.Caches) -> Mapped:
    root = workspace.root
    ignore = load_ignore(root / syncrun.IGNORE_FILE)
    tree = scan(root, run.sources, ignore, dict(caches.local))
    files = [LocalFile(run.remote(f.path), f.size, f.md5) for f in tree.files]
    sources = {run.remote(f.path): root / f.path for f in tree.files}
    dirs = [run.remote(d) for d in tree.dirs]
    for remote, path in render_run_files(workspace, run).items():
        files.append(_describe(remote, path))
        sources[remote] = path
        dirs.append(str(PurePosixPath(remote).parent))
    if not files:
        raise InputError(
            f"nothing to sync: {', '.join(s + '/' for s in run.sources)} hold no files in {root}"
        )
    return Mapped(tuple(files), tuple(dict.fromkeys(dirs)), sources, tree.skipped, tree.hashes)


def _describe(remote: str, path: Path) -> LocalFile:
    import hashlib

    data = path.read_bytes()
    return LocalFile(remote, len(data), hashlib.md5(data, usedforsecurity=False).digest())


def top_roots(roots: tuple[str, ...]) -> tuple[str, ...]:
    """The roots with none inside another (each folder is listed once)."""
    return tuple(r for r in roots if not any(r.startswith(o + "/") for o in roots if o != r))


def plan(workspace: Workspace, share: Share, run: RunLayout, caches: syncrun.Caches) -> Planned:
    """Scan, list, HEAD what must be HEADed, decide (never a deletion). Reads only (apart
    from rendering the run files under `.orchestrator/`)."""
    local = map_local(workspace, run, caches)
    roots = top_roots(run.share_roots)
    remote = list_remote(share, roots)
    sizes = {f.path: f.size for f in remote.files}
    wanted = needs_md5(local.files, sizes)
    md5s = known_md5s(wanted, remote.files, caches.share)
    heads = fetch_properties(share, [p for p in wanted if p not in md5s])
    md5s.update({path: entry.md5 for path, entry in heads.items()})
    remote_files = [RemoteFile(f.path, f.size, md5s.get(f.path)) for f in remote.files]
    decided = plan_sync(local.files, local.dirs, remote_files, remote.dirs, roots, delete=False)
    touched = [u.path for u in decided.uploads if layout.is_never_synced(u.path)]
    if touched:
        raise InputError(f"{touched[0]}: a run never writes models/, model-cache/ or cache/")
    learned = remember(caches.share, remote.files, heads)
    planned = syncrun.Planned(decided, local.skipped, local.hashes, learned)
    return Planned(planned, local.sources, roots)


@dataclass(frozen=True)
class Planned:
    sync: syncrun.Planned
    sources: Mapping[str, Path]
    roots: tuple[str, ...]


def execute(
    share: Share,
    workspace: Workspace,
    planned: Planned,
    show: Callable[[Event], None],
    verbose: bool,
) -> dict[str, KnownFile]:
    executor = syncrun.LiveExecutor(
        share, workspace, show, verbose, locate=lambda path: planned.sources[path]
    )
    return executor.run(planned.sync.plan)


def record(
    workspace: Workspace,
    share_url: str,
    caches: syncrun.Caches,
    planned: Planned,
    uploaded: Mapping[str, KnownFile],
) -> None:
    """Both caches, keeping what other syncs (the inference deploy) recorded elsewhere."""
    mine_local = tuple(p.split("/", 1)[0] for p in planned.sync.local) or ()
    local = {k: v for k, v in caches.local.items() if k.split("/", 1)[0] not in mine_local}
    localhashes.update(workspace, caches.local, local | dict(planned.sync.local))
    others = {
        p: k
        for p, k in caches.share.items()
        if not any(p == r or p.startswith(r + "/") for r in planned.roots)
    }
    after = others | dict(planned.sync.share) | dict(uploaded)
    sharestate.update(workspace, share_url, caches.share, dict(sorted(after.items())))
