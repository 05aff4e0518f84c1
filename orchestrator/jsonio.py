"""Reading and writing the workspace's JSON files.

Reading reports every syntax problem as `FILE:LINE:COLUMN: what`; writing is atomic (temp file
in the same folder, fsync, rename, fsync of the folder), 2-space indented with a trailing
newline, and keeps the key order it is given, so nothing a user wrote is lost or reordered.
"""

from __future__ import annotations

import bisect
import errno
import itertools
import json
import math
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestrator.errors import InputError, Problem

# ARM refuses parameter files and templates over 4 MB; nothing we read should be bigger.
MAX_JSON_BYTES = 4 * 1024 * 1024
# Deeper documents are refused too: every walker over the data may then recurse safely.
MAX_DEPTH = 100


class JsonFileError(InputError):
    """A JSON file that cannot be read or parsed: `FILE[:LINE:COLUMN]: what (expected)`.

    `problem()` turns it into a `Problem` line so that a check can report it together with
    the problems of the other files."""

    def __init__(self, file: str, what: str, expected: str = "", position: str = "") -> None:
        self.file = file
        self.position = position
        self.what = what
        self.expected = expected
        super().__init__(str(self.problem()))

    def problem(self) -> Problem:
        where = f"{self.file}:{self.position}" if self.position else self.file
        return Problem(where, "", self.what, self.expected)


