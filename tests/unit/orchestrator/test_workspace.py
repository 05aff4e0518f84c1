"""Workspace paths as shown to the user, the workspace search, the tool's state folder."""

from __future__ import annotations

from pathlib import Path

from orchestrator.workspace import Workspace, find_workspace


def test_paths_inside_are_shown_relative_and_outside_as_given(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    assert ws.shown(ws.parameters) == "infra/provision/inference.parameters.json"
    assert ws.shown(Path("/elsewhere/p.json")) == "/elsewhere/p.json"


def test_a_symlink_is_shown_by_its_own_name(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    (tmp_path / "real.json").write_text("{}")
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra/inference.config.json").symlink_to(tmp_path / "real.json")
    assert ws.shown(ws.config) == "infra/inference.config.json"


def test_a_symlink_loop_is_shown_without_crashing(tmp_path: Path) -> None:
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop.name)
    assert Workspace(tmp_path).shown(loop) == "loop.json"
    assert Workspace(tmp_path / "x").shown(loop) == str(loop)


def test_the_nearest_folder_with_infra_is_the_workspace(tmp_path: Path) -> None:
    (tmp_path / "infra/provision").mkdir(parents=True)
    deep = tmp_path / "inference/sub"
    deep.mkdir(parents=True)
    assert find_workspace(deep).root == tmp_path.resolve()
    (tmp_path / "loop").symlink_to("loop")
    assert find_workspace(tmp_path / "loop").root == tmp_path / "loop"


def test_state_dir_is_created_git_ignored(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    assert ws.ensure_state_dir() == tmp_path / ".orchestrator"
    ignore = tmp_path / ".orchestrator/.gitignore"
    assert ignore.read_text().splitlines()[-1] == "*"
    ignore.write_text("kept\n")
    ws.ensure_state_dir()
    assert ignore.read_text() == "kept\n"  # never rewritten
