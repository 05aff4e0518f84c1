"""Schema checks remembered in the workspace: keys, bounded size, only passes kept, the same
problems with or without the cache, and a cache that cannot be read or written ignored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from orchestrator.parameters import FinalParameters
from orchestrator.schemacache import (
    CACHE_FILE,
    EVERY_TIME,
    KEEP,
    SchemaChecks,
    check_key,
    checker_identity,
    for_run,
    lookup,
    remember,
    save_run,
)
from orchestrator.schemas import INFERENCE_CONFIG, load_schema
from orchestrator.validation import check_config, check_parameter_values
from orchestrator.workspace import Workspace

SCHEMA = {"type": "object", "properties": {"n": {"type": "integer", "maximum": 5}}}
GOOD = {"n": 3}
BAD = {"n": 9}
TOO_BIG = "f.json: n: is 9 (limit 5) (an integer)"
CONFIG = {
    "SUBSCRIPTION_ID": "00000000-0000-0000-0000-000000000000",
    "RESOURCE_GROUP_NAME": "myRg",
    "STORAGE_ACCOUNT_NAME": "aistoragejs26o",
    "FILE_SHARE_NAME": "aifilesharejs26o",
    "ACA_APP_NAME": "aiacaappjs26o",
    "ACA_APP_ENDPOINT": "aiacaappjs26o.happyocean-1234.eastus.azurecontainerapps.io",
}


def cached(workspace: Workspace) -> Any:
    return json.loads((workspace.state_dir / CACHE_FILE).read_text())


def lines(problems: list[Any]) -> list[str]:
    return [str(p) for p in problems]


def test_key_ignores_key_order_but_not_content_types_schema_or_checker() -> None:
    key = check_key("c", SCHEMA, {"a": 1, "b": [True, None]})
    assert key == check_key("c", dict(reversed(list(SCHEMA.items()))), {"b": [True, None], "a": 1})
    assert key != check_key("c", SCHEMA, {"a": 1.0, "b": [True, None]})
    assert key != check_key("c", SCHEMA, {"a": True, "b": [True, None]})
    assert key != check_key("c", SCHEMA | {"required": ["a"]}, {"a": 1, "b": [True, None]})
    assert key != check_key("other", SCHEMA, {"a": 1, "b": [True, None]})


def test_no_key_for_what_is_not_plain_json_data() -> None:
    assert check_key("c", SCHEMA, {"n": (1, 2)}) is None  # a tuple is not a JSON array
    assert check_key("c", SCHEMA, {1: "x"}) is None
    assert check_key("c", SCHEMA, {"n": object()}) is None


def test_the_checker_is_told_by_the_installed_files() -> None:
    assert "jsonschema" in checker_identity()
    assert "absent" not in checker_identity()


def test_lookup_tolerates_a_malformed_document() -> None:
    assert lookup({"k": "passed"}, "k")
    assert not lookup({"k": "failed"}, "k")
    assert not lookup(["k"], "k")
    assert not lookup({}, "k")


def test_remember_keeps_only_the_newest_entries() -> None:
    doc: dict[str, str] = {"junk": "x"}  # not a pass: dropped
    for i in range(5):
        doc = remember(doc, f"k{i}", keep=3)
    assert list(doc) == ["k2", "k3", "k4"]
    assert list(remember(doc, "k2", keep=3)) == ["k3", "k4", "k2"]


def checked_and_saved(workspace: Workspace, *documents: Any) -> list[list[str]]:
    """Check each document against SCHEMA in one run, then save that run's passes."""
    checks = SchemaChecks(workspace)
    said = [lines(checks.problems(SCHEMA, doc, "f.json")) for doc in documents]
    checks.save()
    return said


