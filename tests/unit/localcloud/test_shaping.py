"""Network shaping decisions: the pacer's clock and the values it accepts (no sockets)."""

from __future__ import annotations

import asyncio

import pytest

from localcloud.shaping import BURST_S, Link, Pacer, Shaping, ShapingError, checked


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_uncapped_traffic_never_waits() -> None:
    pacer = Pacer(FakeClock())
    assert pacer.book(10_000_000, 0) == 0.0


def test_bytes_wait_for_their_time_on_the_link() -> None:
    clock = FakeClock()
    pacer = Pacer(clock)
    assert pacer.book(1000, 1000) == pytest.approx(1.0)
    assert pacer.book(500, 1000) == pytest.approx(1.5)  # queued behind the first
    clock.now += 2
    assert pacer.book(100, 1000) == pytest.approx(0.1)  # the link was idle meanwhile


def test_a_chunk_within_the_burst_passes_at_once() -> None:
    pacer = Pacer(FakeClock())
    assert pacer.book(5, 1000) == 0.0
    assert BURST_S > 5 / 1000


def test_kbps_are_kilobits() -> None:
    assert Shaping(bandwidth_kbps=8).bytes_per_second == 1000
    assert Shaping(latency_ms=30).latency_s == pytest.approx(0.03)


@pytest.mark.parametrize("value", [-1, "1", None, True, float("inf"), float("nan")])
def test_checked_refuses_what_is_not_a_finite_number_at_least_zero(value: object) -> None:
    with pytest.raises(ShapingError, match="'latency_ms'"):
        checked("latency_ms", value)


def test_a_link_keeps_the_order_and_reports_when_it_is_busy() -> None:
    async def scenario() -> tuple[list[bytes], list[bool]]:
        delivered: list[bytes] = []
        busy: list[bool] = []
        link = Link(delivered.append, busy.append, lambda: 100_000.0)
        for chunk in (b"a" * 2000, b"b" * 2000, b"c"):
            link.send(chunk)
        assert delivered == [] or delivered == [b"a" * 2000]
        while not link.idle:
            await asyncio.sleep(0.005)
        return delivered, busy

    delivered, busy = asyncio.run(scenario())
    assert delivered == [b"a" * 2000, b"b" * 2000, b"c"]
    assert busy == [True, False]
