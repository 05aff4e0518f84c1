"""The share folder on disk, reached without ever leaving it.

Every operation walks from the share root one component at a time with
`O_DIRECTORY | O_NOFOLLOW` and acts relative to the parent's descriptor, so neither `..`
nor a symlink planted inside the share (a running app mounts it) can lead outside. Symlinks
and special files are invisible: they are not listed and read as missing.

Errors are the builtin OS errors plus `ParentMissing`; callers translate them.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from localcloud.files.props import DiskState

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_MISSING = (errno.ENOENT, errno.ENOTDIR, errno.ELOOP)
_CHUNK = 1 << 20


class ParentMissing(Exception):
    """A directory on the way to the item does not exist (or is not a directory)."""


class ShareFs:
    def __init__(self, root: Path) -> None:
        self.root = root

    def exists(self) -> bool:
        return self.root.is_dir() and not self.root.is_symlink()

    def resolve(self, parts: tuple[str, ...]) -> tuple[str, ...]:
        """`parts` spelled as on disk. Azure Files names are case-insensitive and
        case-preserving: `README.md` is found as `readme.md`, and creating `readme.md`
        replaces it under its first name. Components that do not exist stay as given."""
        resolved: list[str] = []
        fd = os.open(self.root, _DIR_FLAGS)
        try:
            for index, name in enumerate(parts):
                resolved.append(_lookup(fd, name))
                if index == len(parts) - 1:
                    break
                try:
                    next_fd = os.open(resolved[-1], _DIR_FLAGS, dir_fd=fd)
                except OSError as error:
                    if error.errno not in _MISSING:
                        raise
                    return (*resolved, *parts[index + 1 :])
                os.close(fd)
                fd = next_fd
        finally:
            os.close(fd)
        return tuple(resolved)

    def stat(self, parts: tuple[str, ...]) -> DiskState | None:
        """The item's state; None when it is missing, a symlink or not a file/directory."""
        if not parts:
            return _disk_state(os.stat(self.root))
        with self._parent(parts) as fd:
            try:
                st = os.stat(parts[-1], dir_fd=fd, follow_symlinks=False)
            except OSError as error:
                if error.errno in _MISSING:
                    return None
                raise
        return _disk_state(st)

    def listdir(self, parts: tuple[str, ...]) -> list[tuple[str, DiskState]]:
        with self._dir(parts) as fd:
            return _entries(fd)

    def scan(self, parts: tuple[str, ...]) -> tuple[DiskState, list[tuple[str, DiskState]]] | None:
        """The directory's own state and its entries (as `listdir`), opening the path once;
        None when it is missing or not a directory (ParentMissing as `stat`)."""
        if not parts:
            root = self.stat(())
            if root is None or not root.is_dir:
                return None
            try:
                return root, self.listdir(())
            except FileNotFoundError:
                return None
        with self._parent(parts) as parent_fd:
            try:
                fd = os.open(parts[-1], _DIR_FLAGS, dir_fd=parent_fd)
            except OSError as error:
                if error.errno in _MISSING:  # a file, symlink or special file is ENOTDIR/ELOOP
                    return None
                raise
        try:
            state = _disk_state(os.fstat(fd))
            assert state is not None, "opened with O_DIRECTORY"
            return state, _entries(fd)
        finally:
            os.close(fd)

    def usage(self) -> int:
        """Bytes held by the share's regular files (symlinks and special files not counted)."""
        total = 0
        for folder, _, names in os.walk(self.root):
            for name in names:
                st = os.stat(os.path.join(folder, name), follow_symlinks=False)
                if stat.S_ISREG(st.st_mode):
                    total += st.st_size
        return total

    def mkdir(self, parts: tuple[str, ...]) -> None:
        with self._parent(parts) as fd:
            os.mkdir(parts[-1], dir_fd=fd)

    def rmdir(self, parts: tuple[str, ...]) -> None:
        with self._parent(parts) as fd:
            os.rmdir(parts[-1], dir_fd=fd)

    def rename(self, source: tuple[str, ...], target: tuple[str, ...]) -> None:
        """Move `source` to `target` inside the share (a file replaces a file there)."""
        with self._parent(source) as src_fd, self._parent(target) as dst_fd:
            st = os.stat(source[-1], dir_fd=src_fd, follow_symlinks=False)
            if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
                raise FileNotFoundError(errno.ENOENT, "not a file or directory", source[-1])
            os.rename(source[-1], target[-1], src_dir_fd=src_fd, dst_dir_fd=dst_fd)

    def unlink(self, parts: tuple[str, ...]) -> None:
        with self._parent(parts) as fd:
            os.unlink(parts[-1], dir_fd=fd)

    def create(self, parts: tuple[str, ...], size: int) -> None:
        """Create or replace the file with `size` zero bytes (sparse where the disk allows)."""
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
        with self._parent(parts) as fd, _opened(parts[-1], flags, fd) as file_fd:
            os.ftruncate(file_fd, size)

    def truncate(self, parts: tuple[str, ...], size: int) -> None:
        with self._parent(parts) as fd, _opened(parts[-1], os.O_WRONLY | os.O_NOFOLLOW, fd) as f:
            os.ftruncate(f, size)

    def write(self, parts: tuple[str, ...], offset: int, data: bytes) -> None:
        with self._parent(parts) as fd, _opened(parts[-1], os.O_WRONLY | os.O_NOFOLLOW, fd) as f:
            view = memoryview(data)
            while view:
                written = os.pwrite(f, view, offset)
                view, offset = view[written:], offset + written

    def write_zeros(self, parts: tuple[str, ...], offset: int, length: int) -> None:
        with self._parent(parts) as fd, _opened(parts[-1], os.O_WRONLY | os.O_NOFOLLOW, fd) as f:
            while length > 0:
                size = min(length, _CHUNK)
                os.pwrite(f, bytes(size), offset)
                offset, length = offset + size, length - size

    def read(self, parts: tuple[str, ...], offset: int, length: int) -> bytes:
        with self._parent(parts) as fd, _opened(parts[-1], os.O_RDONLY | os.O_NOFOLLOW, fd) as f:
            chunks = []
            while length > 0:
                chunk = os.pread(f, min(length, _CHUNK), offset)
                if not chunk:
                    break
                chunks.append(chunk)
                offset, length = offset + len(chunk), length - len(chunk)
            return b"".join(chunks)

    @contextmanager
    def _parent(self, parts: tuple[str, ...]) -> Iterator[int]:
        """The descriptor of the directory holding `parts[-1]`."""
        with self._dir(parts[:-1], parent_of_target=True) as fd:
            yield fd

    @contextmanager
    def _dir(self, parts: tuple[str, ...], parent_of_target: bool = False) -> Iterator[int]:
        fd = os.open(self.root, _DIR_FLAGS)
        try:
            for name in parts:
                try:
                    next_fd = os.open(name, _DIR_FLAGS, dir_fd=fd)
                except OSError as error:
                    if error.errno not in _MISSING:
                        raise
                    if parent_of_target:
                        raise ParentMissing(name) from error
                    raise FileNotFoundError(errno.ENOENT, "no such directory", name) from error
                os.close(fd)
                fd = next_fd
            yield fd
        finally:
            os.close(fd)


