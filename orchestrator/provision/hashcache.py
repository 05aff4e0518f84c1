"""ARM template hashes remembered in the workspace, so a no-change provision sends no POST.

`calculateTemplateHash` is a pure function of the template on a given cloud, so its answer
is kept in `.orchestrator/template-hashes.json`, keyed by the cloud's ARM endpoint and the
SHA-256 of the template's canonical JSON. The cache is only an optimisation: one that cannot
be read is ignored and one that cannot be written is skipped (the next run asks ARM again).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from orchestrator.jsonio import write_json_atomic
from orchestrator.workspace import Workspace

CACHE_FILE = "template-hashes.json"
KEEP = 16  # entries kept (newest last); a workspace sees few templates


def cache_key(endpoint: str, template: Mapping[str, Any]) -> str:
    """`<endpoint>|<sha256 of the template's canonical JSON>` (pure)."""
    canonical = json.dumps(template, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{endpoint.rstrip('/').lower()}|{digest}"


def lookup(doc: object, key: str) -> str | None:
    """The cached hash for `key` in a loaded cache document, None when absent (pure)."""
    if not isinstance(doc, dict):
        return None
    value = doc.get(key)
    return value if isinstance(value, str) and value else None


def remember(doc: object, key: str, value: str, keep: int = KEEP) -> dict[str, str]:
    """The cache document with `key` set (moved to the end) and only the newest `keep` (pure)."""
    old = {k: v for k, v in doc.items() if isinstance(v, str)} if isinstance(doc, dict) else {}
    old.pop(key, None)
    old[key] = value
    return dict(list(old.items())[-keep:])


def template_hash(
    workspace: Workspace,
    endpoint: str,
    template: Mapping[str, Any],
    calculate: Callable[[], str],
) -> str:
    """The template's ARM hash: from the cache when known, else `calculate()` (and cached)."""
    path = workspace.state_dir / CACHE_FILE
    key = cache_key(endpoint, template)
    try:
        doc: object = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        doc = {}
    cached = lookup(doc, key)
    if cached is not None:
        return cached
    value = calculate()
    if value:
        try:
            workspace.ensure_state_dir()
            write_json_atomic(path, remember(doc, key, value))
        except OSError:
            pass
    return value