def read_text(path: Path, shown: str | None = None, *, limit: int = MAX_JSON_BYTES) -> str:
    """The text of a UTF-8 file (a BOM is skipped); every problem is a JsonFileError."""
    name = shown or str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise JsonFileError(name, "file not found") from None
    except OSError as exc:
        raise JsonFileError(name, f"cannot read ({_reason(exc)})") from None
    if stat.S_ISDIR(info.st_mode):
        raise JsonFileError(name, "is a directory", "expected a JSON file")
    if not stat.S_ISREG(info.st_mode):
        raise JsonFileError(name, "is not a regular file", "expected a JSON file")
    if info.st_size > limit:
        raise JsonFileError(
            name, f"file is {info.st_size:,} bytes", f"expected at most {limit:,}, the Azure limit"
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise JsonFileError(name, f"cannot read ({_reason(exc)})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        what = f"byte 0x{raw[exc.start]:02x} is not valid UTF-8"
        raise JsonFileError(name, what, "expected a UTF-8 text file", f"{line}:{col}") from None


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    return exc.strerror or type(exc).__name__


class _NotJson(ValueError):
    """Raised while parsing for what Python's json accepts but JSON (and ARM) does not."""


def _no_constants(token: str) -> Any:
    raise _NotJson(f"{token} is not a JSON value")


def finite_float(token: str) -> float:
    """A JSON number as a float; one too big for a double (`1e400`) is refused, not infinity."""
    value = float(token)
    if math.isinf(value):
        raise _NotJson(f"{token} is too large a number")
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _NotJson(f"key {json.dumps(key, ensure_ascii=False)} appears twice in one object")
        out[key] = value
    return out


def parse_json(text: str, shown: str) -> Any:
    """Parse JSON text; errors name `shown` and the line and column."""
    if not text.strip():
        raise JsonFileError(shown, "file is empty", "expected a JSON document", "1:1")
    try:
        data = json.loads(
            text,
            parse_constant=_no_constants,
            parse_float=finite_float,
            object_pairs_hook=_no_duplicates,
        )
    except json.JSONDecodeError as exc:
        raise JsonFileError(shown, exc.msg, position=f"{exc.lineno}:{exc.colno}") from None
    except _NotJson as exc:
        expected = "strict JSON: each key once, no NaN or Infinity"
        raise JsonFileError(shown, str(exc), expected, offence_position(text)) from None
    except RecursionError:
        raise too_deep(shown) from None
    if depth(data) > MAX_DEPTH:
        raise too_deep(shown)
    return data


def too_deep(shown: str) -> JsonFileError:
    return JsonFileError(shown, "JSON nested too deeply", f"expected at most {MAX_DEPTH} levels")


def depth(value: Any) -> int:
    """How deeply arrays and objects nest in `value` (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level + 1)
            stack.extend((child, level + 1) for child in item)
    return deepest


def load_json(path: Path, shown: str | None = None) -> Any:
    """Load a JSON file; any problem is a JsonFileError naming file, line and column."""
    name = shown or str(path)
    return parse_json(read_text(path, name), name)


def load_json_located(path: Path, shown: str | None = None) -> tuple[Any, SourceMap]:
    """`load_json`, and where each value of the document starts (for problem lines)."""
    name = shown or str(path)
    text = read_text(path, name)
    return parse_json(text, name), SourceMap(name, text)


# --- where values are: JSON path -> line:column ------------------------------------------------

JsonPath = tuple[str | int, ...]
_SPACE = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SCALAR = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|true|false|null")


@dataclass(frozen=True)
class SourceMap:
    """Positions of the values of one parsed JSON text, computed when first asked for.

    `where(path)` is `FILE:LINE:COLUMN` of the value at `path` (a key's value for an object
    member), or of its nearest ancestor that exists (a missing key points at its object);
    columns count characters from 1, as the syntax errors do."""

    file: str
    text: str = field(repr=False)
    _offsets: dict[JsonPath, int] = field(default_factory=dict, repr=False, compare=False)
    _lines: list[int] = field(default_factory=list, repr=False, compare=False)

    def where(self, path: Sequence[str | int]) -> str:
        position = self.position(path)
        return f"{self.file}:{position[0]}:{position[1]}" if position else self.file

    def position(self, path: Sequence[str | int]) -> tuple[int, int] | None:
        offsets = self._index()
        parts = tuple(path)
        while parts not in offsets and parts:
            parts = parts[:-1]
        offset = offsets.get(parts)
        if offset is None:
            return None
        line = bisect.bisect_right(self._lines, offset - 1)
        start = self._lines[line - 1] + 1 if line else 0
        return line + 1, offset - start + 1

    def _index(self) -> dict[JsonPath, int]:
        if not self._offsets and self.text.strip():
            self._lines.extend(m.start() for m in re.finditer("\n", self.text))
            try:
                _scan(self.text, 0, (), self._offsets)
            except (ValueError, IndexError, AttributeError, RecursionError):
                self._offsets.clear()  # not valid JSON after all: no positions, no failure
        return self._offsets


class _Offence(ValueError):
    """Where the scan met what strict JSON refuses (a repeated key, NaN, 1e400)."""

    def __init__(self, offset: int) -> None:
        super().__init__(f"not strict JSON at {offset}")
        self.offset = offset


def offence_position(text: str) -> str:
    """`LINE:COLUMN` of the first thing strict JSON refuses in `text` ("" if none is found)."""
    try:
        _scan(text, 0, (), {})
    except _Offence as found:
        line = text.count("\n", 0, found.offset) + 1
        return f"{line}:{found.offset - text.rfind(chr(10), 0, found.offset)}"
    except (ValueError, IndexError, RecursionError):
        return ""
    return ""


def _skip(text: str, pos: int) -> int:
    found = _SPACE.match(text, pos)
    return found.end() if found else pos


def _scan(text: str, pos: int, path: JsonPath, out: dict[JsonPath, int]) -> int:
    """Record where the value at `pos` (and each value inside it) starts; return its end."""
    pos = _skip(text, pos)
    out[path] = pos
    opener = text[pos]
    if opener not in "[{":
        found = (_STRING if opener == '"' else _SCALAR).match(text, pos)
        if found is None or (opener not in '"tfn' and math.isinf(float(found.group()))):
            raise _Offence(pos)  # NaN, Infinity, a number too large: what parse_json refuses
        return found.end()
    closer, index = ("]" if opener == "[" else "}"), 0
    pos = _skip(text, pos + 1)
    while text[pos] != closer:
        key: str | int = index
        if opener == "{":
            name = _STRING.match(text, pos)
            if name is None:
                raise ValueError(f"no object key at {pos}")
            key = json.loads(name.group())
            if (*path, key) in out:
                raise _Offence(pos)  # the key's second appearance in this object
            pos = _skip(text, name.end()) + 1  # past the ':'
        pos = _skip(text, _scan(text, pos, (*path, key), out))
        pos = _skip(text, pos + 1) if text[pos] == "," else pos
        index += 1
    return pos + 1


def dumps(data: Any) -> str:
    """The one JSON text format of every file the tool writes."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` so that a crash leaves either the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = _new_file_beside(path)
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


# What tempfile.mkstemp opens with: a new file (never an existing one, never through a
# symlink), mode 0600, bytes as written (no newline translation on Windows).
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
_NEW_FILE |= getattr(os, "O_BINARY", 0)
_temp_names = itertools.count()


def _new_file_beside(path: Path) -> tuple[int, str]:
    """A new, empty file next to `path`, as `tempfile.mkstemp` makes one (whose import,
    random and shutil included, costs a command that writes a few files more than the
    writes): named by process and a counter, the next name tried when one is taken."""
    for _ in range(100):
        name = os.path.join(path.parent, f".{path.name}.{os.getpid()}.{next(_temp_names)}.tmp")
        try:
            return os.open(name, _NEW_FILE, 0o600), name
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(path.parent))


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
