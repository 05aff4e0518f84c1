"""Byte ranges: merging, clearing, List Ranges XML and diffs against a snapshot."""

from __future__ import annotations

from localcloud.files import ranges


def test_adding_merges_adjacent_and_overlapping_spans() -> None:
    spans = ranges.add(((0, 511),), 512, 1023)
    assert spans == ((0, 1023),)
    assert ranges.add(spans, 2048, 2559) == ((0, 1023), (2048, 2559))


def test_removing_splits_a_span() -> None:
    assert ranges.remove(((0, 1535),), 512, 1023) == ((0, 511), (1024, 1535))


def test_clip_drops_what_is_past_the_new_size() -> None:
    assert ranges.clip(((0, 511), (1024, 2047)), 1500) == ((0, 511), (1024, 1499))


def test_within_keeps_the_parts_inside_the_window() -> None:
    assert ranges.within(((0, 1535), (2048, 2559)), 1024, 2047) == ((1024, 1535),)


def test_render_lists_ranges_and_cleared_ranges_in_order() -> None:
    body = ranges.render(((1024, 1535),), ((512, 1023),), with_cleared=True).decode()
    assert body == (
        '<?xml version="1.0" encoding="utf-8"?><Ranges>'
        "<ClearRange><Start>512</Start><End>1023</End></ClearRange>"
        "<Range><Start>1024</Start><End>1535</End></Range></Ranges>"
    )


def test_diff_against_a_snapshot_taken_before_any_write() -> None:
    # written 0-1535 after the snapshot, then 512-1023 cleared (the SDK's
    # test_list_ranges_diff expectations)
    written = ((0, 511), (1024, 1535))
    changed, cleared = ranges.diff(written, ((512, 1023),), (), (), lambda lo, hi: False)
    assert (changed, cleared) == (((0, 511), (1024, 1535)), ((512, 1023),))


def test_diff_leaves_out_blocks_whose_bytes_are_unchanged() -> None:
    written = ((0, 511), (1024, 1535))
    changed, cleared = ranges.diff(written, ((512, 1023),), ((0, 1535),), (), lambda lo, hi: True)
    assert (changed, cleared) == ((), ((512, 1023),))
