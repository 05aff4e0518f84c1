"""Read the local folders to sync: which files, their sizes and MD5s.

A file whose stat stamp matches a remembered MD5 (`localhashes.py`) is not read again; the
tree reports the MD5s worth remembering for next time.

Skipped always: `__pycache__`, `.git`, virtual environments (any folder holding `pyvenv.cfg`,
and `.venv`), and whatever the ignore file (gitignore syntax) names. Symlinks are followed
only when they stay inside their source folder; one pointing outside is skipped and
reported, never followed. A symlink that loops - to itself, or to a folder that contains it
(`a/up -> ..`) - is skipped and reported the same way, like `find -L` does, so the rest of the
folder still syncs; so is an entry that cannot be read. A line of the ignore file that is not
a valid pattern (`build\\`, `[z-a]`, a lone `!`) is an error naming the file and line: a
pattern meant to keep a file off the share must not be silently dropped.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
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
_POSITION = re.compile(r" at position [0-9]+")


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
                f"--source {source!r}: expected a folder inside the workspace "
                "(relative, without '..')"
            )
        first = pure.parts[0]
        if first in PROTECTED_ROOTS:
            raise InputError(
                f"--source {source!r}: {first}/ holds the fine-tuned model on the share "
                "and is never synced"
            )
        out.append(pure.as_posix().rstrip("/"))
    return tuple(dict.fromkeys(out))


def load_ignore(path: Path | None, shown: str = "") -> pathspec.GitIgnoreSpec | None:
    """The ignore file's patterns (None when there is no file); an unreadable file or a bad
    line is an InputError naming the file (and line)."""
    if path is None or not os.path.lexists(path):
        return None
    import pathspec

    shown = shown or path.name
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except (OSError, RuntimeError) as exc:
        reason = getattr(exc, "strerror", None) or "symbolic link loop"
        raise InputError(f"{shown}: cannot read ({reason})") from None
    lines = [line.removesuffix("\r") for line in text.split("\n")]  # numbered as editors do
    for number, line in enumerate(lines, start=1):
        _check_ignore_line(shown, number, line)
    return pathspec.GitIgnoreSpec.from_lines(lines)


def _check_ignore_line(shown: str, number: int, line: str) -> None:
    import pathspec

    try:
        pathspec.GitIgnoreSpec.from_lines([line])
    except (ValueError, re.error) as exc:  # GitIgnorePatternError is a ValueError
        reason = _POSITION.sub("", str(exc)).strip()
        if reason.startswith("Invalid git pattern"):
            reason = "git does not accept it"
        raise InputError(
            f"{shown}:{number}: {line!r} is not a valid ignore pattern ({reason})",
            hint="ignore lines use .gitignore syntax: escape a trailing backslash as "
            "'\\\\', write ranges low-high ('[a-z]'), and give '!' a pattern",
        ) from None


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


FolderId = tuple[int, int]  # (st_dev, st_ino): the same folder under any name


@dataclass(frozen=True)
class _Folder:
    path: str
    rel: str
    ancestors: frozenset[FolderId]  # this folder and the ones above it on the way down


def _walk(base: Path, prefix: str, skipped: list[str]) -> Iterator[tuple[str, str, bool]]:
    """Yield (share path, local path, is_dir), depth first, sorted, safely: a folder that is
    already on the way down (a symlink loop) is reported in `skipped`, not entered again."""
    limit = base.resolve()
    stack = [_Folder(str(base), prefix, frozenset({_folder_id(base.stat())}))]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder.path), key=lambda e: e.name)
        except OSError as exc:
            skipped.append(f"{folder.rel}/: cannot read ({exc.strerror})")
            continue
        children: list[_Folder] = []
        for entry in entries:
            rel = f"{folder.rel}/{entry.name}"
            kind, reason = _classify(entry, limit, folder.ancestors)
            if reason and reason != "always":
                skipped.append(f"{rel}: {reason}")
            if kind == "dir":
                yield rel, entry.path, True
                ancestors = folder.ancestors | {_folder_id(entry.stat())}
                children.append(_Folder(entry.path, rel, ancestors))
            elif kind == "file":
                yield rel, entry.path, False
        stack.extend(reversed(children))


def _folder_id(info: os.stat_result) -> FolderId:
    return info.st_dev, info.st_ino


def _classify(
    entry: os.DirEntry[str], limit: Path, ancestors: frozenset[FolderId]
) -> tuple[str, str]:
    """("dir" | "file" | "skip", why it is skipped - "always" for the silent skips)."""
    try:
        return _classify_entry(entry, limit, ancestors)
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop (pathlib)
        if isinstance(exc, RuntimeError) or exc.errno == errno.ELOOP:
            return "skip", "symlink loop; not followed"
        if isinstance(exc, FileNotFoundError):
            return "skip", "symlink to a missing target; not followed"
        return "skip", f"cannot read ({exc.strerror or type(exc).__name__})"


def _classify_entry(
    entry: os.DirEntry[str], limit: Path, ancestors: frozenset[FolderId]
) -> tuple[str, str]:
    if entry.name in ALWAYS_SKIPPED:
        return "skip", "always"
    if not INVALID_CHARS.isdisjoint(entry.name) or entry.name in (".", ".."):
        return "skip", 'name not allowed on Azure Files (no " \\ : | < > * ? or control characters)'
    if entry.is_symlink():
        target = Path(entry.path).resolve(strict=True)
        if target != limit and limit not in target.parents:
            return "skip", f"symlink to {target} points outside the source folder; not followed"
    if entry.is_dir(follow_symlinks=True):
        if _folder_id(entry.stat()) in ancestors:
            return "skip", "symlink to a folder that contains it (a loop); not followed"
        if os.path.exists(os.path.join(entry.path, "pyvenv.cfg")):
            return "skip", "always"
        return "dir", ""
    if entry.is_file(follow_symlinks=True):
        return "file", ""
    return "skip", "always"  # sockets, fifos, devices: nothing to upload


def _describe(rel: str, full: str, known: Hashed | None) -> tuple[LocalFile, Hashed | None]:
    """The file, and its MD5 with the stamp it belongs to (None if it changed while read)."""
    if known is not None:
        md5 = reusable(known, Stamp.of(os.stat(full)))
        if md5 is not None:
            return LocalFile(path=rel, size=known.stamp.size, md5=md5), known
    with open(full, "rb") as fh:
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
