"""Local files as input: symlink loops under a synced folder, bad `.deployignore` lines, and
workspace folders that cannot be used."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator.deploy.localtree import load_ignore, scan
from orchestrator.errors import InputError
from orchestrator.workspace import Workspace, given_workspace, require_workspace


def tree(root: Path) -> Path:
    (root / "inference" / "sub").mkdir(parents=True)
    (root / "inference" / "app.py").write_text("print(1)\n")
    (root / "inference" / "sub" / "util.py").write_text("x = 1\n")
    return root


def test_symlink_loops_are_reported_and_the_rest_is_synced(tmp_path: Path) -> None:
    root = tree(tmp_path)
    (root / "inference" / "self").symlink_to("self")
    (root / "inference" / "sub" / "up").symlink_to("..")
    (root / "inference" / "sub" / "again").symlink_to("../sub")
    (root / "inference" / "gone").symlink_to("missing")
    found = scan(root, ["inference"], None)
    assert sorted(f.path for f in found.files) == ["inference/app.py", "inference/sub/util.py"]
    assert sorted(found.skipped) == [
        "inference/gone: symlink to a missing target; not followed",
        "inference/self: symlink loop; not followed",
        "inference/sub/again: symlink to a folder that contains it (a loop); not followed",
        "inference/sub/up: symlink to a folder that contains it (a loop); not followed",
    ]


def test_a_symlink_to_a_sibling_folder_is_synced_under_both_names(tmp_path: Path) -> None:
    root = tree(tmp_path)
    (root / "inference" / "alias").symlink_to("sub")
    found = scan(root, ["inference"], None)
    assert "inference/alias/util.py" in {f.path for f in found.files}
    assert found.skipped == ()


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("build\\", "git does not accept it"),
        ("[z-a]", "bad character range z-a"),
        ("!", "git does not accept it"),
    ],
)
def test_a_bad_ignore_line_names_file_and_line(tmp_path: Path, line: str, said: str) -> None:
    path = tmp_path / ".deployignore"
    path.write_text(f"# comment\n*.log\n{line}\nbuild/\n")
    with pytest.raises(InputError) as caught:
        load_ignore(path)
    assert (
        caught.value.message == f".deployignore:3: {line!r} is not a valid ignore pattern ({said})"
    )


def test_good_ignore_lines_still_work(tmp_path: Path) -> None:
    path = tmp_path / ".deployignore"
    path.write_text("*.log\n!keep.log\nbuild\\\\\n")
    spec = load_ignore(path)
    assert spec is not None and spec.match_file("a.log") and not spec.match_file("keep.log")


def test_an_unreadable_ignore_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / ".deployignore").mkdir()
    with pytest.raises(InputError, match=r"^\.deployignore: cannot read \(Is a directory\)$"):
        load_ignore(tmp_path / ".deployignore")


def test_a_workspace_name_too_long_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / ("a" * 300)
    with pytest.raises(
        InputError, match="cannot use the workspace folder \\(File name too long\\)"
    ):
        given_workspace(folder)


def test_a_workspace_that_is_a_symlink_loop_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "loop").symlink_to("loop")
    with pytest.raises(InputError, match="cannot resolve the workspace folder"):
        given_workspace(tmp_path / "loop")


def test_a_missing_workspace_folder_is_left_to_require_workspace(tmp_path: Path) -> None:
    ws = given_workspace(tmp_path / "nope")
    with pytest.raises(InputError) as caught:
        require_workspace(ws)
    assert caught.value.message.endswith("not an AI Toolkit workspace (there is no infra/ folder)")


def test_a_folder_with_infra_is_a_workspace(tmp_path: Path) -> None:
    (tmp_path / "infra").mkdir()
    assert require_workspace(Workspace(tmp_path)) == Workspace(tmp_path)
