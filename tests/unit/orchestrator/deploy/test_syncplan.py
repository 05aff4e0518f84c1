from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from orchestrator.deploy.syncplan import (
    KnownFile,
    LocalFile,
    RemoteFile,
    known_md5s,
    needs_md5,
    plan_sync,
    remember,
)


def local(path: str, content: bytes = b"x") -> LocalFile:
    return LocalFile(path, len(content), hashlib.md5(content).digest())


def remote(path: str, content: bytes = b"x", *, md5: bool = True) -> RemoteFile:
    return RemoteFile(path, len(content), hashlib.md5(content).digest() if md5 else None)


ROOTS = ("inference", "setup")


def test_new_files_are_uploaded_and_their_folders_created_parents_first() -> None:
    plan = plan_sync(
        [local("inference/a/b/c.py")],
        ["inference", "inference/a", "inference/a/b"],
        [],
        [],
        ROOTS,
        delete=False,
    )
    assert [u.path for u in plan.uploads] == ["inference/a/b/c.py"]
    assert plan.uploads[0].reason == "new"
    assert plan.make_dirs == ("inference", "inference/a", "inference/a/b")


def test_unchanged_files_are_not_sent() -> None:
    plan = plan_sync(
        [local("inference/app.py", b"v1")],
        ["inference"],
        [remote("inference/app.py", b"v1")],
        ["inference"],
        ROOTS,
        delete=False,
    )
    assert plan.uploads == ()
    assert plan.unchanged == 1
    assert plan.is_noop


def test_same_size_different_content_is_uploaded_as_changed() -> None:
    plan = plan_sync(
        [local("inference/app.py", b"v2")],
        ["inference"],
        [remote("inference/app.py", b"v1")],
        ["inference"],
        ROOTS,
        delete=False,
    )
    assert [(u.path, u.reason) for u in plan.uploads] == [("inference/app.py", "changed")]


def test_remote_file_without_md5_is_uploaded_again() -> None:
    plan = plan_sync(
        [local("inference/app.py")],
        ["inference"],
        [remote("inference/app.py", md5=False)],
        ["inference"],
        ROOTS,
        delete=False,
    )
    assert [u.reason for u in plan.uploads] == ["changed"]


def test_extras_are_kept_without_delete() -> None:
    plan = plan_sync(
        [], ["inference"], [remote("inference/old.py")], ["inference"], ROOTS, delete=False
    )
    assert plan.delete_files == ()
    assert plan.kept_remote == ("inference/old.py",)


def test_delete_removes_extras_only_inside_synced_roots_children_first() -> None:
    plan = plan_sync(
        [local("inference/app.py")],
        ["inference"],
        [
            remote("inference/old/x.py"),
            remote("models/qlora/adapter.bin"),
            remote("model-cache/m/w.bin"),
            remote("other/keep.txt"),
        ],
        ["inference", "inference/old", "inference/old/deeper", "models", "model-cache", "other"],
        ROOTS,
        delete=True,
    )
    assert plan.delete_files == ("inference/old/x.py",)
    assert plan.delete_dirs == ("inference/old/deeper", "inference/old")


def test_protected_folders_are_never_deleted_even_if_named_as_roots() -> None:
    plan = plan_sync([], [], [remote("models/a.bin")], ["models"], ("models",), delete=True)
    assert plan.delete_files == ()
    assert plan.delete_dirs == ()


def test_needs_md5_lists_only_same_size_files() -> None:
    files = [local("inference/a.py", b"12"), local("inference/b.py", b"123")]
    assert needs_md5(files, {"inference/a.py": 2, "inference/b.py": 9}) == ["inference/a.py"]


paths = st.lists(
    st.text(alphabet="abc/", min_size=1, max_size=8).map(lambda s: "inference/" + s.strip("/")),
    max_size=8,
    unique=True,
).map(lambda ps: [p for p in ps if "//" not in p and not p.endswith("/")])


