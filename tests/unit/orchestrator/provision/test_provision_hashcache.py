"""Template hashes cached in the workspace: keys, lookups, bounded size, ARM asked once."""

from __future__ import annotations

import json
from pathlib import Path

from orchestrator.provision.hashcache import CACHE_FILE, cache_key, lookup, remember, template_hash
from orchestrator.workspace import Workspace

TEMPLATE = {"resources": [], "$schema": "x", "contentVersion": "1.0.0.0"}
ENDPOINT = "https://management.azure.com"


def test_key_ignores_key_order_but_not_content_or_cloud() -> None:
    reordered = dict(reversed(list(TEMPLATE.items())))
    assert cache_key(ENDPOINT, TEMPLATE) == cache_key(ENDPOINT + "/", reordered)
    assert cache_key(ENDPOINT, TEMPLATE) != cache_key(ENDPOINT, TEMPLATE | {"outputs": {}})
    assert cache_key(ENDPOINT, TEMPLATE) != cache_key("https://127.0.0.1:4443", TEMPLATE)


def test_lookup_tolerates_a_malformed_document() -> None:
    assert lookup({"k": "h1"}, "k") == "h1"
    assert lookup({"k": 3}, "k") is None
    assert lookup(["k"], "k") is None
    assert lookup({}, "k") is None


def test_remember_keeps_only_the_newest_entries() -> None:
    doc: dict[str, str] = {}
    for i in range(5):
        doc = remember(doc, f"k{i}", f"h{i}", keep=3)
    assert list(doc) == ["k2", "k3", "k4"]
    assert list(remember(doc, "k2", "h2", keep=3)) == ["k3", "k4", "k2"]


def test_arm_is_asked_once_per_template_then_the_cache_answers(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    calls: list[str] = []

    def calculate() -> str:
        calls.append("post")
        return "16499"

    assert template_hash(workspace, ENDPOINT, TEMPLATE, calculate) == "16499"
    assert template_hash(workspace, ENDPOINT, TEMPLATE, calculate) == "16499"
    assert calls == ["post"]
    changed = TEMPLATE | {"outputs": {}}
    template_hash(workspace, ENDPOINT, changed, calculate)
    assert calls == ["post", "post"]


def test_an_unreadable_cache_is_ignored_and_replaced(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    workspace.ensure_state_dir()
    (workspace.state_dir / CACHE_FILE).write_text("{not json")
    assert template_hash(workspace, ENDPOINT, TEMPLATE, lambda: "77") == "77"
    doc = json.loads((workspace.state_dir / CACHE_FILE).read_text())
    assert list(doc.values()) == ["77"]


def test_an_empty_answer_is_not_cached(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    assert template_hash(workspace, ENDPOINT, TEMPLATE, lambda: "") == ""
    assert not (workspace.state_dir / CACHE_FILE).exists()
