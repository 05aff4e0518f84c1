"""Schema checks, and other pure checks, remembered in the workspace, so that a document which
passed its schema once is not checked again - and jsonschema, the slowest import of `deploy`
and `provision`, is not imported at all while the documents stay the same.

A pass is kept in `.orchestrator/schema-checks.json` under the SHA-256 of the checker (the
installed jsonschema and this package's schema code), the schema and the document exactly as
checked (both as canonical JSON). Another pure check (`SchemaChecks.pure_problems`, e.g. the
template lint of `provision`) is kept the same way under its name, its code files (told by
their sizes and times, found without importing them) and its inputs, so that a check which
passed before over the same inputs needs none of its code imported. Only passes are kept: a
document with problems is checked every time, so its problem lines stay exact. The steps of
one command share the run's checks of a workspace (`for_run`), and the passes are saved only
when the command succeeded (`save_run`, called by the command runner), so a refused command
changes no file. The cache is only an optimisation: one that cannot be read is ignored and one
that cannot be written is skipped.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from orchestrator import schemas
from orchestrator.errors import Problem
from orchestrator.jsonio import write_json_atomic
from orchestrator.workspace import Workspace

if TYPE_CHECKING:
    from orchestrator.jsonio import SourceMap

CACHE_FILE = "schema-checks.json"
KEEP = 64  # entries kept (newest last): a few versions of each checked document
PASSED = "passed"


def is_plain_json(value: Any) -> bool:
    """Whether `value` is JSON data as parsed: objects with string keys, arrays (lists, not
    tuples, which a schema does not take for arrays), strings, numbers, booleans, null (pure)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if not all(isinstance(key, str) for key in item):
                return False
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif item is not None and not isinstance(item, (str, int, float)):
            return False
    return True


def check_key(checker: str, *inputs: Any) -> str | None:
    """SHA-256 of the checker and the canonical JSON of the check's inputs (a schema and a
    document, or a pure check's inputs); None when one is not plain JSON data, so nothing is
    remembered for it (pure)."""
    if not all(is_plain_json(value) for value in inputs):
        return None
    text = json.dumps([checker, *inputs], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def lookup(doc: object, key: str) -> bool:
    """Whether a loaded cache document records `key` as passed (pure)."""
    return isinstance(doc, dict) and doc.get(key) == PASSED


def remember(doc: object, key: str, keep: int = KEEP) -> dict[str, str]:
    """The cache document with `key` recorded (moved to the end), only the newest `keep` (pure)."""
    old = {k: v for k, v in doc.items() if v == PASSED} if isinstance(doc, dict) else {}
    old.pop(key, None)
    old[key] = PASSED
    return dict(list(old.items())[-keep:])


@functools.cache
def checker_identity() -> str:
    """What a check's outcome depends on besides schema and document: the installed jsonschema
    and `orchestrator.schemas`, told by their files' sizes and times (nothing is imported)."""
    from importlib.machinery import PathFinder  # loaded at start-up; importlib.util is not

    spec = PathFinder.find_spec("jsonschema")
    origin = spec.origin if spec is not None and spec.origin else ""
    return ";".join(_signature(path) for path in (origin, schemas.__file__ or ""))


def code_identity(check: str, code: Sequence[str]) -> str:
    """What a pure check's outcome depends on besides its inputs: its name and its code files,
    told by their sizes and times (nothing is imported)."""
    return ";".join([check, *(_signature(path) for path in code)])


def _signature(path: str) -> str:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return f"{path}:absent"
    return f"{path}:{info.st_size}:{info.st_mtime_ns}"


class SchemaChecks:
    """`schemas.schema_problems` and other pure checks (`pure_problems`), skipping the checks
    that passed before in `workspace` (None: every check runs and nothing is remembered). The
    passes of this run are kept by `save`, which a command calls once all its checks passed."""

    def __init__(self, workspace: Workspace | None) -> None:
        self.workspace = workspace
        self._remembered: object = None  # the cache as read at the first check
        self._passed: list[str] = []  # passes of this run, not yet saved

    def problems(
        self,
        schema: Mapping[str, Any],
        document: Any,
        file: str,
        prefix: Sequence[str | int] = (),
        *,
        source_map: SourceMap | None = None,
        secret: bool = False,
    ) -> list[Problem]:
        key = None if self.workspace is None else check_key(checker_identity(), schema, document)
        return self._unless_passed(
            key,
            lambda: schemas.schema_problems(
                schema, document, file, prefix, source_map=source_map, secret=secret
            ),
        )

    def pure_problems(
        self,
        check: str,
        code: Sequence[str],
        inputs: Sequence[Any],
        run: Callable[[], list[Problem]],
    ) -> list[Problem]:
        """`run()`: the problems of the pure check named `check`, whose outcome is decided by
        the files `code` and the JSON data `inputs` alone. When it passed before over the same
        inputs with the same code, it does not run (so `run` should import its code itself)."""
        key = None
        if self.workspace is not None:
            key = check_key(code_identity(check, code), *inputs)
        return self._unless_passed(key, run)

    def save(self) -> None:
        """Keep the passes of this run (a cache that cannot be written is skipped)."""
        if self.workspace is None or not self._passed:
            return
        doc = read_cache(self.workspace)
        for key in self._passed:
            doc = remember(doc, key)
        self._passed.clear()
        try:
            self.workspace.ensure_state_dir()
            write_json_atomic(self.workspace.state_dir / CACHE_FILE, doc)
        except OSError:
            pass

    def _unless_passed(self, key: str | None, run: Callable[[], list[Problem]]) -> list[Problem]:
        """No problems when `key` passed before; else `run()`, and a pass is kept for `save`
        (a None key: run, and remember nothing)."""
        if key is not None and lookup(self._cache(), key):
            return []
        found = run()
        if key is not None and not found:
            self._passed.append(key)
        return found

    def _cache(self) -> object:
        if self._remembered is None and self.workspace is not None:
            self._remembered = read_cache(self.workspace)
        return self._remembered


def read_cache(workspace: Workspace) -> object:
    """The cache document as stored; {} when it cannot be read or parsed."""
    try:
        text = (workspace.state_dir / CACHE_FILE).read_text(encoding="utf-8")
        doc: object = json.loads(text)
    except (OSError, ValueError, RecursionError):
        return {}
    return doc


EVERY_TIME = SchemaChecks(None)
_THIS_RUN: dict[Workspace, SchemaChecks] = {}


def for_run(workspace: Workspace) -> SchemaChecks:
    """The checks of `workspace` in this run: one per workspace, shared by the command's steps."""
    return _THIS_RUN.setdefault(workspace, SchemaChecks(workspace))


def save_run() -> None:
    """Keep the passes of this run (the command succeeded)."""
    for checks in _THIS_RUN.values():
        checks.save()