@contextmanager
def _opened(name: str, flags: int, dir_fd: int) -> Iterator[int]:
    # O_NONBLOCK: opening a FIFO someone planted in the share must not hang the server.
    flags |= os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(name, flags, 0o644, dir_fd=dir_fd)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise IsADirectoryError(errno.EISDIR, "not a regular file", name)
        yield fd
    finally:
        os.close(fd)


def _lookup(dir_fd: int, name: str) -> str:
    """The entry of `dir_fd` named `name`, compared case-insensitively when no exact match."""
    try:
        os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        return name
    except OSError as error:
        if error.errno not in _MISSING:
            raise
    folded = _fold(name)
    return next((entry for entry in os.listdir(dir_fd) if _fold(entry) == folded), name)


def _fold(name: str) -> str:
    """Upper-case one character at a time, as Windows compares names (no `ß` -> `SS`)."""
    upper = name.upper()
    if len(upper) == len(name):  # no character grew, so it is the same, and much faster
        return upper
    return "".join(c.upper() if len(c.upper()) == 1 else c for c in name)


def _entries(fd: int) -> list[tuple[str, DiskState]]:
    """The files and directories in the directory `fd` (symlinks and special files left out)."""
    with os.scandir(fd) as entries:
        found = []
        for entry in entries:
            state = _disk_state(entry.stat(follow_symlinks=False))
            if state is not None:
                found.append((entry.name, state))
        return found


def _disk_state(st: os.stat_result) -> DiskState | None:
    if stat.S_ISDIR(st.st_mode):
        is_dir = True
    elif stat.S_ISREG(st.st_mode):
        is_dir = False
    else:
        return None
    return DiskState(is_dir, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
