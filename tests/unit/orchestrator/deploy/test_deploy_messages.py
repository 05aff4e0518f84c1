"""What deploy says about its plan and restart, and which folders it syncs."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator.commands.deploy import answer_lines, no_restart_line, plan_line, restart_line
from orchestrator.deploy.pipeline import (
    RESTART_ALWAYS,
    RESTART_IF_CHANGED,
    RESTART_NEVER,
    should_restart,
    sync_roots,
)
from orchestrator.deploy.rollout import Rollout
from orchestrator.deploy.syncplan import SyncPlan, Upload
from orchestrator.errors import InputError

ROLLOUT = Rollout("app--1", "app--1-abc", 200, 3.0)


def plan(uploads: int = 0, unchanged: int = 3, kept: tuple[str, ...] = ()) -> SyncPlan:
    sent = tuple(
        Upload(f"inference/f{i}.py", 1024 * 1024, b"m" * 16, "new") for i in range(uploads)
    )
    return SyncPlan((), sent, (), (), unchanged, kept)


def test_nothing_to_upload_is_said_plainly() -> None:
    assert plan_line(plan()) == "sync: nothing to upload, 3 files unchanged"


def test_uploads_are_counted_with_their_size_and_kept_extras() -> None:
    line = plan_line(plan(uploads=2, unchanged=1, kept=("inference/old.py",)))
    assert line == "sync: 2 files to upload (2.0 MiB), 1 unchanged, 1 remote extras kept"


def test_a_restart_after_an_unchanged_sync_says_it_restarted_anyway() -> None:
    line = restart_line(plan(), ROLLOUT)
    assert line.startswith("nothing changed on the share; restarted app--1 anyway (--restart)")
    assert restart_line(plan(uploads=1), ROLLOUT) == "restarted app--1; replica app--1-abc is ready"


def test_no_restart_after_uploads_warns_that_the_old_code_still_serves() -> None:
    assert "serves the old code" in no_restart_line(plan(uploads=1), RESTART_NEVER)
    assert no_restart_line(plan(), RESTART_NEVER) == (
        "nothing changed on the share; not restarted (--no-restart)"
    )


def test_an_unchanged_sync_is_not_restarted_unless_restart_is_given() -> None:
    assert not should_restart(RESTART_IF_CHANGED, plan())
    assert should_restart(RESTART_IF_CHANGED, plan(uploads=1))
    assert should_restart(RESTART_ALWAYS, plan())
    assert not should_restart(RESTART_NEVER, plan(uploads=1))
    assert no_restart_line(plan(), RESTART_IF_CHANGED) == (
        "nothing changed on the share; not restarted (--restart restarts anyway)"
    )


def test_a_ready_app_answering_404_at_its_health_url_is_a_warning_not_a_failure() -> None:
    answered = Rollout("app--1", "app--1-abc", 404, 3.0, "https://app.example/")
    [line] = answer_lines(answered)
    assert line.level == "warning"
    assert line.text.startswith("https://app.example/ answered HTTP 404; --health-path PATH")
    assert answer_lines(ROLLOUT) == []


def test_default_folders_that_do_not_exist_are_left_out(tmp_path: Path) -> None:
    (tmp_path / "inference").mkdir()
    assert sync_roots(tmp_path, ()) == ("inference",)


def test_a_named_folder_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    (tmp_path / "inference").mkdir()
    with pytest.raises(InputError, match="--source setup: no such folder"):
        sync_roots(tmp_path, ("inference", "setup"))


def test_no_folder_at_all_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nothing to sync: neither inference/ nor setup/"):
        sync_roots(tmp_path, ())
