from __future__ import annotations

import os
from pathlib import Path

import pytest

from orchestrator.deploy.localtree import check_sources, load_ignore, scan
from orchestrator.errors import InputError


def make(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_scan_skips_caches_git_and_virtual_environments(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "inference/app.py": "print()",
            "inference/__pycache__/app.cpython-311.pyc": "x",
            "inference/.git/config": "x",
            "inference/env/pyvenv.cfg": "home = /usr",
            "inference/env/lib/x.py": "x",
        },
    )
    tree = scan(tmp_path, ["inference"], None)
    assert [f.path for f in tree.files] == ["inference/app.py"]


def test_ignore_file_uses_gitignore_syntax(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "inference/a.py": "",
            "inference/big.log": "",
            "inference/data/x": "",
            ".deployignore": "*.log\ndata/\n",
        },
    )
    tree = scan(tmp_path, ["inference"], load_ignore(tmp_path / ".deployignore"))
    assert [f.path for f in tree.files] == ["inference/a.py"]


def test_symlink_outside_the_source_folder_is_not_followed(tmp_path: Path) -> None:
    make(tmp_path, {"inference/app.py": "", "secret/key.txt": "s3cret"})
    os.symlink(tmp_path / "secret", tmp_path / "inference" / "leak")
    os.symlink(tmp_path / "secret" / "key.txt", tmp_path / "inference" / "key.txt")
    tree = scan(tmp_path, ["inference"], None)
    assert [f.path for f in tree.files] == ["inference/app.py"]
    assert any("inference/leak" in s and "outside" in s for s in tree.skipped)


def test_symlink_inside_the_source_folder_is_followed(tmp_path: Path) -> None:
    make(tmp_path, {"inference/real.py": "x"})
    os.symlink(tmp_path / "inference" / "real.py", tmp_path / "inference" / "alias.py")
    tree = scan(tmp_path, ["inference"], None)
    assert sorted(f.path for f in tree.files) == ["inference/alias.py", "inference/real.py"]


def test_missing_source_folder_is_reported_not_fatal(tmp_path: Path) -> None:
    make(tmp_path, {"inference/a.py": ""})
    tree = scan(tmp_path, ["inference", "setup"], None)
    assert [f.path for f in tree.files] == ["inference/a.py"]
    assert tree.skipped == ("setup/: not a folder here, nothing to sync",)


def test_md5_and_size_are_of_the_content(tmp_path: Path) -> None:
    make(tmp_path, {"inference/a.txt": "hello"})
    (f,) = scan(tmp_path, ["inference"], None).files
    assert f.size == 5
    assert f.md5.hex() == "5d41402abc4b2a76b9719d911017c592"


@pytest.mark.parametrize("source", ["../x", "/etc", "inference/../../x", ""])
def test_sources_escaping_the_workspace_are_refused(source: str) -> None:
    with pytest.raises(InputError, match="inside the workspace"):
        check_sources(Path("/ws"), [source])


@pytest.mark.parametrize("source", ["models", "model-cache/x"])
def test_sources_in_protected_folders_are_refused(source: str) -> None:
    with pytest.raises(InputError, match="fine-tuned model"):
        check_sources(Path("/ws"), [source])
