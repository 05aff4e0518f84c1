"""Byte ranges of a file (pure): the ranges written, the ranges cleared, List Ranges XML.

Ranges are `(start, end)` pairs, inclusive, sorted, merged. A file's record keeps the
ranges holding written data and the ranges cleared since creation, so List Ranges answers
what was written, and a diff against a share snapshot can tell changed data from cleared
data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

Span = tuple[int, int]
Spans = tuple[Span, ...]
BLOCK = 512


def merged(spans: Iterable[Span]) -> Spans:
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return tuple(out)


def add(spans: Spans, start: int, end: int) -> Spans:
    return merged([*spans, (start, end)])


def remove(spans: Spans, start: int, end: int) -> Spans:
    out: list[Span] = []
    for s, e in spans:
        if e < start or s > end:
            out.append((s, e))
            continue
        if s < start:
            out.append((s, start - 1))
        if e > end:
            out.append((end + 1, e))
    return tuple(out)


def clip(spans: Spans, size: int) -> Spans:
    return remove(spans, size, max(size, spans[-1][1])) if spans else spans


def within(spans: Spans, start: int, end: int) -> Spans:
    """The parts of `spans` inside `[start, end]`."""
    return tuple((max(s, start), min(e, end)) for s, e in spans if e >= start and s <= end)


def covers(spans: Spans, start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def diff(
    written: Spans,
    cleared: Spans,
    before_written: Spans,
    before_cleared: Spans,
    same_bytes: Callable[[int, int], bool],
) -> tuple[Spans, Spans]:
    """(changed, cleared) since a snapshot, in 512-byte blocks: a written block is changed
    unless the snapshot held the same bytes there as data; a cleared block counts unless the
    snapshot had it cleared already."""
    changed: list[Span] = []
    for s, e in written:
        for block_start in range(s - s % BLOCK, e + 1, BLOCK):
            lo, hi = max(s, block_start), min(e, block_start + BLOCK - 1)
            if not (covers(before_written, lo, hi) and same_bytes(lo, hi)):
                changed.append((lo, hi))
    gone = cleared
    for s, e in before_cleared:
        gone = remove(gone, s, e)
    return merged(changed), gone


def page(spans: Spans, after: int, limit: int | None) -> tuple[Spans, int | None]:
    """The spans starting at or after byte `after`, at most `limit` of them, and where the
    next page starts (None on the last page)."""
    rest = tuple(span for span in spans if span[0] >= after)
    if limit is None or len(rest) <= limit:
        return rest, None
    return rest[:limit], rest[limit][0]


def render(
    changed: Spans, cleared: Spans = (), with_cleared: bool = False, next_marker: str = ""
) -> bytes:
    items = [(s, e, "Range") for s, e in changed]
    if with_cleared:
        items += [(s, e, "ClearRange") for s, e in cleared]
    body = "".join(
        f"<{tag}><Start>{s}</Start><End>{e}</End></{tag}>" for s, e, tag in sorted(items)
    )
    if next_marker:
        body += f"<NextMarker>{next_marker}</NextMarker>"
    return f'<?xml version="1.0" encoding="utf-8"?><Ranges>{body}</Ranges>'.encode()
