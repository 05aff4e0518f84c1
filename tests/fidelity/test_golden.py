"""Every golden exchange replayed against localcloud: what diverges from the recorded Azure
answer fails, unless the allowlist keeps it with a reason; an allowlisted divergence that
no longer occurs fails too, so the list stays true."""

from __future__ import annotations

from pathlib import Path

import pytest
from fid_exchange import (
    ALLOWLIST_FILE,
    GOLDEN_DIR,
    exchange_id,
    exchange_paths,
    judge,
    load_allowlist,
    load_exchange,
)
from harness import Replayer

PATHS = exchange_paths(GOLDEN_DIR)


@pytest.mark.parametrize("path", PATHS, ids=[exchange_id(p, GOLDEN_DIR) for p in PATHS])
def test_exchange_answers_as_azure_recorded(
    path: Path, replayer: Replayer, allowlist: dict[str, str]
) -> None:
    exchange = load_exchange(path, GOLDEN_DIR)
    verdict = judge(exchange.id, replayer.run(exchange), allowlist)
    assert verdict.ok, verdict.report(exchange.id)


def test_every_allowlist_entry_names_an_existing_exchange() -> None:
    known = {exchange_id(p, GOLDEN_DIR) for p in PATHS}
    orphans = [k for k in load_allowlist(ALLOWLIST_FILE) if k.partition(": ")[0] not in known]
    assert orphans == []
