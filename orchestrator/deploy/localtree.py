"""Read the local folders to sync: which files, their sizes and MD5s.

A file whose stat stamp matches a remembered MD5 (`localhashes.py`) is not read again; the
tree reports the MD5s worth remembering for next time.

Skipped always: `__pycache__`, `.git`, virtual environments (any folder holding `pyvenv.cfg`,
and `.venv`), and whatever the ignore file (gitignore syntax) names. Symlinks are followed
only when they stay inside their source folder; one pointing outside is skipped and
reported, never followed.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from orchestrator.deploy.localhashes import Hashed, Stamp, recordable, reusable
from orchestrator.deploy.syncplan import PROTECTED_ROOTS, LocalFile
from orchestrator.errors import InputError

if TYPE_CHECKING:
    import pathspec

ALWAYS_SKIPPED = frozenset({"__pycache__", ".git", ".venv", ".mypy_cache", ".pytest_cache"})
# Characters Azure Files refuses in names.
INVALID_CHARS = frozenset('"\\:|<>*?') | {chr(c) for c in range(0x20)}
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class LocalTree:
    files: tuple[LocalFile, ...]
    dirs: tuple[str, ...]
    skipped: tuple[str, ...]  # what was left out and why, one line each
    hashes: Mapping[str, Hashed] = field(default_factory=dict)  # MD5s to remember


def check_sources(root: Path, sources: Sequence[str]) -> tuple[str, ...]:
    """Normalise `--source` folders to POSIX paths inside the workspace, refusing escapes."""
    out: list[str] = []
    for source in sources:
        pure = PurePosixPath(source.replace("\\", "/"))
        if pure.is_absolute() or ".." in pure.parts or not pure.parts:
            raise InputError(
                f"--source '{source}': expected a folder inside the workspace "
                "(relative, without '..')"
            )
        first = pure.parts[0]
        if first in PROTECTED_ROOTS:
            raise InputError(
                f"--source '{source}': {first}/ holds the fine-tuned model on the share "
                "and is never synced"
            )
        out.append(pure.as_posix().rstrip("/"))
    return tuple(dict.fromkeys(out))


def load_ignore(path: Path | None) -> pathspec.GitIgnoreSpec | None:
    if path is None or not path.is_file():
        return None
    import pathspec

    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return pathspec.GitIgnoreSpec.from_lines(lines)


def scan(
    root: Path,
    sources: Sequence[str],
    ignore: pathspec.GitIgnoreSpec | None,
    known: Mapping[str, Hashed] | None = None,
) -> LocalTree:
    """The files and folders to sync; MD5s in `known` are reused where the stamp matches."""
    files: list[LocalFile] = []
    dirs: list[str] = []
    skipped: list[str] = []
    hashes: dict[str, Hashed] = {}
    started_ns = time.time_ns()
    for source in sources:
        base = root / source
        if not base.is_dir():
            skipped.append(f"{source}/: not a folder here, nothing to sync")
            continue
        dirs.append(source)
        for rel, full, is_dir in _walk(base, source, skipped):
            if ignore is not None and ignore.match_file(rel + ("/" if is_dir else "")):
                continue
            if is_dir:
                dirs.append(rel)
                continue
            described, hashed = _describe(rel, full, (known or {}).get(rel))
            files.append(described)
            if hashed is not None and recordable(hashed.stamp, started_ns):
                hashes[rel] = hashed
    return LocalTree(tuple(files), tuple(dirs), tuple(skipped), hashes)


def _walk(base: Path, prefix: str, skipped: list[str]) -> Iterator[tuple[str, Path, bool]]:
    """Yield (share path, local path, is_dir), depth first, sorted, safely."""
    limit = base.resolve()
    stack = [(base, prefix)]
    while stack:
        folder, rel_folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            skipped.append(f"{rel_folder}/: cannot read ({exc.strerror})")
            continue
        children: list[tuple[Path, str]] = []
        for entry in entries:
            rel = f"{rel_folder}/{entry.name}"
            reason = _skip_reason(entry, limit)
            if reason:
                if reason != "always":
                    skipped.append(f"{rel}: {reason}")
                continue
            if entry.is_dir(follow_symlinks=True):
                yield rel, Path(entry.path), True
                children.append((Path(entry.path), rel))
            elif entry.is_file(follow_symlinks=True):
                yield rel, Path(entry.path), False
        stack.extend(reversed(children))


def _skip_reason(entry: os.DirEntry[str], limit: Path) -> str:
    if entry.name in ALWAYS_SKIPPED:
        return "always"
    if any(ch in INVALID_CHARS for ch in entry.name) or entry.name in (".", ".."):
        return 'name not allowed on Azure Files (no " \\ : | < > * ? or control characters)'
    if entry.is_symlink():
        target = Path(entry.path).resolve()
        if target != limit and limit not in target.parents:
            return f"symlink to {target} points outside the source folder; not followed"
    if entry.is_dir(follow_symlinks=True) and (Path(entry.path) / "pyvenv.cfg").exists():
        return "always"
    return ""


def _describe(rel: str, full: Path, known: Hashed | None) -> tuple[LocalFile, Hashed | None]:
    """The file, and its MD5 with the stamp it belongs to (None if it changed while read)."""
    if known is not None:
        md5 = reusable(known, Stamp.of(os.stat(full)))
        if md5 is not None:
            return LocalFile(path=rel, size=known.stamp.size, md5=md5), known
    with full.open("rb") as fh:
        stamp = Stamp.of(os.fstat(fh.fileno()))
        digest = hashlib.md5(usedforsecurity=False)
        size = 0
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
        after = Stamp.of(os.fstat(fh.fileno()))
    described = LocalFile(path=rel, size=size, md5=digest.digest())
    steady = after == stamp and size == stamp.size
    return described, Hashed(stamp, described.md5) if steady else None
