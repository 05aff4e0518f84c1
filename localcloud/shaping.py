"""Network shaping: a bandwidth cap per connection, in both directions (the latency per
request is added by the dispatcher, see dispatch.py).

Off by default. Set with `localcloud serve/start --latency-ms N --bandwidth-kbps N` or
`POST /_localcloud/settings {"latency_ms": N, "bandwidth_kbps": N}` (kilobits per second,
1 kbps = 1000 bit/s). The cap is read on every chunk, so a change applies to open
connections at once.

How the cap works: every connection of the main port is served through `ShapedProtocol`,
which wraps aiohttp's request handler. Each chunk received or sent books `bytes / rate`
seconds on its direction's clock (`Pacer`) and is handed on when that time has passed
(`Link`), as on a slow link. Meanwhile reading from the socket is paused (the sender then
blocks on TCP flow control) or aiohttp's writer waits in `drain()`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

BURST_S = 0.01  # a direction may run this far ahead of its clock before it is paused


@dataclass(frozen=True)
class Shaping:
    latency_ms: float = 0.0
    bandwidth_kbps: float = 0.0

    @property
    def bytes_per_second(self) -> float:
        return self.bandwidth_kbps * 1000 / 8

    @property
    def latency_s(self) -> float:
        return self.latency_ms / 1000


class ShapingError(ValueError):
    """A shaping value that is not a number >= 0 (the message names it)."""


def checked(name: str, value: object) -> float:
    """`value` as a float >= 0, or `ShapingError` naming the setting (pure)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not value >= 0:
        raise ShapingError(f"'{name}' must be a number >= 0 (0 turns it off)")
    if value == float("inf"):
        raise ShapingError(f"'{name}' must be finite")
    return float(value)


class Pacer:
    """The clock of one direction: when the bytes booked so far have crossed the link."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.free_at = 0.0

    def book(self, n: int, rate: float) -> float:
        """Seconds until `n` more bytes have crossed a link of `rate` B/s (0 when within
        `BURST_S`, or when uncapped)."""
        now = self._clock()
        if rate <= 0:
            self.free_at = now
            return 0.0
        self.free_at = max(self.free_at, now) + n / rate
        ahead = self.free_at - now
        return ahead if ahead > BURST_S else 0.0


class Link:
    """One direction of one connection: chunks leave at the pace of the cap, in order.

    A chunk is handed on when its last byte would have crossed a link of `rate` B/s (or at
    once when uncapped and nothing waits); `on_busy(True/False)` tells the caller to stop /
    resume feeding it.
    """

    def __init__(
        self,
        deliver: Callable[[bytes], None],
        on_busy: Callable[[bool], None],
        rate: Callable[[], float],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._deliver = deliver
        self._on_busy = on_busy
        self._rate = rate
        self._clock = clock
        self._pacer = Pacer(clock)
        self._queue: list[bytes] = []
        self._timer: asyncio.TimerHandle | None = None
        self.closed = False

    @property
    def idle(self) -> bool:
        return not self._queue

    def send(self, data: bytes) -> None:
        if self.closed:
            return
        delay = self._pacer.book(len(data), self._rate())
        if not delay and not self._queue:
            self._deliver(data)
            return
        self._queue.append(data)
        if self._timer is None:
            self._on_busy(True)
            self._timer = asyncio.get_running_loop().call_later(delay, self._release)

    def flush(self) -> None:
        """Hand on everything at once (the connection is going away)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        queued, self._queue = self._queue, []
        for chunk in queued:
            self._deliver(chunk)

    def _release(self) -> None:
        self._timer = None
        if self.closed or not self._queue:
            return
        self._deliver(self._queue.pop(0))
        if self._queue:
            wait = max(0.0, self._pacer.free_at - self._clock())
            self._timer = asyncio.get_running_loop().call_later(wait, self._release)
        else:
            self._on_busy(False)