@given(paths, paths, st.booleans())
def test_a_second_plan_after_applying_the_first_is_a_noop(
    local_paths: list[str], remote_paths: list[str], delete: bool
) -> None:
    files = [local(p, p.encode()) for p in local_paths]
    first = plan_sync(
        files, [], [remote(p, b"old") for p in remote_paths], [], ROOTS, delete=delete
    )
    uploaded = {u.path for u in first.uploads}
    after = {r: remote(r, b"old") for r in remote_paths if r not in first.delete_files}
    after.update({f.path: remote(f.path, f.path.encode()) for f in files if f.path in uploaded})
    dirs = list(first.make_dirs)
    second = plan_sync(files, [], list(after.values()), dirs, ROOTS, delete=delete)
    assert second.uploads == ()


# --- remembered ETags: which MD5s need no HEAD --------------------------------------------


def listed(path: str, size: int, etag: str) -> RemoteFile:
    return RemoteFile(path, size, None, etag)


MD5 = hashlib.md5(b"v1").digest()


def test_a_remembered_md5_is_trusted_while_etag_and_size_are_unchanged() -> None:
    known = {"inference/a.py": KnownFile('"0x1"', 2, MD5)}
    found = known_md5s(["inference/a.py"], [listed("inference/a.py", 2, '"0x1"')], known)
    assert found == {"inference/a.py": MD5}


def test_a_changed_etag_or_size_means_the_file_must_be_read_again() -> None:
    known = {"inference/a.py": KnownFile('"0x1"', 2, MD5)}
    assert known_md5s(["inference/a.py"], [listed("inference/a.py", 2, '"0x2"')], known) == {}
    assert known_md5s(["inference/a.py"], [listed("inference/a.py", 3, '"0x1"')], known) == {}


def test_a_listing_without_etags_never_matches() -> None:
    known = {"inference/a.py": KnownFile("", 2, MD5)}
    assert known_md5s(["inference/a.py"], [listed("inference/a.py", 2, "")], known) == {}


def test_only_the_asked_paths_are_answered() -> None:
    known = {"inference/a.py": KnownFile('"0x1"', 2, MD5)}
    assert known_md5s([], [listed("inference/a.py", 2, '"0x1"')], known) == {}


def test_remembering_keeps_confirmed_entries_and_takes_new_ones() -> None:
    known = {
        "inference/same.py": KnownFile('"0x1"', 2, MD5),
        "inference/rewritten.py": KnownFile('"0x1"', 2, MD5),
        "inference/gone.py": KnownFile('"0x1"', 2, MD5),
    }
    remote_now = [
        listed("inference/same.py", 2, '"0x1"'),
        listed("inference/rewritten.py", 2, '"0x9"'),
        listed("inference/headed.py", 4, '"0x5"'),
        listed("inference/deleted.py", 4, '"0x6"'),
    ]
    seen = {
        "inference/headed.py": KnownFile('"0x5"', 4, None),
        "inference/deleted.py": KnownFile('"0x6"', 4, MD5),
    }
    kept = remember(known, remote_now, seen, deleted=["inference/deleted.py"])
    assert kept == {
        "inference/headed.py": KnownFile('"0x5"', 4, None),
        "inference/same.py": KnownFile('"0x1"', 2, MD5),
    }


def test_a_case_only_rename_is_not_deleted_after_upload() -> None:
    """Azure Files names are case-insensitive: `Greeting.txt` replaces `greeting.txt`."""
    plan = plan_sync(
        [local("inference/Greeting.txt", b"hi"), local("inference/Utils/u.py")],
        ["inference", "inference/Utils"],
        [remote("inference/greeting.txt", b"hi"), remote("inference/utils/u.py")],
        ["inference", "inference/utils"],
        ROOTS,
        delete=True,
    )
    assert plan.delete_files == () and plan.delete_dirs == ()
    assert plan.uploads == () and plan.make_dirs == ()
    assert plan.unchanged == 2
