"""Process groups left by a crashed localcloud are killed at the next startup."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from runtime_harness import alive

from localcloud.runtime.ledger import Ledger, group_members

pytestmark = pytest.mark.functional


def test_leftover_groups_of_a_previous_run_are_killed(tmp_path: Path) -> None:
    path = tmp_path / "processes.json"
    leader = subprocess.Popen(
        ["/bin/bash", "-c", "sleep 300 & sleep 300; wait"], start_new_session=True
    )
    try:
        first_run = Ledger(path)
        first_run.add(leader.pid)
        first_run.add(os.getpid())  # recorded, but then "replaced" below
        doc = path.read_text().replace(f'"{os.getpid()}": "', f'"{os.getpid()}": "1')
        path.write_text(doc)  # a different start time: the pid now belongs to someone else
        time.sleep(0.2)
        killed = Ledger(path).reap_leftovers()
        assert killed == [leader.pid]
        leader.wait(timeout=10)
        time.sleep(0.2)
        assert group_members(leader.pid) == []  # zombies aside: pid 1 may not reap here
        assert alive(os.getpid())
    finally:
        if leader.poll() is None:
            os.killpg(leader.pid, 9)
