"""Golden exchange files: loading, and the allowlist of kept divergences (pure but for reading).

One JSON file per exchange, `golden/<area>/<name>.json`:

    {"source":   {"repo", "commit", "path", "interaction"},
     "setup":    [step, ...],                       optional, run first
     "request":  {"method", "path", "query"?, "headers"?, "body"?, "auth"?},
     "response": {"status", "headers"?, "body"?},
     "flow":     {...},                             optional, see harness.py
     "notes":    "what this exchange shows"}

The allowlist (`allowlist.json`) maps "<area>/<name>: <where>" to the reason the divergence
is kept; `<where>` is a `Divergence.where` (`status`, `header.Location`,
`body.properties.encryption`, `poll.final.body.status`, ...).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fid_compare import Divergence

HERE = Path(__file__).parent
GOLDEN_DIR = HERE / "golden"
ALLOWLIST_FILE = HERE / "allowlist.json"
_HEX40 = re.compile(r"^[0-9a-f]{40}$")
_SOURCE_REPOS = (
    "Azure/azure-cli",
    "Azure/azure-dev",
    "Azure/azure-sdk-assets",
    "Azure/azure-rest-api-specs",  # spec examples, marked as such in "notes"
)


class GoldenFileError(ValueError):
    pass


@dataclass(frozen=True)
class Exchange:
    area: str
    name: str
    path: Path
    source: Mapping[str, Any]
    setup: tuple[Mapping[str, Any], ...]
    request: Mapping[str, Any]
    response: Mapping[str, Any]
    flow: Mapping[str, Any] = field(default_factory=dict)
    notes: str = ""

    @property
    def id(self) -> str:
        return f"{self.area}/{self.name}"


def load_exchange(path: Path, root: Path) -> Exchange:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise GoldenFileError(f"{path}: {e}") from e
    rel = path.relative_to(root)
    if len(rel.parts) != 2:
        raise GoldenFileError(f"{path}: golden files live in golden/<area>/<name>.json")
    problems = check_shape(doc)
    if problems:
        raise GoldenFileError(f"{path}: " + "; ".join(problems))
    return Exchange(
        area=rel.parts[0],
        name=path.stem,
        path=path,
        source=doc["source"],
        setup=tuple(doc.get("setup") or ()),
        request=doc["request"],
        response=doc["response"],
        flow=doc.get("flow") or {},
        notes=str(doc.get("notes", "")),
    )


def check_shape(doc: Any) -> list[str]:
    """What is wrong with a golden document's shape (empty when it is well formed)."""
    if not isinstance(doc, dict):
        return ["not a JSON object"]
    problems = [f"missing '{k}'" for k in ("source", "request", "response") if k not in doc]
    source = doc.get("source")
    if isinstance(source, dict):
        if source.get("repo") not in _SOURCE_REPOS:
            problems.append(f"source.repo must be one of {', '.join(_SOURCE_REPOS)}")
        if not _HEX40.match(str(source.get("commit", ""))):
            problems.append("source.commit must be 40 hex digits")
        if not source.get("path"):
            problems.append("source.path is empty")
        if "interaction" not in source:
            problems.append("source.interaction is missing")
    elif source is not None:
        problems.append("source must be an object")
    for key in ("request", *(f"setup[{i}]" for i in range(len(doc.get("setup") or ())))):
        step = doc["request"] if key == "request" else doc["setup"][int(key[6:-1])]
        if not isinstance(step, dict) or not step.get("method") or not step.get("path"):
            problems.append(f"{key} needs 'method' and 'path'")
    response = doc.get("response")
    if not isinstance(response, dict) or not isinstance(response.get("status"), int):
        problems.append("response.status must be an integer")
    unknown = set(doc) - {"source", "setup", "request", "response", "flow", "notes"}
    if unknown:
        problems.append(f"unknown keys {sorted(unknown)}")
    return problems


def exchange_paths(root: Path) -> list[Path]:
    return sorted(root.glob("*/*.json"))


def exchange_id(path: Path, root: Path) -> str:
    rel = path.relative_to(root)
    return f"{rel.parts[0]}/{path.stem}" if len(rel.parts) == 2 else str(rel)


def load_exchanges(root: Path) -> list[Exchange]:
    return [load_exchange(p, root) for p in exchange_paths(root)]


@dataclass(frozen=True)
class Verdict:
    """Divergences of one exchange sorted against the allowlist."""

    unexpected: tuple[Divergence, ...]
    allowed: tuple[Divergence, ...]
    stale: tuple[str, ...]  # allowlist entries of this exchange that no longer occur

    @property
    def ok(self) -> bool:
        return not self.unexpected and not self.stale

    def report(self, exchange_id: str) -> str:
        lines = [f"{exchange_id}:"]
        lines += [f"  diverges  {d}" for d in self.unexpected]
        lines += [
            f"  allowlisted '{exchange_id}: {w}' no longer diverges: remove it" for w in self.stale
        ]
        return "\n".join(lines)


def load_allowlist(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    doc = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in doc.items()
    ):
        raise GoldenFileError(f"{path}: must map '<area>/<name>: <where>' to a non-empty reason")
    return doc


def judge(
    exchange_id: str, divergences: Sequence[Divergence], allowlist: Mapping[str, str]
) -> Verdict:
    prefix = exchange_id + ": "
    listed = {k[len(prefix) :] for k in allowlist if k.startswith(prefix)}
    seen = {d.where for d in divergences}
    return Verdict(
        unexpected=tuple(d for d in divergences if d.where not in listed),
        allowed=tuple(d for d in divergences if d.where in listed),
        stale=tuple(sorted(listed - seen)),
    )
