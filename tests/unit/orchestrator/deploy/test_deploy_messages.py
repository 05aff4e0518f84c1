"""What deploy says about its plan and restart, and which folders it syncs."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator.commands.deploy import no_restart_line, plan_line, restart_line
from orchestrator.deploy.pipeline import Rollout, sync_roots
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
    assert line.startswith("nothing changed on the share; restarted app--1 anyway")
    assert "(--no-restart skips this)" in line
    assert restart_line(plan(uploads=1), ROLLOUT) == "restarted app--1; replica app--1-abc is ready"


def test_no_restart_after_uploads_warns_that_the_old_code_still_serves() -> None:
    assert "serves the old code" in no_restart_line(plan(uploads=1))
    assert no_restart_line(plan()) == "nothing changed on the share; not restarted (--no-restart)"


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
