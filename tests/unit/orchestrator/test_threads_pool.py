"""`orchestrator.threads.Pool`, the executor of listings, HEADs and uploads: results in
order, errors handed to whoever asks, at most N calls at once on reused threads, abandoned
maps cancelled, the `with` block drained, and nothing of `concurrent.futures` imported."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from orchestrator.threads import Cancelled, Pool

WAIT = 30  # seconds a blocked test waits before it fails instead of hanging


def test_map_yields_results_in_the_items_order_when_later_ones_finish_first() -> None:
    last_done = threading.Event()

    def call(i: int) -> int:
        if i == 0:  # the first item finishes only after the last one has
            assert last_done.wait(WAIT)
        if i == 4:
            last_done.set()
        return i * 10

    with Pool(5) as pool:
        assert list(pool.map(call, range(5))) == [0, 10, 20, 30, 40]


def test_result_raises_what_the_call_raised() -> None:
    def fail() -> None:
        raise KeyError("missing")

    with Pool(2) as pool:
        task = pool.submit(fail)
        with pytest.raises(KeyError, match="missing"):
            task.result()


def test_submit_passes_the_arguments() -> None:
    with Pool(1) as pool:
        assert pool.submit(divmod, 17, 5).result() == (3, 2)


def test_up_to_the_limit_of_calls_run_at_once() -> None:
    together = threading.Barrier(3, timeout=WAIT)  # passes only when 3 calls run at once
    with Pool(3) as pool:
        assert sorted(pool.map(lambda _: together.wait(), range(3))) == [0, 1, 2]


def test_no_more_than_the_limit_run_at_once_and_the_threads_are_reused() -> None:
    lock = threading.Lock()
    running, most, names = 0, 0, set()

    def call(_: int) -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            names.add(threading.current_thread().name)
        threading.Event().wait(0.001)  # overlap with the others
        with lock:
            running -= 1

    with Pool(4, "probe") as pool:
        list(pool.map(call, range(200)))
    assert most <= 4
    assert len(names) <= 4
    assert all(name.startswith("probe_") for name in names)


def test_an_abandoned_map_cancels_the_calls_not_yet_started() -> None:
    started, release = threading.Event(), threading.Event()
    ran: list[int] = []

    def call(i: int) -> int:
        ran.append(i)
        if i == 1:  # the one worker is busy with item 1 while the map is abandoned
            started.set()
            assert release.wait(WAIT)
        return i

    with Pool(1) as pool:
        results = pool.map(call, range(5))
        assert next(results) == 0
        assert started.wait(WAIT)
        results.close()  # the caller stops early, as on an error or Ctrl-C
        release.set()
    assert ran == [0, 1]


def test_a_cancelled_task_says_so_and_a_started_one_cannot_be_cancelled() -> None:
    busy, release = threading.Event(), threading.Event()

    def block() -> str:
        busy.set()
        assert release.wait(WAIT)
        return "done"

    with Pool(1) as pool:
        first = pool.submit(block)
        assert busy.wait(WAIT)
        second = pool.submit(str, "never")
        assert not first.cancel()
        assert second.cancel()
        release.set()
        assert first.result() == "done"
        with pytest.raises(Cancelled):
            second.result()


def test_leaving_the_block_lets_every_submitted_call_finish() -> None:
    ran: list[int] = []
    lock = threading.Lock()

    def call(i: int) -> None:
        threading.Event().wait(0.001)
        with lock:
            ran.append(i)

    with Pool(2) as pool:
        for i in range(20):
            pool.submit(call, i)
    assert sorted(ran) == list(range(20))


def test_an_error_in_the_block_still_drains_the_pool() -> None:
    ran: list[int] = []
    with pytest.raises(RuntimeError, match="in the block"), Pool(2) as pool:
        for i in range(10):
            pool.submit(ran.append, i)
        raise RuntimeError("in the block")
    assert sorted(ran) == list(range(10))


def test_a_shut_down_pool_takes_no_more_work() -> None:
    pool = Pool(1)
    pool.shutdown()
    with pytest.raises(RuntimeError, match="shut down"):
        pool.submit(print)


def test_a_pool_needs_a_worker() -> None:
    with pytest.raises(ValueError, match="at least one worker"):
        Pool(0)


def run_fresh(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout.strip()


def test_a_pool_left_open_does_not_keep_the_process_alive() -> None:
    # subprocess.run's timeout fails the test if the idle worker kept the process running
    out = run_fresh(
        "from orchestrator.threads import Pool\n"
        "pool = Pool(2)\n"
        "print(pool.submit(sum, [1, 2]).result())\n"
    )
    assert out == "3"


def test_using_a_pool_imports_neither_concurrent_futures_nor_logging() -> None:
    out = run_fresh(
        "import sys\n"
        "from orchestrator.threads import Pool\n"
        "with Pool(2) as pool:\n"
        "    list(pool.map(abs, [-1, -2]))\n"
        "print(sorted(m for m in ('concurrent.futures', 'logging') if m in sys.modules))\n"
    )
    assert out == "[]"