class ShapedTransport(asyncio.Transport):
    """The real transport; every write goes through the outgoing `Link`."""

    def __init__(self, inner: asyncio.Transport, owner: ShapedProtocol) -> None:
        super().__init__()
        self._inner = inner
        self._owner = owner
        self._closing = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._owner.unshaped():
            self._inner.write(data)
        else:
            self._owner.outgoing.send(bytes(data))

    def writelines(self, list_of_data: Iterable[bytes | bytearray | memoryview]) -> None:
        if self._owner.unshaped():
            self._inner.writelines(list_of_data)
        else:
            self._owner.outgoing.send(b"".join(bytes(chunk) for chunk in list_of_data))

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._inner.get_extra_info(name, default)

    def is_closing(self) -> bool:
        return self._closing or self._inner.is_closing()

    def close(self) -> None:
        self._closing = True
        if self._owner.outgoing.idle:
            self._inner.close()
        else:
            self._owner.close_when_sent = True

    def abort(self) -> None:
        self._closing = True
        self._owner.outgoing.closed = True
        self._inner.abort()

    def is_reading(self) -> bool:
        return self._inner.is_reading()

    def pause_reading(self) -> None:
        self._owner.app_paused_reading = True
        self._inner.pause_reading()

    def resume_reading(self) -> None:
        self._owner.app_paused_reading = False
        if self._owner.incoming.idle:
            self._inner.resume_reading()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self._inner.set_write_buffer_limits(high, low)

    def get_write_buffer_size(self) -> int:
        return self._inner.get_write_buffer_size()

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self._inner.get_write_buffer_limits()

    def can_write_eof(self) -> bool:
        return self._inner.can_write_eof()

    def write_eof(self) -> None:
        self._owner.outgoing.flush()
        self._inner.write_eof()

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._inner.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._inner.get_protocol()


class ShapedProtocol(asyncio.Protocol):
    """Wraps aiohttp's request handler for one connection and paces its bytes both ways."""

    def __init__(self, inner: asyncio.Protocol, shaping: Callable[[], Shaping]) -> None:
        self._inner = inner
        self._shaping = shaping
        self._transport: asyncio.Transport | None = None
        self._paused_by_transport = False
        self._paused_by_link = False
        self.app_paused_reading = False
        self.close_when_sent = False
        self.incoming = Link(self._inner.data_received, self._incoming_busy, self._rate)
        self.outgoing = Link(self._write, self._outgoing_busy, self._rate)

    def _rate(self) -> float:
        return self._shaping().bytes_per_second

    def unshaped(self) -> bool:
        """No cap and nothing queued: writes go straight to the socket."""
        return self._rate() <= 0 and self.outgoing.idle

    # -- asyncio.Protocol -------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._inner.connection_made(ShapedTransport(transport, self))

    def data_received(self, data: bytes) -> None:
        self.incoming.send(data)

    def eof_received(self) -> bool | None:
        self.incoming.flush()
        return self._inner.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self.outgoing.closed = True
        self.incoming.flush()
        self._inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self._paused_by_transport = True
        if not self._paused_by_link:
            self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._paused_by_transport = False
        if not self._paused_by_link:
            self._inner.resume_writing()

    # -- the links --------------------------------------------------------------------------
    def _write(self, data: bytes) -> None:
        transport = self._transport
        if transport is None or transport.is_closing():
            return
        transport.write(data)
        if self.close_when_sent and self.outgoing.idle:
            transport.close()

    def _outgoing_busy(self, busy: bool) -> None:
        self._paused_by_link = busy
        if self._paused_by_transport:
            return
        if busy:
            self._inner.pause_writing()
        else:
            self._inner.resume_writing()

    def _incoming_busy(self, busy: bool) -> None:
        transport = self._transport
        if transport is None or transport.is_closing():
            return
        if busy:
            transport.pause_reading()
        elif not self.app_paused_reading:
            transport.resume_reading()


def shaped_factory(
    inner: Callable[[], asyncio.Protocol], shaping: Callable[[], Shaping]
) -> Callable[[], asyncio.Protocol]:
    """A protocol factory for `loop.create_server` serving `inner`'s handlers, shaped."""

    def build() -> asyncio.Protocol:
        return ShapedProtocol(inner(), shaping)

    return build
