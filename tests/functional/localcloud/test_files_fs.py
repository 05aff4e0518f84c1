"""The share folder walker on a real temp folder: symlinks and special files are invisible,
nothing is reached outside the share, names resolve case-insensitively."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from localcloud.files.fs import ParentMissing, ShareFs


@pytest.fixture
def fs(tmp_path: Path) -> ShareFs:
    root = tmp_path / "share"
    root.mkdir()
    (root / "dir").mkdir()
    (root / "dir" / "File.txt").write_bytes(b"0123456789")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("s")
    (root / "dirlink").symlink_to(outside)
    (root / "filelink").symlink_to(outside / "secret")
    os.mkfifo(root / "fifo")
    return ShareFs(root)


def test_listing_shows_only_regular_files_and_directories(fs: ShareFs) -> None:
    assert [name for name, _ in fs.listdir(())] == ["dir"]


def test_scan_gives_the_directory_state_and_entries_as_stat_and_listdir_do(fs: ShareFs) -> None:
    for parts in [(), ("dir",)]:
        assert fs.scan(parts) == (fs.stat(parts), fs.listdir(parts))


def test_scan_of_a_file_symlink_fifo_or_missing_name_is_none(fs: ShareFs) -> None:
    for parts in [("dir", "File.txt"), ("dirlink",), ("filelink",), ("fifo",), ("nope",)]:
        assert fs.scan(parts) is None
    with pytest.raises(ParentMissing):
        fs.scan(("dirlink", "secret"))
    with pytest.raises(ParentMissing):
        fs.scan(("nope", "deeper"))


def test_symlinks_and_fifos_read_as_missing(fs: ShareFs) -> None:
    assert fs.stat(("filelink",)) is None
    assert fs.stat(("fifo",)) is None
    with pytest.raises(ParentMissing):
        fs.stat(("dirlink", "secret"))
    with pytest.raises(OSError):
        fs.read(("filelink",), 0, 1)
    with pytest.raises(OSError):
        fs.read(("fifo",), 0, 1)  # refused at once, no hang


def test_writes_never_follow_symlinks(fs: ShareFs, tmp_path: Path) -> None:
    with pytest.raises(OSError):
        fs.create(("filelink",), 3)
    with pytest.raises(ParentMissing):
        fs.create(("dirlink", "new"), 3)
    assert sorted(p.name for p in (tmp_path / "outside").iterdir()) == ["secret"]
    assert (tmp_path / "outside" / "secret").read_text() == "s"


def test_read_write_and_zero_ranges(fs: ShareFs) -> None:
    parts = ("dir", "File.txt")
    fs.write(parts, 2, b"ab")
    fs.write_zeros(parts, 8, 2)
    assert fs.read(parts, 0, 100) == b"01ab4567\x00\x00"


def test_resolve_finds_existing_names_in_any_case(fs: ShareFs) -> None:
    assert fs.resolve(("DIR", "file.TXT")) == ("dir", "File.txt")
    assert fs.resolve(("Dir", "new.txt")) == ("dir", "new.txt")
    assert fs.resolve(("nope", "x")) == ("nope", "x")
    assert fs.resolve(()) == ()


def test_create_mkdir_rmdir_unlink(fs: ShareFs) -> None:
    fs.mkdir(("dir", "sub"))
    fs.create(("dir", "sub", "f"), 5)
    state = fs.stat(("dir", "sub", "f"))
    assert state is not None and state.size == 5 and not state.is_dir
    with pytest.raises(OSError):
        fs.rmdir(("dir", "sub"))
    fs.unlink(("dir", "sub", "f"))
    fs.rmdir(("dir", "sub"))
    assert fs.stat(("dir", "sub")) is None
    with pytest.raises(ParentMissing):
        fs.mkdir(("missing", "x"))