def test_a_pass_is_kept_and_then_answers_without_checking(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    assert checked_and_saved(workspace, GOOD) == [[]]
    key = check_key(checker_identity(), SCHEMA, GOOD)
    assert cached(workspace) == {key: "passed"}
    assert (workspace.state_dir / ".gitignore").is_file()
    # A pass recorded for a document that has problems is believed: nothing was checked.
    bad_key = check_key(checker_identity(), SCHEMA, BAD)
    assert bad_key is not None
    (workspace.state_dir / CACHE_FILE).write_text(json.dumps({bad_key: "passed"}))
    assert checked_and_saved(workspace, BAD) == [[]]


def test_passes_are_kept_only_when_the_run_saves_them(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    refused = SchemaChecks(workspace)
    assert refused.problems(SCHEMA, GOOD, "f.json") == []
    assert refused.problems(SCHEMA, BAD, "f.json") != []  # the command stops here: no save
    assert not workspace.state_dir.exists()
    assert checked_and_saved(workspace, GOOD) == [[]]
    before = (workspace.state_dir / CACHE_FILE).stat().st_mtime_ns
    assert checked_and_saved(workspace, GOOD) == [[]]  # nothing new: nothing written
    assert (workspace.state_dir / CACHE_FILE).stat().st_mtime_ns == before


def test_a_changed_document_is_checked_again(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    assert checked_and_saved(workspace, GOOD) == [[]]
    assert checked_and_saved(workspace, BAD, {"n": 4}) == [[TOO_BIG], []]
    assert len(cached(workspace)) == 2


def test_a_document_with_problems_is_never_recorded_and_keeps_failing(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    first = checked_and_saved(workspace, BAD)
    assert first == [[TOO_BIG]]
    assert checked_and_saved(workspace, BAD) == first
    assert [lines(EVERY_TIME.problems(SCHEMA, BAD, "f.json"))] == first
    assert not (workspace.state_dir / CACHE_FILE).exists()


def test_only_the_newest_passes_are_kept(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    for n in range(KEEP + 6):
        checks = SchemaChecks(workspace)
        assert checks.problems({"type": "integer"}, n, "f.json") == []
        checks.save()
    doc = cached(workspace)
    assert len(doc) == KEEP
    assert list(doc)[-1] == check_key(checker_identity(), {"type": "integer"}, KEEP + 5)


def test_a_corrupt_cache_is_ignored_and_replaced(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    workspace.ensure_state_dir()
    for junk in ("{not json", "[1, 2]", '{"k": 3}', "[" * 100_000, "\udcff"):
        (workspace.state_dir / CACHE_FILE).write_text(junk, errors="surrogateescape")
        assert checked_and_saved(workspace, BAD, GOOD) == [[TOO_BIG], []]
        assert list(cached(workspace).values()) == ["passed"]


def test_an_unwritable_workspace_still_checks(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    workspace.state_dir.write_text("a file where the tool's folder would be")
    assert checked_and_saved(workspace, GOOD, BAD) == [[], [TOO_BIG]]
    assert checked_and_saved(workspace, GOOD, BAD) == [[], [TOO_BIG]]
    assert workspace.state_dir.read_text() == "a file where the tool's folder would be"


def test_checking_every_time_writes_nothing(tmp_path: Path) -> None:
    assert EVERY_TIME.problems(SCHEMA, GOOD, "f.json") == []
    EVERY_TIME.save()
    assert list(tmp_path.iterdir()) == []


def test_the_config_check_says_the_same_with_the_cache(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    wrong = CONFIG | {"SUBSCRIPTION_ID": 7}
    expected = check_config(wrong, "c.json", require_complete=True)
    assert expected
    for _ in range(2):
        checks = SchemaChecks(workspace)
        assert check_config(CONFIG, "c.json", require_complete=True, checks=checks) == []
        assert check_config(wrong, "c.json", require_complete=True, checks=checks) == expected
        checks.save()
    key = check_key(checker_identity(), load_schema(INFERENCE_CONFIG), CONFIG)
    assert list(cached(workspace)) == [key]


def test_secret_values_are_checked_but_never_recorded(tmp_path: Path) -> None:
    template = {
        "parameters": {
            "token": {"type": "securestring"},
            "note": {"type": "string"},
        }
    }
    final = FinalParameters(
        values={"token": "hunter2", "note": "key s3cr3t-from-env"},
        source="p.json",
        secrets=frozenset({"s3cr3t-from-env"}),
    )
    checks = SchemaChecks(Workspace(tmp_path))
    assert check_parameter_values(final, template, checks) == []
    checks.save()
    assert not (tmp_path / ".orchestrator" / CACHE_FILE).exists()
    plain = FinalParameters(values={"token": "hunter2", "note": "plain"}, source="p.json")
    assert check_parameter_values(plain, template, checks) == []
    checks.save()
    assert len(cached(Workspace(tmp_path))) == 1


def test_the_steps_of_a_run_share_its_checks_and_the_run_saves_them(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "ws")
    checks = for_run(workspace)
    assert for_run(Workspace(tmp_path / "ws")) is checks
    assert for_run(Workspace(tmp_path / "other")) is not checks
    assert checks.problems(SCHEMA, GOOD, "f.json") == []
    assert not workspace.state_dir.exists()
    save_run()
    assert cached(workspace) == {check_key(checker_identity(), SCHEMA, GOOD): "passed"}
