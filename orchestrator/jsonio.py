"""Reading and writing the workspace's JSON files.

Reading reports every syntax problem as `FILE:LINE:COLUMN: what`; writing is atomic (temp file
in the same folder, fsync, rename, fsync of the folder), 2-space indented with a trailing
newline, and keeps the key order it is given, so nothing a user wrote is lost or reordered.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from orchestrator.errors import InputError

# ARM refuses parameter files and templates over 4 MB; nothing we read should be bigger.
MAX_JSON_BYTES = 4 * 1024 * 1024


def display_path(path: Path, root: Path | None = None) -> str:
    """The path as the user should see it: relative to the workspace when inside it."""
    if root is not None:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return str(path)


def read_text(path: Path, shown: str | None = None, *, limit: int = MAX_JSON_BYTES) -> str:
    name = shown or str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(f"{name}: file not found") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror})") from exc
    if path.is_dir():
        raise InputError(f"{name}: is a directory (expected a JSON file)")
    if size > limit:
        raise InputError(
            f"{name}: file is {size:,} bytes (expected at most {limit:,}, the Azure limit)"
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror})") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            f"{name}:{line}:{col}: byte 0x{raw[exc.start]:02x} is not valid UTF-8 "
            "(expected a UTF-8 text file)"
        ) from None


def parse_json(text: str, shown: str) -> Any:
    if not text.strip():
        raise InputError(f"{shown}:1:1: file is empty (expected a JSON document)")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{shown}:{exc.lineno}:{exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise InputError(f"{shown}: JSON nested too deeply") from None


def load_json(path: Path, shown: str | None = None) -> Any:
    """Load a JSON file; any problem is an InputError naming file, line and column."""
    name = shown or str(path)
    return parse_json(read_text(path, name), name)


def dumps(data: Any) -> str:
    """The one JSON text format of every file the tool writes."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` so that a crash leaves either the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with _suppress_oserror():
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def write_json_atomic(path: Path, data: Any) -> None:
    write_atomic(path, dumps(data))


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class _suppress_oserror:
    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: object, exc: object, tb: object) -> bool:
        return isinstance(exc, OSError)
